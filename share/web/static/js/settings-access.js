// Settings: browser sessions (GET /api/v1/me/sessions, end one, or every other one) and API
// keys (list, create with scopes showing the secret once, revoke).
import { request, csrfToken } from './api.js';
import { when } from './settings-form.js';

const sessionList = document.getElementById('session-list');
const sessionsError = document.getElementById('sessions-error');
const endOthers = document.getElementById('sessions-end-others');
let others = [];

function row(label, detail, button) {
  const item = document.createElement('li');
  const what = document.createElement('span');
  what.className = 'what';
  what.append(...label);
  const small = document.createElement('span');
  small.className = 'detail';
  small.textContent = detail;
  what.append(small);
  item.append(what);
  if (button) item.append(button);
  return item;
}

function endButton(text, label, action) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'end';
  button.textContent = text;
  button.setAttribute('aria-label', label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await action();
    } catch (failure) {
      button.disabled = false;
      throw failure;
    }
  });
  return button;
}

async function endSession(id) {
  await request('DELETE', `/api/v1/me/sessions/${encodeURIComponent(id)}`, undefined, await csrfToken());
}

async function loadSessions() {
  if (!sessionList) return;
  try {
    const { items } = await request('GET', '/api/v1/me/sessions');
    others = items.filter((session) => !session.current).map((session) => session.id);
    sessionList.replaceChildren(...items.map((session, index) => {
      const name = document.createTextNode(session.user_agent || `Browser session ${index + 1}`);
      const label = [name];
      if (session.current) {
        const badge = document.createElement('span');
        badge.className = 'current-badge';
        badge.textContent = 'this browser';
        label.push(badge);
      }
      const detail = `Signed in ${when(session.created_at)} · last active ${when(session.last_seen_at)}`;
      const button = session.current ? null : endButton('Sign out', `Sign out ${session.user_agent || 'browser session'} (${index + 1})`, async () => {
        sessionsError.textContent = '';
        try {
          await endSession(session.id);
        } catch (failure) {
          sessionsError.textContent = failure.message;
        }
        await loadSessions();
      });
      const item = row(label, detail, button);
      item.dataset.sessionId = session.id;
      if (session.current) item.classList.add('current');
      return item;
    }));
    endOthers.hidden = others.length === 0;
  } catch (failure) {
    sessionsError.textContent = failure.message;
  }
}

endOthers?.addEventListener('click', async () => {
  sessionsError.textContent = '';
  endOthers.disabled = true;
  try {
    for (const id of others) await endSession(id);
  } catch (failure) {
    sessionsError.textContent = failure.message;
  } finally {
    endOthers.disabled = false;
    await loadSessions();
  }
});

const keyList = document.getElementById('key-list');
const keyForm = document.getElementById('key-form');
const keyError = document.getElementById('key-error');
const nameError = document.getElementById('error-name');

async function loadKeys() {
  if (!keyList) return;
  try {
    const { items } = await request('GET', '/api/v1/me/api-keys');
    if (items.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'muted';
      empty.textContent = 'No API keys yet.';
      keyList.replaceChildren(empty);
      return;
    }
    keyList.replaceChildren(...items.map((key) => {
      const detail = `${key.prefix}… · ${key.scopes.join(', ')} · created ${when(key.created_at)}`
        + (key.expires_at ? ` · expires ${when(key.expires_at)}` : '')
        + (key.last_used_at ? ` · last used ${when(key.last_used_at)}` : ' · never used');
      const button = endButton('Revoke', `Revoke the key ${key.name}`, async () => {
        keyError.textContent = '';
        try {
          await request('DELETE', `/api/v1/me/api-keys/${encodeURIComponent(key.id)}`, undefined, await csrfToken());
        } catch (failure) {
          keyError.textContent = failure.message;
        }
        await loadKeys();
      });
      return row([document.createTextNode(key.name)], detail, button);
    }));
  } catch (failure) {
    keyError.textContent = failure.message;
  }
}

keyForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  keyError.textContent = '';
  nameError.textContent = '';
  const name = keyForm.name.value.trim();
  const scopes = [...keyForm.querySelectorAll('input[name=scope]:checked')].map((box) => box.value);
  if (!name) {
    nameError.textContent = 'Give the key a name.';
    keyForm.name.focus();
    return;
  }
  if (scopes.length === 0) {
    keyError.textContent = 'Choose at least one scope.';
    return;
  }
  const button = keyForm.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const created = await request('POST', '/api/v1/me/api-keys', { name, scopes }, await csrfToken());
    document.getElementById('key-secret').textContent = created.key;
    document.getElementById('key-secret-box').hidden = false;
    keyForm.reset();
    await loadKeys();
  } catch (failure) {
    if (failure.problem?.field === 'name') nameError.textContent = failure.message;
    else keyError.textContent = failure.message;
  } finally {
    button.disabled = false;
  }
});

loadSessions();
loadKeys();
