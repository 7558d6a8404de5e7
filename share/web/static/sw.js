// Kinora's service worker (scope `/`, registered by site.js). It keeps the app shell (styles,
// scripts, icons and the offline page) so that the installed app opens and says it is offline
// instead of showing the browser's error. It keeps nothing else: pages carry who is signed in
// (the server sends them `no-store`), the API answers with account data, and media
// (/streams/) is large and access-controlled; those always come from the network and are
// never written to a cache.
const SHELL = 'kinora-shell-v1'; // a new name when PRECACHE changes: the old cache is dropped
const OFFLINE = '/static/offline.html';
const PRECACHE = [
  OFFLINE, '/static/app.webmanifest', '/static/favicon.svg',
  '/static/icons/icon-192.png', '/static/icons/icon-512.png', '/static/icons/icon-maskable-512.png',
  '/static/css/site.css', '/static/css/viewer.css', '/static/css/player.css',
  '/static/js/site.js', '/static/js/api.js', '/static/js/offline.js',
  '/static/js/watch.js', '/static/js/watch-social.js', '/static/js/subscribe.js',
  '/static/player/player.js', '/static/player/manifest.js', '/static/player/hls.js', '/static/player/dash.js',
  '/static/player/abr.js', '/static/player/controls.js', '/static/player/transport.js', '/static/player/trickplay.js',
  '/static/player/audio.js', '/static/player/session.js', '/static/player/touch.js',
];
// Requests the worker never answers: with static routing (Chromium 123+) the browser sends
// them to the network without even starting the worker; elsewhere the fetch handler lets them pass.
const NETWORK_ONLY = ['/streams/', '/api/'];

self.addEventListener('install', (event) => {
  if (event.addRoutes && self.URLPattern) {
    event.addRoutes(NETWORK_ONLY.map((prefix) => ({
      condition: { urlPattern: new URLPattern({ pathname: `${prefix}*` }) }, source: 'network',
    }))).catch(() => {});
  }
  // `no-cache`: revalidate with the server, so an upgrade's files replace the HTTP cache's.
  event.waitUntil(caches.open(SHELL)
    .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'no-cache' }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('kinora-shell-') && name !== SHELL) await caches.delete(name);
    }
    // Navigations start on the network while the worker wakes up.
    await self.registration.navigationPreload?.enable();
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) {
    // A navigation the browser may already be preloading: let it finish, unused and unwarned.
    if (request.mode === 'navigate') event.waitUntil(Promise.resolve(event.preloadResponse).catch(() => {}));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith('/static/') && !request.headers.has('range')) {
    event.respondWith(shellFile(event));
  }
});

/// Pages: always the network (never stored); the offline page when it cannot be reached.
async function navigate(event) {
  try {
    return (await event.preloadResponse) || await fetch(event.request);
  } catch (error) {
    const offline = await caches.match(OFFLINE);
    if (offline) return offline;
    throw error;
  }
}

/// App files: the network first, so an upgrade shows at once (the HTTP cache and ETags keep
/// that cheap), keeping each answer for the time the network is gone.
async function shellFile(event) {
  const cache = await caches.open(SHELL);
  try {
    const response = await fetch(event.request);
    if (response.ok && response.type === 'basic') event.waitUntil(cache.put(event.request, response.clone()));
    return response;
  } catch (error) {
    const kept = await cache.match(event.request, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

// Web Push (org.kinora.notify-webpush): the payload is {"title", "body", "url", "tag"}. A push
// that is not JSON still shows, with the site's name; a click opens (or focuses) its page.
self.addEventListener('push', (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch { message = { body: event.data?.text() }; }
  event.waitUntil(self.registration.showNotification(message.title || 'Kinora', {
    body: message.body || '', tag: message.tag, data: { url: message.url || '/notifications' },
    icon: '/static/icons/icon-192.png',
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/notifications', self.location.origin);
  // Only pages of this site: a payload cannot send the click elsewhere.
  const url = target.origin === self.location.origin ? target.href : new URL('/notifications', self.location.origin).href;
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: 'window' })) {
      if (client.url === url && 'focus' in client) return client.focus();
    }
    return self.clients.openWindow(url);
  })());
});
