// Service worker: caches the static export so the app works offline after the first visit.
/* global self, caches, Response */
//
// On install it caches every file listed in /precache.json (written by scripts/start.mjs);
// pages are served network-first (fresh when online, the cached 404 page for unknown paths
// offline), everything else cache-first (falling back offline to the same file without its query).

const CACHE = 'hwledger-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch('/precache.json', { cache: 'no-store' });
        const urls = response.ok ? await response.json() : ['/'];
        await cache.addAll(urls.filter((url) => typeof url === 'string'));
      } catch {
        await cache.addAll(['/']).catch(() => undefined);
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch {
    const url = new URL(request.url);
    const cached =
      (await cache.match(request, { ignoreSearch: true })) ??
      (await cache.match(url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`));
    return cached ?? (await notFoundPage(cache));
  }
}

/** The app's own 404 page from the cache, for an unknown path opened offline. */
async function notFoundPage(cache) {
  const page = (await cache.match('/404.html')) ?? (await cache.match('/404/'));
  if (!page) return Response.error();
  return new Response(page.body, { status: 404, statusText: 'Not Found', headers: page.headers });
}

/**
 * A copy of a cached response without its URL. Turbopack passes a worker's settings in the
 * worker URL's fragment; a response carrying its own URL would replace the worker's location
 * and lose them.
 */
function detached(response) {
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const worker = request.destination === 'worker' || request.destination === 'sharedworker';
  const cached = await cache.match(request);
  if (cached) return worker ? detached(cached) : cached;
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    // Offline: a file asked for with a version query (the icon's `?icon.…`) is the cached file.
    const sameFile = await cache.match(request, { ignoreSearch: true });
    if (!sameFile) throw error;
    return worker ? detached(sameFile) : sameFile;
  }
  if (response.ok) await cache.put(request, response.clone());
  return worker ? detached(response) : response;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(
    event.request.mode === 'navigate' ? networkFirst(event.request) : cacheFirst(event.request),
  );
});
