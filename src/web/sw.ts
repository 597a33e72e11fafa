/*
 * Service worker of the web verifier: after the first visit the page, its script, the decoder's WASM and the
 * latest trust bundle come from the cache, so the verifier keeps working with no network. The app shell is served
 * cache-first and refreshed in the background; the trust bundle network-first (a newer one wins when online).
 */
import { cacheFirst, dropEarlierCaches, precacheOnInstall, sameOriginGetPath, workerScope } from './worker-scope.js';

const sw = workerScope();

const CACHE = 'tanda-verifier-v2';
const SHELL = ['/verify', '/verify/app.js', '/verify/app.css', '/verify/zxing_reader.wasm'];
// pdf.js is large and needed only for PDFs: cached the first time it is used, not on install.
const ON_USE = ['/verify/pdf.mjs', '/verify/pdf.worker.mjs'];
const BUNDLE = '/trust-bundle';

precacheOnInstall(sw, CACHE, [...SHELL, BUNDLE]);
// Earlier shell caches go; the page's own store of verification data ('tanda-data') stays.
dropEarlierCaches(sw, 'tanda-verifier-', CACHE);

sw.addEventListener('fetch', (e) => {
  const path = sameOriginGetPath(sw, e);
  if (path === undefined) return;
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
  e.respondWith(cacheFirst(CACHE, e, path));
});
