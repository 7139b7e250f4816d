/* Kirana service worker (hand-written, no build step).
 * - App shell: index.html and the JS/CSS it references are cached at install; navigations are
 *   network-first with the cached shell as the fallback, so a reload with no network still starts.
 * - Hashed assets (/assets/*), icons and the demo catalog's pictures (/media/art/*): cache-first
 *   (their names change when their content does; a new set comes with a new VERSION).
 * - Catalog, cart and order reads and the map's streets (GET /api/v1/...): network-first, the last
 *   good answer is kept and served when the network is gone. Writes are never cached.
 */
const VERSION = 'v1';
const SHELL = `kirana-shell-${VERSION}`;
const API = `kirana-api-${VERSION}`;
const CACHED_API = [
  /^\/api\/v1\/categories$/,
  /^\/api\/v1\/stores(\/|$)/,
  /^\/api\/v1\/serviceability$/,
  /^\/api\/v1\/cart$/,
  /^\/api\/v1\/me(\/addresses)?$/,
  /^\/api\/v1\/orders(\/[^/]+(\/tracking)?)?$/,
  /^\/api\/v1\/config$/,
  /^\/api\/v1\/maps\/streets$/,
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      const res = await fetch('/', { cache: 'no-store' });
      const html = await res.clone().text();
      await cache.put('/index.html', res);
      const assets = [
        ...html.matchAll(/(?:src|href)="(\/(?:assets|icons)\/[^"]+|\/manifest\.webmanifest)"/g),
      ].map((m) => m[1]);
      await cache.addAll([...new Set(assets)]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== SHELL && key !== API) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'clear-api-cache') event.waitUntil(caches.delete(API));
});

async function networkFirst(request, cacheName, fallbackKey) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(fallbackKey ?? request, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(fallbackKey ?? request);
    if (hit) return hit;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (request.mode === 'navigate') {
    if (/^\/(api|docs|redoc|healthz|readyz|ws|graphql|openapi)/.test(path)) return;
    event.respondWith(networkFirst(request, SHELL, '/index.html'));
    return;
  }
  if (
    path.startsWith('/assets/') ||
    path.startsWith('/icons/') ||
    path.startsWith('/media/art/') ||
    path === '/manifest.webmanifest'
  ) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (CACHED_API.some((re) => re.test(path))) {
    event.respondWith(networkFirst(request, API));
  }
});

// Web Push (docs/notifications.md): the server sends {title, body, data: {url, order_id}, tag},
// encrypted for this browser; show it, and open the order when it is tapped.
self.addEventListener('push', (event) => {
  let message = { title: 'Kirana', body: '', data: {}, tag: undefined };
  try {
    message = { ...message, ...event.data.json() };
  } catch {
    if (event.data) message.body = event.data.text();
  }
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: message.body,
      tag: message.tag,
      data: message.data,
      icon: '/icons/icon-192.png',
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const target = data.order_id ? `/orders/${data.order_id}` : '/';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if ('focus' in client) {
          await client.navigate(target);
          return client.focus();
        }
      }
      return self.clients.openWindow(target);
    })(),
  );
});
