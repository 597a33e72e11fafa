/*
 * Service worker of the web verifier: after the first visit the page, its script, the decoder's WASM and the
 * latest trust bundle come from the cache, so the verifier keeps working with no network. The app shell is served
 * cache-first and refreshed in the background; the trust bundle network-first (a newer one wins when online).
 */
import { workerScope } from './worker-scope.js';

const sw = workerScope();

const CACHE = 'tanda-verifier-v2';
const SHELL = ['/verify', '/verify/app.js', '/verify/app.css', '/verify/zxing_reader.wasm'];
// pdf.js is large and needed only for PDFs: cached the first time it is used, not on install.
const ON_USE = ['/verify/pdf.mjs', '/verify/pdf.worker.mjs'];
const BUNDLE = '/trust-bundle';

sw.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll([...SHELL, BUNDLE]))
      .then(() => sw.skipWaiting()),
  );
});
// Earlier shell caches go; the page's own store of verification data ('tanda-data') stays.
sw.addEventListener('activate', (e) =>
  e.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('tanda-verifier-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => sw.clients.claim()),
  ),
);

sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== sw.location.origin) return;
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === BUNDLE) {
    e.respondWith(
      fetch(e.request)
        .then(async (res) => {
          if (res.ok) await (await caches.open(CACHE)).put(BUNDLE, res.clone());
          return res;
        })
        .catch(async () => (await caches.match(BUNDLE)) ?? Response.error()),
    );
    return;
  }
  if (!SHELL.includes(path) && !ON_USE.includes(path)) return;
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
