// The admin console's notifications page: "Send test" asks the channel to deliver a made-up
// message now and shows its outcome (delivered, or why not).
import { request, csrfToken } from './api.js';

for (const form of document.querySelectorAll('form.channel-test')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const output = form.querySelector('.test-result');
    const body = { channel: form.dataset.channel };
    if (form.to.value.trim()) body.to = form.to.value.trim();
    output.textContent = 'Sending…';
    try {
      const outcome = await request('POST', '/api/v1/admin/notifications/test', body, await csrfToken());
      output.textContent = outcome.outcome === 'delivered' ? 'Delivered.' : `${outcome.outcome}: ${outcome.reason || ''}`;
    } catch (error) {
      output.textContent = error.message;
    }
  });
}
