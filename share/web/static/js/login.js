// The sign-in form: POST /api/v1/auth/session sets the session cookie. When the account has
// two-factor authentication the API answers totp-required and the code field appears.
import { request, nextPage } from './api.js';

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

// Single sign-on: a button per configured provider. The provider's callback comes back here
// with a one-time code in the fragment, which becomes a session cookie like a password would.
const sso = document.getElementById('sso');
const ssoButtons = document.getElementById('sso-buttons');

async function finishSingleSignOn() {
  const code = new URLSearchParams(location.hash.slice(1)).get('oidc_code');
  if (!code) return;
  // The code is single use: keep it out of the history and of a reload.
  history.replaceState(null, '', location.pathname + location.search);
  error.textContent = 'Signing you in…';
  try {
    await request('POST', '/api/v1/auth/session', { oidc_code: code });
    location.href = nextPage();
  } catch (failure) {
    error.textContent = failure.message;
  }
}

async function showProviders() {
  let providers = [];
  try {
    providers = (await request('GET', '/api/v1/auth/oidc/providers')).items || [];
  } catch {
    return;
  }
  const back = `/login?next=${encodeURIComponent(nextPage())}`;
  ssoButtons.replaceChildren(...providers.map((provider) => {
    const link = document.createElement('a');
    link.className = 'button sso-button';
    link.href = `${provider.start}?redirect=${encodeURIComponent(back)}`;
    link.textContent = `Sign in with ${provider.display_name || provider.name}`;
    return link;
  }));
  sso.hidden = providers.length === 0;
}

finishSingleSignOn();
showProviders();
