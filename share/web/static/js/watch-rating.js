// Like and Dislike on the watch page: PUT /api/v1/videos/{id}/rating. Pressing the pressed
// button takes the rating back ("none"); the pressed state shows at once and the counts follow
// the API's answer, which carries both exact counts. Signed-out pages have sign-in links.
import { request, csrfToken } from './api.js';

const bar = document.getElementById('video-rating');
const like = document.getElementById('video-like');
const dislike = document.getElementById('video-dislike');

function show(counts) {
  document.getElementById('video-likes').textContent = String(counts.likes);
  document.getElementById('video-dislikes').textContent = String(counts.dislikes);
  like.setAttribute('aria-pressed', String(counts.my_rating === 'like'));
  dislike.setAttribute('aria-pressed', String(counts.my_rating === 'dislike'));
}

async function rate(button) {
  const wanted = button.getAttribute('aria-pressed') === 'true' ? 'none' : button.dataset.rating;
  const before = { like: like.getAttribute('aria-pressed'), dislike: dislike.getAttribute('aria-pressed') };
  const error = document.getElementById('rating-error');
  error.textContent = '';
  like.setAttribute('aria-pressed', String(wanted === 'like'));
  dislike.setAttribute('aria-pressed', String(wanted === 'dislike'));
  like.disabled = dislike.disabled = true;
  try {
    const path = `/api/v1/videos/${encodeURIComponent(bar.dataset.videoId)}/rating`;
    show(await request('PUT', path, { rating: wanted }, await csrfToken()));
  } catch (failure) {
    like.setAttribute('aria-pressed', before.like);
    dislike.setAttribute('aria-pressed', before.dislike);
    error.textContent = failure.message;
  } finally {
    like.disabled = dislike.disabled = false;
  }
}

if (bar && like?.tagName === 'BUTTON') {
  for (const button of [like, dislike]) button.addEventListener('click', () => rate(button));
}
