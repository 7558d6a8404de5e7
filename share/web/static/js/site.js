// On every page: the header's sign-out button, and the service worker that makes the site an
// installable app (static/sw.js; it keeps the app shell, never media or account data).
import { request, csrfToken } from './api.js';
import { watchBell } from './bell.js';

const logout = document.getElementById('logout');
if (logout) {
  logout.addEventListener('click', async () => {
    logout.disabled = true;
    try {
      await request('DELETE', '/api/v1/auth/session', undefined, await csrfToken());
    } finally {
      location.href = '/';
    }
  });
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/static/sw.js', { scope: '/' }).catch((error) => {
    console.warn(`Kinora works without its service worker (${error.message}): no offline page.`);
  });
}

watchBell();
