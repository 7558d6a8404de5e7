// The watch page's social parts, kept apart from the player's watch.js: the subscribe button,
// "Save to playlist" (an existing playlist, or a new private one made first), and the likes,
// reports and comments of their own modules.
import { request, csrfToken } from './api.js';
import './subscribe.js';
import './watch-rating.js';
import './report.js';
import './comments.js';

const form = document.getElementById('save-form');
const videoID = document.getElementById('player')?.dataset.videoId;

if (form && videoID) {
  const select = form.elements.playlist;
  const newField = document.getElementById('save-new-field');
  const title = document.getElementById('save-new-title');
  const status = document.getElementById('save-status');
  const showNew = () => {
    newField.hidden = select.value !== 'new';
    if (!newField.hidden) title.focus();
  };
  // With no playlists yet "New playlist…" is the only choice: its field shows at once.
  newField.hidden = select.value !== 'new';
  select.addEventListener('change', showNew);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.textContent = '';
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const csrf = await csrfToken();
      let playlist = select.value;
      let name = select.selectedOptions[0]?.textContent || '';
      if (playlist === 'new') {
        if (!title.value.trim()) {
          status.textContent = 'Give the new playlist a title.';
          title.setAttribute('aria-invalid', 'true');
          title.focus();
          return;
        }
        title.removeAttribute('aria-invalid');
        const created = await request('POST', '/api/v1/playlists', { title: title.value.trim(), visibility: 'private' }, csrf);
        playlist = created.id;
        name = created.title;
        const option = new Option(created.title, created.id, true, true);
        select.insertBefore(option, select.querySelector('option[value="new"]'));
        title.value = '';
        newField.hidden = true;
      }
      await request('POST', `/api/v1/playlists/${encodeURIComponent(playlist)}/items`, { video_id: videoID }, csrf);
      status.textContent = `Saved to ${name}.`;
    } catch (failure) {
      status.textContent = failure.type === 'already-in-playlist' ? 'Already in that playlist.' : failure.message;
    } finally {
      button.disabled = false;
    }
  });
}
