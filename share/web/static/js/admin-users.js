// The admin console's users page: role changes and disabling go through
// PATCH /api/v1/users/{id}; a password reset makes a one-time token
// (POST /api/v1/users/{id}/password-reset) shown once, as a /reset-password link, for the admin to pass on. Sessions are
// in admin-sessions.js.
import { request, csrfToken } from './api.js';
import { toggleSessions } from './admin-sessions.js';

const list = document.getElementById('users');
const error = document.getElementById('users-error');
const status = document.getElementById('users-status');

async function patch(row, body) {
  return request('PATCH', `/api/v1/users/${encodeURIComponent(row.dataset.userId)}`, body, await csrfToken());
}

const actions = {
  'save-role': async (row) => {
    const user = await patch(row, { role: row.querySelector('.role').value });
    status.textContent = `${user.username} is now ${user.role}.`;
  },
  'toggle-disabled': async (row, button) => {
    const user = await patch(row, { disabled: button.dataset.disabled !== 'true' });
    button.dataset.disabled = String(user.disabled);
    button.firstChild.textContent = user.disabled ? 'Enable' : 'Disable';
    row.querySelector('.disabled-badge').hidden = !user.disabled;
    status.textContent = `${user.username} is ${user.disabled ? 'disabled' : 'enabled'}.`;
  },
  'reset-password': async (row) => {
    const issued = await request('POST', `/api/v1/users/${encodeURIComponent(row.dataset.userId)}/password-reset`, undefined, await csrfToken());
    const out = row.querySelector('.reset-result');
    // A link to the reset page with the token in its fragment, to pass on (it is shown once).
    const link = `${location.origin}/reset-password#token=${encodeURIComponent(issued.token)}`;
    out.textContent = `One-time reset link for ${issued.username}, valid until ${new Date(issued.expires_at).toLocaleString()}: `;
    const code = document.createElement('code');
    code.className = 'reset-link';
    code.textContent = link;
    out.append(code);
    out.hidden = false;
    status.textContent = `A reset token for ${issued.username} was made.`;
  },
  'show-sessions': (row, button) => toggleSessions(row, button, csrfToken),
};

list?.addEventListener('click', async (event) => {
  const button = event.target.closest('button');
  const row = button?.closest('.user-row');
  const name = button && Object.keys(actions).find((key) => button.classList.contains(key));
  if (!row || !name) return;
  error.textContent = '';
  button.disabled = true;
  try {
    await actions[name](row, button);
  } catch (failure) {
    error.textContent = failure.message;
  } finally {
    button.disabled = false;
  }
});
