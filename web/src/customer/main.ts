import { mount } from 'svelte';
import '../app.css';
import { startSession } from '../lib/boot';
import App from './App.svelte';

const session = startSession('customer');
mount(App, { target: document.getElementById('app')!, props: { session } });
