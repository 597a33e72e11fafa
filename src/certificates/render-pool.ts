import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker-thread.js';
import { ERRORS, TandaError, type ErrorCode } from '../errors.js';
import type { RenderJob, RenderReply } from './render-worker.js';
import type { RenderOptions } from './render.js';
import type { CertificateView } from './view.js';

/*
 * Why a pool of threads: rendering a certificate is ~16 ms of pure CPU (pdfkit drawing, HarfBuzz shaping, zlib
 * deflate of the content streams and font subsets) with no I/O to overlap, so on the main thread it both caps a
 * cohort at one core and blocks the server's event loop for the whole page. Worker threads render on the other
 * cores while the main thread keeps answering requests (and signs and encodes the next credentials); an assessment
 * day's cohort of hundreds of certificates is exactly that many independent renders.
 */

export interface RenderPoolOptions {
  /** Worker threads; min(available cores, 4) by default (more threads than cores only adds contention). */
  size?: number;
  /** Jobs waiting for a free worker beyond which render() refuses with certificate_render_busy. */
  maxQueue?: number;
  templatesDir?: URL;
}

interface Pending {
  job: RenderJob;
  resolve: (pdf: Buffer) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  current?: Pending;
}

const startWorker = () => startModuleWorker(import.meta.url, 'render-worker');

function rebuildError(error: { code?: string; message: string }): TandaError {
  const code = error.code && error.code in ERRORS ? (error.code as ErrorCode) : 'internal';
  return new TandaError(code, error.message);
}

/** Renders certificates on worker threads, one job per worker at a time, started on first use. */
export class RenderPool {
  readonly size: number;
  private readonly maxQueue: number;
  private readonly templatesDir: string | undefined;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  constructor(options: RenderPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(os.availableParallelism(), 4));
    this.maxQueue = options.maxQueue ?? 1000;
    this.templatesDir = options.templatesDir?.href;
  }

  /** Jobs waiting for a free worker (not those being rendered). */
  get queued(): number {
    return this.queue.length;
  }

  /** The same PDF renderCertificate(view) makes, rendered on a worker thread. */
  render(view: CertificateView, options: Pick<RenderOptions, 'templatesDir'> = {}): Promise<Buffer> {
    if (this.closed) return Promise.reject(new TandaError('internal', 'the render pool is closed'));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new TandaError('certificate_render_busy'));
    const templatesDir = options.templatesDir?.href ?? this.templatesDir;
    const job: RenderJob = { id: this.nextId++, view, ...(templatesDir ? { templatesDir } : {}) };
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new TandaError('internal', 'the render pool was closed before this certificate was rendered');
    for (const pending of this.queue.splice(0)) pending.reject(stopped);
    const slots = this.slots.splice(0);
    for (const slot of slots) slot.current?.reject(stopped);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.current);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.current = pending;
      // Referenced only while busy: an idle pool never keeps a CLI or test process alive, a running job does.
      slot.worker.ref();
      slot.worker.postMessage(pending.job);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker() };
    slot.worker.unref();
    slot.worker.on('message', (reply: RenderReply) => {
      const pending = slot.current;
      if (!pending || pending.job.id !== reply.id) return;
      delete slot.current;
      slot.worker.unref();
      if (reply.ok) pending.resolve(Buffer.from(reply.pdf));
      else pending.reject(rebuildError(reply.error));
      this.dispatch();
    });
    // A worker that dies (uncaught error, out of memory) fails its job only; the next job starts a fresh worker.
    const lost = (cause: unknown) => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      this.slots.splice(index, 1);
      slot.current?.reject(new TandaError('internal', 'the certificate renderer stopped unexpectedly', { cause }));
      delete slot.current;
      if (!this.closed) this.dispatch();
    };
    slot.worker.on('error', lost);
    slot.worker.on('exit', (code) => lost(new Error(`render worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }
}
