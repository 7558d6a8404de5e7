// The password reset page: the code comes in the link's fragment (`#token=…`), which browsers
// never send to a server or put in a Referer, and is taken out of the address bar at once.
import { request, csrfToken } from './api.js';

const form = document.getElementById('reset-form');
const error = document.getElementById('form-error');
const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromLink) {
  form.token.value = fromLink;
  history.replaceState(null, '', location.pathname);
  form.password.focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const token = form.token.value.trim();
  if (!token || !form.password.value) {
    error.textContent = 'Enter the reset code and a new password.';
    return;
  }
  if (form.password.value !== form.again.value) {
    error.textContent = 'The two passwords differ.';
    form.again.focus();
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    // A signed-in browser (an admin trying the link) must send its CSRF token too.
    await request('POST', '/api/v1/auth/password-reset', { token, new_password: form.password.value }, await csrfToken());
    form.hidden = true;
    document.getElementById('reset-done').hidden = false;
  } catch (failure) {
    error.textContent = failure.type === 'invalid-reset-token'
      ? 'This reset code is used, expired or unknown. Ask an administrator for a new one.' : failure.message;
  } finally {
    button.disabled = false;
  }
});
