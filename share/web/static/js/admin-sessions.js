// A user's browser sessions on the admin users page, through the settings API
// (GET /api/v1/users/{id}/sessions → {items: [{id, created_at, last_seen_at, expires_at, user_agent}]},
// DELETE /api/v1/users/{id}/sessions → 204).
import { request } from './api.js';

function when(text) {
  return text ? new Date(text).toLocaleString() : '–';
}

export async function toggleSessions(row, button, csrfToken) {
  const box = row.querySelector('.sessions');
  if (!box.hidden) {
    box.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  const path = `/api/v1/users/${encodeURIComponent(row.dataset.userId)}/sessions`;
  box.replaceChildren();
  box.hidden = false;
  button.setAttribute('aria-expanded', 'true');
  let sessions;
  try {
    sessions = await request('GET', path);
  } catch (failure) {
    const note = document.createElement('p');
    note.className = 'muted';
    note.textContent = failure.message;
    box.append(note);
    return;
  }
  const items = sessions?.items || [];
  const listing = document.createElement('ul');
  listing.className = 'admin-list';
  for (const session of items) {
    const item = document.createElement('li');
    const browser = session.user_agent ? `${session.user_agent}: ` : '';
    item.textContent = `${browser}signed in ${when(session.created_at)}, last seen ${when(session.last_seen_at)}, expires ${when(session.expires_at)}`;
    listing.append(item);
  }
  const summary = document.createElement('p');
  summary.textContent = items.length ? `${items.length} active session(s).` : 'No active sessions.';
  box.append(summary, listing);
  if (!items.length) return;
  const end = document.createElement('button');
  end.type = 'button';
  end.className = 'secondary';
  end.textContent = 'End all sessions';
  end.addEventListener('click', async () => {
    end.disabled = true;
    try {
      await request('DELETE', path, undefined, await csrfToken());
      summary.textContent = 'All sessions were ended.';
      listing.replaceChildren();
      end.remove();
    } catch (failure) {
      summary.textContent = failure.message;
      end.disabled = false;
    }
  });
  box.append(end);
}
