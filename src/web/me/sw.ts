/*
 * Service worker of the returnee space: the page shell (page, script, styles) is cached on install and served
 * cache-first, refreshed in the background, so /me opens with no network; the certificates and their QR codes are
 * in IndexedDB (src/web/me/store.ts), not here. API calls are never cached (they carry personal data).
 */
import { workerScope } from '../worker-scope.js';

const sw = workerScope();

const CACHE = 'tanda-me-v1';
const SHELL = ['/me', '/me/app.js', '/me/app.css'];

sw.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => sw.skipWaiting()),
  );
});
sw.addEventListener('activate', (e) =>
  e.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('tanda-me-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => sw.clients.claim()),
  ),
);

sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== sw.location.origin) return;
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (!SHELL.includes(path)) return;
  e.respondWith(
    caches.match(path).then((cached) => {
      const refresh = fetch(e.request)
        .then(async (res) => {
          if (res.ok) await (await caches.open(CACHE)).put(path, res.clone());
          return res;
        })
        .catch(() => undefined);
      return cached ?? refresh.then((r) => r ?? Response.error());
    }),
  );
});
