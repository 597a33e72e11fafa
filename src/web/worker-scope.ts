/*
 * The service-worker global as both workers (the verifier's and the returnee space's) use it: TypeScript's DOM
 * library has no ServiceWorkerGlobalScope without the WebWorker library, which would clash with the DOM one.
 */
export interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
export interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response> | Response): void;
}
export interface WorkerScope {
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}

export const workerScope = (): WorkerScope => self as unknown as WorkerScope;

/** Install: the shell goes into `cache` before the worker takes over. */
export function precacheOnInstall(sw: WorkerScope, cache: string, urls: readonly string[]): void {
  sw.addEventListener('install', (e) => {
    e.waitUntil(
      caches
        .open(cache)
        .then((c) => c.addAll([...urls]))
        .then(() => sw.skipWaiting()),
    );
  });
}

/** Activate: this worker's earlier caches (same `prefix`, another version) go; other caches of the origin stay. */
export function dropEarlierCaches(sw: WorkerScope, prefix: string, cache: string): void {
  sw.addEventListener('activate', (e) =>
    e.waitUntil(
      caches
        .keys()
        .then((names) => Promise.all(names.filter((n) => n.startsWith(prefix) && n !== cache).map((n) => caches.delete(n))))
        .then(() => sw.clients.claim()),
    ),
  );
}

/** The same-origin GET path a fetch event asks for (trailing slashes dropped), or undefined for anything else. */
export function sameOriginGetPath(sw: WorkerScope, e: FetchEvent): string | undefined {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== sw.location.origin) return undefined;
  return url.pathname.replace(/\/+$/, '') || '/';
}

/** Cache-first, refreshed in the background: the page opens offline, and the next visit gets what the network had. */
export function cacheFirst(cache: string, e: FetchEvent, path: string): Promise<Response> {
  return caches.match(path).then((cached) => {
    const refresh = fetch(e.request)
      .then(async (res) => {
        if (res.ok) await (await caches.open(cache)).put(path, res.clone());
        return res;
      })
      .catch(() => undefined);
    return cached ?? refresh.then((r) => r ?? Response.error());
  });
}
