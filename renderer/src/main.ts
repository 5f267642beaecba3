// The API client goes first: it moves the launch secret out of the URL before the router reads it.
import './api/client.ts';
import { mount } from 'svelte';
import App from './App.svelte';
import './styles/app.css';

mount(App, { target: document.getElementById('app')! });
