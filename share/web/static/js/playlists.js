// "Your playlists": creates one (POST /api/v1/playlists) and opens it.
import { request, csrfToken } from './api.js';

const form = document.getElementById('playlist-create');
const error = document.getElementById('playlist-error');

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const title = form.elements.title;
  if (!title.value.trim()) {
    error.textContent = 'Give the playlist a title.';
    title.setAttribute('aria-invalid', 'true');
    title.focus();
    return;
  }
  title.removeAttribute('aria-invalid');
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const created = await request('POST', '/api/v1/playlists', { title: title.value.trim(), visibility: form.elements.visibility.value }, await csrfToken());
    location.href = `/playlists/${encodeURIComponent(created.id)}`;
  } catch (failure) {
    error.textContent = failure.message;
    button.disabled = false;
  }
});
