// The history page: removes one entry (DELETE /api/v1/me/history/{video_id}) or all of them
// (DELETE /api/v1/me/history, after a confirmation), and updates the list in place.
import { request, csrfToken } from './api.js';

const status = document.getElementById('history-status');
const list = document.querySelector('.history-list');

function showEmpty() {
  if (list.querySelector('.history-entry')) return;
  const empty = document.createElement('p');
  empty.className = 'empty';
  empty.textContent = 'You have not watched anything yet.';
  list.replaceWith(empty);
  document.getElementById('history-clear')?.remove();
}

for (const button of document.querySelectorAll('.history-remove')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = '';
    try {
      await request('DELETE', `/api/v1/me/history/${encodeURIComponent(button.dataset.videoId)}`, undefined, await csrfToken());
      const entry = button.closest('.history-entry');
      const next = entry.nextElementSibling || entry.previousElementSibling;
      entry.remove();
      (next?.querySelector('.history-remove') || document.querySelector('h1')).focus();
      showEmpty();
    } catch (failure) {
      status.textContent = failure.message;
      button.disabled = false;
    }
  });
}

const clear = document.getElementById('history-clear');
clear?.addEventListener('click', async () => {
  if (clear.dataset.confirm !== 'yes') {
    // A second press confirms: clearing cannot be undone.
    clear.dataset.confirm = 'yes';
    clear.textContent = 'Press again to clear all history';
    return;
  }
  clear.disabled = true;
  try {
    await request('DELETE', '/api/v1/me/history', undefined, await csrfToken());
    for (const entry of list.querySelectorAll('.history-entry')) entry.remove();
    showEmpty();
    status.textContent = 'History cleared.';
  } catch (failure) {
    status.textContent = failure.message;
    clear.disabled = false;
  }
});
