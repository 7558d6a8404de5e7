// TV search: an on-screen keyboard (a grid of buttons; Enter on a key types it) and a row of
// results that follows the query as it is typed. Results are the server's own rendering of
// /tv/search?q= (the same template, escaping and visibility rules as a page load), swapped in;
// the address follows the query, so coming Back to this page shows the same results.
import { startNavigation, goBack } from './focus.js';

const MAX = 200; // VideoSearch.maxQueryLength
const shown = document.getElementById('tv-query');
let query = shown?.textContent ?? '';
let timer = null;
let latest = 0;

async function refresh() {
  const asked = ++latest;
  const q = query.trim();
  const url = q ? `/tv/search?q=${encodeURIComponent(q)}` : '/tv/search';
  history.replaceState(null, '', url);
  try {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    const html = await response.text();
    if (asked !== latest) return; // a later keystroke has its own answer coming
    const fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('tv-results');
    const results = document.getElementById('tv-results');
    if (fresh && results) results.replaceChildren(...[...fresh.childNodes].map((node) => document.importNode(node, true)));
  } catch {
    /* offline for a moment: the next key tries again */
  }
}

function type(key) {
  if (key === 'delete') query = query.slice(0, -1);
  else if (key === 'clear') query = '';
  else if (query.length < MAX) query += key;
  shown.textContent = query;
  clearTimeout(timer);
  timer = setTimeout(refresh, 150);
}

document.querySelector('.tv-keyboard')?.addEventListener('click', (event) => {
  const key = event.target.closest?.('[data-key]')?.dataset.key;
  if (key !== undefined) type(key);
});

startNavigation({
  onBack: () => goBack('/tv'),
  // A real keyboard types too (letters, digits, space); Backspace stays Back, as on a remote.
  onKey: (event) => {
    if (/^[\p{L}\p{N}]$/u.test(event.key)) { type(event.key.toLowerCase()); return true; }
    return false;
  },
});
