import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { TandaError } from '../errors.js';
import type { RemoteDocument } from '../jsonld/loader.js';
import type { Signer } from '../keys/signer.js';
import type { TypeTableLoader } from '../qr/type-table.js';
import { startModuleWorker } from '../worker-thread.js';
import type { PresentationProof } from './presentation.js';
import type { QrPhase } from './qr-phase.js';
import { fromWire, toWire, type CredentialJobOptions, type HostFunction, type ProofJob, type ToHost, type ToWorker } from './proof-messages.js';
import type { SignedCredential } from './sign.js';
import type { ProofPhase } from './verify.js';

/*
 * Why a pool: verifying or signing a credential is milliseconds of pure CPU (RDFC canonicalisation) that, on the
 * main thread, both caps the service at one core and holds every other request behind it. The workers take that
 * part; the main thread keeps parsing requests and answering the database questions the workers ask (HostCall in
 * proof-worker.ts). A worker runs a few jobs at once so that it computes while one of them waits for an answer.
 * Beyond `maxQueue` waiting jobs new ones are refused (verification_busy, 503 with Retry-After): a queue without a
 * bound only turns overload into timeouts and memory.
 */

/** What the workers may ask of the main thread (besides signatures, which come from each job's signer). */
export interface ProofHost {
  load(url: string): Promise<RemoteDocument>;
}

/** Where a job's documents and type tables come from when not from the pool's host (a trust bundle). */
export interface JobSource {
  load?: ProofHost['load'];
  typeTable?: TypeTableLoader;
}

/** A presentation's own checks and the proof phase of each credential in it. */
export interface PresentationProofPhase extends PresentationProof {
  phases: ProofPhase[];
}

export interface ProofPoolOptions {
  /** Worker threads; the available cores by default. */
  size?: number;
  /** Verifications waiting for a worker beyond which new ones are refused with verification_busy. */
  maxQueue?: number;
  /** Jobs one worker runs at once (they interleave while waiting for the main thread). */
  perWorker?: number;
}

export interface ProofPoolStats {
  size: number;
  workers: number;
  running: number;
  queued: number;
  maxQueue: number;
}

type JobInput = ProofJob extends infer J ? (J extends ProofJob ? Omit<J, 'id'> : never) : never;

interface Pending {
  job: ProofJob;
  signer?: Signer;
  /** Answers this job's document and type table requests instead of the pool's host (e.g. a trust bundle's). */
  source?: JobSource;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  running: Map<number, Pending>;
  /** Settles when the worker has loaded (its 'ready' message) or is gone. */
  loaded: Promise<void>;
}

export class ProofPool {
  readonly size: number;
  readonly maxQueue: number;
  private readonly perWorker: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;
  private warming: Promise<void> | undefined;
  /** A name per type table loader (one per trust bundle), under which workers keep the tables they were given. */
  private readonly tableSets = new WeakMap<TypeTableLoader, number>();
  private nextTableSet = 0;

  constructor(
    private readonly host: ProofHost,
    options: ProofPoolOptions = {},
  ) {
    this.size = Math.max(1, options.size ?? os.availableParallelism());
    this.maxQueue = Math.max(0, options.maxQueue ?? 256);
    this.perWorker = Math.max(1, options.perWorker ?? 4);
  }

  /**
   * verify.ts verifyProofs on a worker. `source` answers the documents the worker does not hold (a did:web issuer's
   * DID document) when they must come from somewhere else than the pool's host: POST /verify/qr checks against the
   * trust bundle, as offline verifiers do.
   */
  verifyProofs(input: unknown, options: CredentialJobOptions, source?: Pick<ProofHost, 'load'>): Promise<ProofPhase> {
    return this.submit({ kind: 'credential', input, options }, source) as Promise<ProofPhase>;
  }

  /**
   * qr-phase.ts decodeAndProve on a worker: a certificate's QR text decoded and its credential's proofs checked in one
   * job. The worker asks `source` for the type tables the payload names (and keeps them while `source.typeTable` is
   * the same loader: a trust bundle's tables never change, a new bundle comes with a new loader) and for documents.
   */
  verifyQr(text: string, options: CredentialJobOptions, source: { load: ProofHost['load']; typeTable: TypeTableLoader }): Promise<QrPhase> {
    let tables = this.tableSets.get(source.typeTable);
    if (tables === undefined) this.tableSets.set(source.typeTable, (tables = this.nextTableSet++));
    return this.submit({ kind: 'qr', text, tables, options }, source) as Promise<QrPhase>;
  }

  /** A presentation's own proof and its credentials' proof phases on a worker. */
  verifyPresentationProofs(input: unknown, options: CredentialJobOptions, binding: { challenge?: string | undefined; domain?: string | undefined }): Promise<PresentationProofPhase> {
    return this.submit({
      kind: 'presentation',
      input,
      options,
      ...(binding.challenge !== undefined ? { challenge: binding.challenge } : {}),
      ...(binding.domain !== undefined ? { domain: binding.domain } : {}),
    }) as Promise<PresentationProofPhase>;
  }

