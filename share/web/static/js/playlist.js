// A playlist's page, for its owner: move items up and down (PUT …/order with the whole new
// order), remove them, rename, change the visibility, delete after a confirmation.
import { request, csrfToken } from './api.js';

const page = document.getElementById('playlist');
const id = page?.dataset.playlistId;
const path = `/api/v1/playlists/${encodeURIComponent(id)}`;
const status = document.getElementById('playlist-status');
const list = page?.querySelector('.playlist-items');

function refreshButtons() {
  const items = [...list.querySelectorAll('.playlist-item')];
  items.forEach((item, index) => {
    const up = item.querySelector('.item-up');
    const down = item.querySelector('.item-down');
    if (up) up.disabled = index === 0;
    if (down) down.disabled = index === items.length - 1;
  });
}

async function move(item, offset) {
  const items = [...list.querySelectorAll('.playlist-item')];
  const from = items.indexOf(item);
  const to = from + offset;
  if (to < 0 || to >= items.length) return;
  const order = items.map((entry) => entry.dataset.videoId);
  [order[from], order[to]] = [order[to], order[from]];
  status.textContent = '';
  try {
    await request('PUT', `${path}/order`, { video_ids: order }, await csrfToken());
    if (offset < 0) list.insertBefore(item, items[to]); else list.insertBefore(items[to], item);
    refreshButtons();
    const button = item.querySelector(offset < 0 ? '.item-up' : '.item-down');
    (button.disabled ? item.querySelector(offset < 0 ? '.item-down' : '.item-up') : button)?.focus();
  } catch (failure) {
    status.textContent = failure.message;
  }
}

list?.addEventListener('click', async (event) => {
  const button = event.target.closest('button');
  if (!button) return;
  const item = button.closest('.playlist-item');
  if (button.classList.contains('item-up')) await move(item, -1);
  if (button.classList.contains('item-down')) await move(item, 1);
  if (button.classList.contains('item-remove')) {
    button.disabled = true;
    try {
      await request('DELETE', `${path}/items/${encodeURIComponent(item.dataset.videoId)}`, undefined, await csrfToken());
      item.remove();
      refreshButtons();
      status.textContent = 'Removed.';
    } catch (failure) {
      status.textContent = failure.message;
      button.disabled = false;
    }
  }
});

const form = document.getElementById('playlist-edit');
form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const saved = document.getElementById('edit-saved');
  saved.textContent = '';
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const updated = await request('PATCH', path, { title: form.elements.title.value.trim(), visibility: form.elements.visibility.value }, await csrfToken());
    document.getElementById('playlist-heading').textContent = updated.title;
    document.title = updated.title;
    saved.textContent = 'Saved.';
  } catch (failure) {
    saved.textContent = failure.message;
  } finally {
    button.disabled = false;
  }
});

const confirmBox = document.getElementById('playlist-delete-confirm');
const deleteStart = document.getElementById('playlist-delete-start');
deleteStart?.addEventListener('click', () => {
  confirmBox.hidden = false;
  document.getElementById('playlist-delete-no').focus();
});
document.getElementById('playlist-delete-no')?.addEventListener('click', () => {
  confirmBox.hidden = true;
  deleteStart.focus();
});
document.getElementById('playlist-delete-yes')?.addEventListener('click', async (event) => {
  event.target.disabled = true;
  try {
    await request('DELETE', path, undefined, await csrfToken());
    location.href = '/playlists';
  } catch (failure) {
    status.textContent = failure.message;
    event.target.disabled = false;
  }
});
