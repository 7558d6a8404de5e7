// The header's bell: the unread count, kept current by the notification stream
// (GET /api/v1/me/notifications/events, Server-Sent Events; EventSource reconnects by itself
// and resumes after the last id it saw). Pages without a signed-in account have no bell.
import { request } from './api.js';

export function watchBell() {
  const badge = document.getElementById('bell-badge');
  if (!badge) return;
  const bell = document.getElementById('bell');
  const show = (count) => {
    badge.hidden = !count;
    badge.textContent = count > 99 ? '99+' : String(count);
    bell.setAttribute('aria-label', count ? `Notifications, ${count} unread` : 'Notifications');
    document.dispatchEvent(new CustomEvent('kinora:unread', { detail: count }));
  };
  request('GET', '/api/v1/me/notifications?limit=1').then((page) => show(page.unread_count)).catch(() => {});
  if (!('EventSource' in window)) return;
  const stream = new EventSource('/api/v1/me/notifications/events');
  stream.addEventListener('unread', (event) => {
    try { show(JSON.parse(event.data).unread_count); } catch { /* a damaged event changes nothing */ }
  });
  stream.addEventListener('notification', (event) => {
    try { document.dispatchEvent(new CustomEvent('kinora:notification', { detail: JSON.parse(event.data) })); } catch { /* ignored */ }
  });
}
