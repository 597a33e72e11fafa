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
