// On every page: the header's sign-out button.
import { request, csrfToken } from './api.js';

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
