import { mount } from 'svelte';
import '../app.css';
import { Auth } from '../lib/auth.svelte';
import { boot } from '../lib/boot';
import { installTestHook } from '../lib/testHook';
import App from './App.svelte';
import { CompanyReports } from './companyReports.svelte';
import { Reports } from './reports.svelte';
import { Supervisor } from './supervisor.svelte';

boot();
const auth = new Auth();
const supervisor = new Supervisor(auth);
const reports = new Reports(auth);
installTestHook(() => supervisor.watching?.session ?? null);
document.body.dataset.status = 'idle';
mount(App, { target: document.getElementById('app')!, props: { auth, supervisor, reports, companyReports: new CompanyReports(auth) } });
void auth.restore();
