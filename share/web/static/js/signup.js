// The sign-up form: POST /api/v1/auth/signup, then sign in with the same credentials so the
// new account lands signed in.
import { request, nextPage } from './api.js';
import { showProviders } from './sso.js';

const form = document.getElementById('signup-form');
const error = document.getElementById('form-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const username = form.username.value.trim();
  const password = form.password.value;
  const body = { username, password };
  if (form.invitation.value.trim()) body.invitation = form.invitation.value.trim();
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await request('POST', '/api/v1/auth/signup', body);
    await request('POST', '/api/v1/auth/session', { username, password });
    location.href = nextPage();
  } catch (failure) {
    error.textContent = failure.message;
  } finally {
    button.disabled = false;
  }
});

// An identity provider may create the account instead (when it is configured to).
showProviders('Sign up with');
