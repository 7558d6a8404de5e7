// The header's bell: the unread count, read once per page. The notifications page also keeps
// it current with the notification stream (GET /api/v1/me/notifications/events, Server-Sent
// Events; EventSource reconnects by itself and resumes after the last id it saw): only that
// page holds a connection open, so the others leave the browser's six per host to the player.
import { request } from './api.js';

function show(count) {
  const badge = document.getElementById('bell-badge');
  if (!badge) return;
  badge.hidden = !count;
  badge.textContent = count > 99 ? '99+' : String(count);
  document.getElementById('bell').setAttribute('aria-label', count ? `Notifications, ${count} unread` : 'Notifications');
}

export function watchBell() {
  if (!document.getElementById('bell-badge')) return;
  request('GET', '/api/v1/me/notifications?limit=1').then((page) => show(page.unread_count)).catch(() => {});
}

/// Opens the stream: new notifications as `kinora:notification` events on the document, the
/// unread count on the bell.
export function listenLive() {
  if (!('EventSource' in window)) return;
  const stream = new EventSource('/api/v1/me/notifications/events');
  stream.addEventListener('unread', (event) => {
    try { show(JSON.parse(event.data).unread_count); } catch { /* a damaged event changes nothing */ }
  });
  stream.addEventListener('notification', (event) => {
    try { document.dispatchEvent(new CustomEvent('kinora:notification', { detail: JSON.parse(event.data) })); } catch { /* ignored */ }
  });
}
