import { mount } from 'svelte';
import '../app.css';
import { Auth } from '../lib/auth.svelte';
import { boot } from '../lib/boot';
import App from './App.svelte';
import { Integrations } from './integrations.svelte';
import { AuditLog } from './audit.svelte';
import { CompanySettings } from './company.svelte';
import { Preview } from './preview.svelte';
import { MaskingRules } from './rules.svelte';
import { Users } from './users.svelte';

boot();
const auth = new Auth();
mount(App, {
	target: document.getElementById('app')!,
	props: { auth, users: new Users(auth), company: new CompanySettings(auth), rules: new MaskingRules(auth), preview: new Preview(auth), audit: new AuditLog(auth), integrations: new Integrations(auth) },
});
void auth.restore();
