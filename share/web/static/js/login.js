// The sign-in form: POST /api/v1/auth/session sets the session cookie. When the account has
// two-factor authentication the API answers totp-required and the code field appears.
import { request, nextPage } from './api.js';
import { finishSingleSignOn, showProviders } from './sso.js';

const form = document.getElementById('login-form');
const error = document.getElementById('form-error');
const totpStep = document.getElementById('totp-step');
const totp = document.getElementById('login-totp');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const body = { username: form.username.value.trim(), password: form.password.value };
  if (!totpStep.hidden && totp.value.trim()) body.totp = totp.value.trim();
  if (!body.username || !body.password) {
    error.textContent = 'Enter your username and password.';
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await request('POST', '/api/v1/auth/session', body);
    location.href = nextPage();
  } catch (failure) {
    if (failure.type === 'totp-required') {
      totpStep.hidden = false;
      totp.focus();
      error.textContent = 'Enter the code from your authenticator app.';
    } else {
      error.textContent = failure.message;
    }
  } finally {
    button.disabled = false;
  }
});

// A single sign-on that comes back here ends in a session; buttons for the providers.
finishSingleSignOn(error);
showProviders('Sign in with');
