/*
 * Service worker of the staff console: the page shell (page, script, styles) is cached on install and served
 * cache-first, refreshed in the background, so the console opens on an assessment day with no network. Case data
 * lives encrypted in IndexedDB (the offline store), never in this cache; API answers are never cached here.
 */
import { cacheFirst, dropEarlierCaches, precacheOnInstall, sameOriginGetPath, workerScope } from '../worker-scope.js';

const sw = workerScope();

const CACHE = 'tanda-console-v1';
const SHELL = ['/console', '/console/app.js', '/console/app.css'];

precacheOnInstall(sw, CACHE, SHELL);
dropEarlierCaches(sw, 'tanda-console-', CACHE);

sw.addEventListener('fetch', (e) => {
  const path = sameOriginGetPath(sw, e);
  if (path === undefined || !SHELL.includes(path)) return;
  e.respondWith(cacheFirst(CACHE, e, path));
});
