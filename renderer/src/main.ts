/** Entry point: finds the page's elements and starts the app over the preload's API. */
import './styles.css';
import { getAuthApi } from './auth-client';
import { startApp } from './app';

function element(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`renderer: #${id} is missing from index.html`);
  return el;
}

const elements = {
  screen: element('screen'),
  banners: element('banners'),
  announcer: element('announcer'),
  provider: element('provider'),
};
const api = getAuthApi();
if (api) {
  startApp(api, elements);
} else {
  elements.screen.setAttribute('aria-busy', 'false');
  elements.screen.replaceChildren();
  const title = document.createElement('h1');
  title.className = 'screen-title';
  title.textContent = 'Open this page in the app';
  const text = document.createElement('p');
  text.className = 'lead';
  text.textContent = 'This page is the OAuth Desktop window. It needs the app around it to sign you in: start it with npm start.';
  elements.screen.append(title, text);
}
