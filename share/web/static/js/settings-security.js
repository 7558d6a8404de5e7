// Settings: the password (POST /api/v1/me/password ends every other session; this one stays)
// and two-factor authentication (/api/v1/me/totp: enrol, confirm with a first code, recovery
// codes shown once, regenerate or turn off with the password).
import { request, csrfToken } from './api.js';
import { clearErrors, showError, busy } from './settings-form.js';

const passwordForm = document.getElementById('password-form');
const passwordError = document.getElementById('password-error');
const passwordSaved = document.getElementById('password-saved');

passwordForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(passwordForm, passwordError, passwordSaved);
  const body = { current_password: passwordForm.current_password.value, new_password: passwordForm.new_password.value };
  if (!body.current_password || !body.new_password) {
    passwordError.textContent = 'Enter your current password and a new one.';
    return;
  }
  await busy(passwordForm.querySelector('button[type=submit]'), async () => {
    try {
      await request('POST', '/api/v1/me/password', body, await csrfToken());
      passwordForm.reset();
      passwordSaved.textContent = 'Password changed. Every other browser and app is signed out.';
    } catch (failure) {
      showError(passwordForm, passwordError, failure);
    }
  });
});

const state = document.getElementById('totp-state');
const off = document.getElementById('totp-off');
const enrol = document.getElementById('totp-enrol');
const on = document.getElementById('totp-on');
const codesBox = document.getElementById('totp-codes');
const codeList = document.getElementById('totp-code-list');
const confirmForm = document.getElementById('totp-confirm-form');
const confirmError = document.getElementById('totp-confirm-error');
const manageForm = document.getElementById('totp-manage-form');
const manageError = document.getElementById('totp-manage-error');

function show(enabled) {
  state.textContent = enabled ? 'Two-factor authentication is on.' : 'Two-factor authentication is off.';
  off.hidden = enabled;
  on.hidden = !enabled;
  enrol.hidden = true;
}

function showCodes(codes) {
  codeList.replaceChildren(...codes.map((code) => {
    const item = document.createElement('li');
    item.textContent = code;
    return item;
  }));
  codesBox.hidden = false;
}

if (state) {
  request('GET', '/api/v1/me').then((me) => show(Boolean(me.totp_enabled))).catch((failure) => { state.textContent = failure.message; });
}

document.getElementById('totp-start')?.addEventListener('click', async (event) => {
  await busy(event.target, async () => {
    try {
      const started = await request('POST', '/api/v1/me/totp', undefined, await csrfToken());
      // Groups of four are easier to type into an app.
      document.getElementById('totp-secret').textContent = started.secret.match(/.{1,4}/g).join(' ');
      document.getElementById('totp-uri').href = started.otpauth_uri;
      off.hidden = true;
      enrol.hidden = false;
      document.getElementById('totp-code').focus();
    } catch (failure) {
      state.textContent = failure.message;
    }
  });
});

confirmForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  confirmError.textContent = '';
  const code = confirmForm.code.value.replace(/\s/g, '');
  if (!code) {
    confirmError.textContent = 'Enter the code your app shows.';
    return;
  }
  await busy(confirmForm.querySelector('button[type=submit]'), async () => {
    try {
      const answer = await request('POST', '/api/v1/me/totp/confirm', { code }, await csrfToken());
      confirmForm.reset();
      show(true);
      showCodes(answer.recovery_codes);
    } catch (failure) {
      confirmError.textContent = failure.message;
    }
  });
});

function managed(method, path, done) {
  return async (event) => {
    manageError.textContent = '';
    const password = manageForm.password.value;
    if (!password) {
      manageError.textContent = 'Enter your password first.';
      manageForm.password.focus();
      return;
    }
    await busy(event.target, async () => {
      try {
        done(await request(method, path, { password }, await csrfToken()));
        manageForm.reset();
      } catch (failure) {
        manageError.textContent = failure.message;
      }
    });
  };
}

document.getElementById('totp-regenerate')?.addEventListener('click', managed('POST', '/api/v1/me/totp/recovery-codes', (answer) => showCodes(answer.recovery_codes)));
document.getElementById('totp-disable')?.addEventListener('click', managed('DELETE', '/api/v1/me/totp', () => {
  codesBox.hidden = true;
  show(false);
}));
manageForm?.addEventListener('submit', (event) => event.preventDefault());