  /**
   * Signing runs inside the issuing transaction, which holds the database (SQLite's one connection), while verify
   * jobs may be waiting on the database for a did:web document: a signature queued behind them would wait forever.
   * So it starts at once on the least busy worker, past the per-worker and queue bounds.
   */
  sign(credential: Record<string, unknown>, signer: Signer, created: string | null): Promise<SignedCredential> {
    if (this.closed) return Promise.reject(new TandaError('internal', 'the verification pool is closed'));
    const job: ProofJob = { id: this.nextId++, kind: 'sign', credential, created, signer: { id: signer.id, algorithm: signer.algorithm } };
    return new Promise((resolve, reject) => {
      const slot = this.slots.length < this.size ? this.spawn() : this.slots.reduce((a, b) => (b.running.size < a.running.size ? b : a));
      this.start(slot, { job, signer, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /**
   * Starts every worker now rather than on first use (each loads its libraries and contexts, about a second of CPU,
   * which the first requests would otherwise wait for); settles when all have loaded. Until then `warming` is true.
   */
  warmUp(): Promise<void> {
    while (!this.closed && this.slots.length < this.size) this.spawn();
    const warming = Promise.all(this.slots.map((s) => s.loaded)).then(() => undefined);
    this.warming = warming;
    void warming.then(() => {
      if (this.warming === warming) this.warming = undefined;
    });
    return warming;
  }

  /** Whether a warm-up is still waiting for a worker to load. */
  get isWarming(): boolean {
    return this.warming !== undefined;
  }

  stats(): ProofPoolStats {
    const running = this.slots.reduce((n, s) => n + s.running.size, 0);
    return { size: this.size, workers: this.slots.length, running, queued: this.queue.length, maxQueue: this.maxQueue };
  }

  /** Stops every worker; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new TandaError('internal', 'the verification pool was closed before this job finished');
    for (const pending of this.queue.splice(0)) pending.reject(stopped);
    const slots = this.slots.splice(0);
    for (const slot of slots) for (const pending of slot.running.values()) pending.reject(stopped);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private submit(input: JobInput, source?: JobSource): Promise<unknown> {
    if (this.closed) return Promise.reject(new TandaError('internal', 'the verification pool is closed'));
    // Only jobs that cannot start at once count against the bound.
    if (this.queue.length >= this.maxQueue && this.full()) return Promise.reject(new TandaError('verification_busy'));
    const job = { ...input, id: this.nextId++ } as ProofJob;
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject, ...(source ? { source } : {}) });
      this.dispatch();
    });
  }

  /** The least busy worker with room, or a new one while the pool is below its size; undefined when all are full. */
  private slotFor(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (s.running.size < this.perWorker && (!best || s.running.size < best.running.size)) best = s;
    // An idle new worker beats a busy old one.
    if ((!best || best.running.size > 0) && this.slots.length < this.size) return this.spawn();
    return best;
  }

  private full(): boolean {
    return this.slots.length >= this.size && this.slots.every((s) => s.running.size >= this.perWorker);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slotFor();
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot, pending: Pending): void {
    slot.running.set(pending.job.id, pending);
    // Referenced only while busy: an idle pool never keeps a CLI or test process alive, a running job does.
    slot.worker.ref();
    slot.worker.postMessage(pending.job satisfies ToWorker);
  }

  private spawn(): Slot {
    let loaded!: () => void;
    const slot: Slot = { worker: startModuleWorker(import.meta.url, 'proof-worker'), running: new Map(), loaded: new Promise((resolve) => (loaded = resolve)) };
    slot.worker.unref();
    slot.worker.on('message', (message: ToHost) => {
      if (message.type === 'ready') {
        loaded();
        return;
      }
      if (message.type === 'call') {
        this.answer(slot, message.call, message.fn, message.args);
        return;
      }
      const pending = slot.running.get(message.id);
      if (!pending) return;
      slot.running.delete(message.id);
      if (slot.running.size === 0) slot.worker.unref();
      if (message.ok) pending.resolve(message.value);
      else pending.reject(fromWire(message.error));
      this.dispatch();
    });
    // A worker that dies (uncaught error, out of memory) fails its own jobs only; the next job starts a fresh one.
    const lost = (cause: unknown) => {
      loaded();
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      this.slots.splice(index, 1);
      for (const pending of slot.running.values()) pending.reject(new TandaError('internal', 'a verification worker stopped unexpectedly', { cause }));
      slot.running.clear();
      if (!this.closed) this.dispatch();
    };
    slot.worker.on('error', lost);
    slot.worker.on('exit', (code) => lost(new Error(`verification worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private answer(slot: Slot, call: number, fn: HostFunction, args: unknown[]): void {
    let result: Promise<unknown>;
    try {
      if (fn === 'sign') {
        const [jobId, data] = args as [number, Uint8Array];
        const signer = slot.running.get(jobId)?.signer;
        result = signer ? signer.sign({ data }) : Promise.reject(new TandaError('internal', 'no signer for this job'));
      } else if (fn === 'typeTable') {
        const [registryEntryId, jobId] = args as [number, number];
        const typeTable = slot.running.get(jobId)?.source?.typeTable;
        result = typeTable ? typeTable({ registryEntryId }) : Promise.reject(new TandaError('internal', 'no type tables for this job'));
      } else {
        const [url, jobId] = args as [string, number | undefined];
        const load = (jobId !== undefined ? slot.running.get(jobId)?.source?.load : undefined) ?? this.host.load.bind(this.host);
        result = load(url);
      }
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (value) => slot.worker.postMessage({ type: 'return', call, ok: true, value } satisfies ToWorker),
      (error: unknown) => slot.worker.postMessage({ type: 'return', call, ok: false, error: toWire(error) } satisfies ToWorker),
    );
  }
}
