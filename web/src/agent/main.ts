import { mount } from 'svelte';
import '../app.css';
import { Auth } from '../lib/auth.svelte';
import { boot } from '../lib/boot';
import { installTestHook } from '../lib/testHook';
import App from './App.svelte';
import { AgentConsole } from './console.svelte';

boot();
const auth = new Auth();
const agent = new AgentConsole(auth);
installTestHook(() => agent.session);
document.body.dataset.status = 'idle';
mount(App, { target: document.getElementById('app')!, props: { auth, agent } });
void auth.restore();
