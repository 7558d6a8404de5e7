// Subscribe / Unsubscribe buttons (channel and watch pages): PUT or DELETE
// /api/v1/channels/{id}/subscription, then the button and the subscriber count follow the
// API's answer. Signed-out pages have a sign-in link instead of the button.
import { request, csrfToken } from './api.js';

function countText(count) {
  return count === 1 ? '1 subscriber' : `${count} subscribers`;
}

async function toggle(button) {
  const channel = button.dataset.channelId;
  const subscribed = button.dataset.subscribed === 'true';
  const path = `/api/v1/channels/${encodeURIComponent(channel)}/subscription`;
  button.disabled = true;
  const status = button.parentElement.querySelector('.subscribe-error');
  if (status) status.textContent = '';
  try {
    const csrf = await csrfToken();
    if (subscribed) {
      await request('DELETE', path, undefined, csrf);
    } else {
      await request('PUT', path, undefined, csrf);
    }
    const now = !subscribed;
    button.dataset.subscribed = String(now);
    button.textContent = now ? 'Unsubscribe' : 'Subscribe';
    const details = await request('GET', `/api/v1/channels/${encodeURIComponent(channel)}`);
    for (const count of document.querySelectorAll('.subscriber-count')) count.textContent = countText(details.subscriber_count);
  } catch (failure) {
    if (status) status.textContent = failure.message;
  } finally {
    button.disabled = false;
  }
}

for (const button of document.querySelectorAll('button.subscribe-button')) {
  button.addEventListener('click', () => toggle(button));
}
