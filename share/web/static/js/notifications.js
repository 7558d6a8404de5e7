// The notifications page: the inbox (newest first, live through the bell's stream), mark as
// read, the choices of what the account hears of on which channel with its quiet hours, and
// this browser's Web Push subscription.
import { request, csrfToken } from './api.js';
import { listenLive } from './bell.js';

const list = document.getElementById('notification-list');
const status = document.getElementById('notifications-status');
const more = document.getElementById('notifications-more');
let cursor = null;

const describe = {
  'video.published': (d) => `New video: ${d.video_title || ''}${d.channel_name ? ` from ${d.channel_name}` : ''}`,
  'comment.reply': (d) => `${d.actor_name || 'Someone'} replied to your comment on ${d.video_title || 'a video'}: ${d.excerpt || ''}`,
  'comment.mention': (d) => `${d.actor_name || 'Someone'} mentioned you on ${d.video_title || 'a video'}: ${d.excerpt || ''}`,
  'moderation.decision': (d) => `A moderator decided about your ${d.target_type || 'content'}: ${d.action || ''} (${d.reason || ''})`,
};

function item(notification, atTop) {
  const li = document.createElement('li');
  li.className = `notification-item${notification.read ? '' : ' unread'}`;
  li.dataset.id = notification.id;
  const data = notification.data || {};
  const text = (describe[notification.event] || (() => notification.event))(data);
  const link = document.createElement(data.video_id ? 'a' : 'span');
  if (data.video_id) link.href = `/watch/${encodeURIComponent(data.video_id)}`;
  link.textContent = text; // never innerHTML: titles and comments are other people's words
  link.addEventListener('click', () => markRead(li));
  const time = document.createElement('time');
  time.dateTime = notification.created_at;
  time.textContent = new Date(notification.created_at).toLocaleString();
  li.append(link, time);
  if (atTop) list.prepend(li); else list.append(li);
  document.getElementById('notifications-empty').hidden = true;
}

async function markRead(li) {
  if (!li.classList.contains('unread')) return;
  li.classList.remove('unread');
  try { await request('POST', `/api/v1/me/notifications/${li.dataset.id}/read`, undefined, await csrfToken()); } catch { /* stays read on screen */ }
}

async function load() {
  try {
    const page = await request('GET', `/api/v1/me/notifications?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    page.items.forEach((n) => item(n, false));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) document.getElementById('notifications-empty').hidden = false;
  } catch (error) {
    status.textContent = error.message;
  }
}

more.addEventListener('click', load);
document.getElementById('read-all').addEventListener('click', async () => {
  try {
    await request('POST', '/api/v1/me/notifications/read-all', undefined, await csrfToken());
    list.querySelectorAll('.unread').forEach((li) => li.classList.remove('unread'));
    document.getElementById('bell-badge').hidden = true;
  } catch (error) {
    status.textContent = error.message;
  }
});
// New ones arrive through the bell's stream while the page is open.
document.addEventListener('kinora:notification', (event) => {
  if (!list.querySelector(`[data-id="${CSS.escape(event.detail.id)}"]`)) item(event.detail, true);
});

// Choices.
const form = document.getElementById('choices-form');
const choicesStatus = document.getElementById('choices-status');
async function loadChoices() {
  const choices = await request('GET', '/api/v1/me/notification-preferences');
  for (const box of form.querySelectorAll('input[type=checkbox][name]')) {
    const [event, kind] = box.name.split('|');
    box.checked = Boolean(choices.events?.[event]?.[kind]);
  }
  document.getElementById('digest-on').checked = Boolean(choices.digest);
  const quiet = choices.quiet_hours;
  document.getElementById('quiet-on').checked = Boolean(quiet);
  if (quiet) {
    document.getElementById('quiet-start').value = quiet.start;
    document.getElementById('quiet-end').value = quiet.end;
  }
}
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = {};
  for (const box of form.querySelectorAll('input[type=checkbox][name]')) {
    const [name, kind] = box.name.split('|');
    (body[name] ||= {})[kind] = box.checked;
  }
  body.digest = document.getElementById('digest-on').checked;
  body.quiet_hours = document.getElementById('quiet-on').checked
    ? { start: document.getElementById('quiet-start').value, end: document.getElementById('quiet-end').value,
        time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' }
    : null;
  try {
    await request('PUT', '/api/v1/me/notification-preferences', body, await csrfToken());
    choicesStatus.textContent = 'Saved.';
  } catch (error) {
    choicesStatus.textContent = error.message;
  }
});

// This browser's Web Push subscription, when the server has a Web Push channel.
async function offerPush() {
  const button = document.getElementById('push-enable');
  const pushStatus = document.getElementById('push-status');
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return;
  const channels = await request('GET', '/api/v1/notify/channels');
  const key = channels.items.find((c) => c.address_kind === 'webpush')?.info?.application_server_key;
  if (!key) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      const registration = await navigator.serviceWorker.ready;
      const raw = Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: raw });
      await request('POST', '/api/v1/me/push-subscriptions', subscription.toJSON(), await csrfToken());
      pushStatus.textContent = 'This browser will show notifications.';
      button.hidden = true;
    } catch (error) {
      pushStatus.textContent = `Notifications could not be turned on here: ${error.message}`;
    }
  });
}

load();
listenLive();
loadChoices().catch((error) => { choicesStatus.textContent = error.message; });
offerPush().catch(() => {});
