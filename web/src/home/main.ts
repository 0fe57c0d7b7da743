import { mount } from 'svelte';
import '../app.css';
import { boot } from '../lib/boot';
import Home from './Home.svelte';

boot();
mount(Home, { target: document.getElementById('app')! });
