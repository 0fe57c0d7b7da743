import { mount } from 'svelte';
import '../app.css';
import { boot } from '../lib/boot';
import Developers from './Developers.svelte';

boot();
mount(Developers, { target: document.getElementById('app')! });
