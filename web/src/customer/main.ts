import { mount } from 'svelte';
import '../app.css';
import { boot } from '../lib/boot';
import { installTestHook } from '../lib/testHook';
import App from './App.svelte';
import { CustomerFlow } from './flow.svelte';

boot();
const flow = new CustomerFlow(window.location.pathname);
installTestHook(() => flow.session);
document.body.dataset.status = 'idle';
mount(App, { target: document.getElementById('app')!, props: { flow } });
window.addEventListener('pagehide', () => flow.dispose());
void flow.start();
