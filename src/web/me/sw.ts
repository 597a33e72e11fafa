/*
 * Service worker of the returnee space: the page shell (page, script, styles) is cached on install and served
 * cache-first, refreshed in the background, so /me opens with no network; the certificates and their QR codes are
 * in IndexedDB (src/web/me/store.ts), not here. API calls are never cached (they carry personal data).
 */
import { cacheFirst, dropEarlierCaches, precacheOnInstall, sameOriginGetPath, workerScope } from '../worker-scope.js';

const sw = workerScope();

const CACHE = 'tanda-me-v1';
const SHELL = ['/me', '/me/app.js', '/me/app.css'];

precacheOnInstall(sw, CACHE, SHELL);
dropEarlierCaches(sw, 'tanda-me-', CACHE);

sw.addEventListener('fetch', (e) => {
  const path = sameOriginGetPath(sw, e);
  if (path === undefined || !SHELL.includes(path)) return;
  e.respondWith(cacheFirst(CACHE, e, path));
});
