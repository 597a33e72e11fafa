import { AsyncLocalStorage } from 'node:async_hooks';
import { parentPort } from 'node:worker_threads';
import './node-ed25519.js';
import { bundledContextBytes, bundledContexts, createDocumentLoader } from '../jsonld/index.js';
import type { Signer } from '../keys/signer.js';
import type { TypeTable, TypeTableLoader } from '../qr/type-table.js';
import { embeddedCredentials, verifyPresentationProof } from './presentation.js';
import { decodeAndProve } from './qr-phase.js';
import { signCredential, signingInputError } from './sign.js';
import { fromWire, toWire, type CredentialJobOptions, type HostFunction, type ProofJob, type ToHost, type ToWorker } from './proof-messages.js';
import { verifyProofs, type ProofOptions } from './verify.js';

/*
 * The CPU-heavy half of verification and signing (RDFC canonicalisation, signature checks), on a worker thread: a
 * credential's proof phase (verify.ts verifyProofs), a presentation's own proof and its credentials' proof phases,
 * a certificate's QR text decoded (CBOR-LD) and its credential's proof phase, and signing. The registry half (key
 * state, issuer, registry checks, status) runs on the main thread, which holds the database, over the plain result.
 * The worker asks the main thread only for documents other than the bundled contexts and did:key (a registry
 * did:web), for the CBOR-LD type tables a QR payload names and, when signing, for the signature over the bytes it
 * hashed: the private key never enters this thread. This module imports no database, server or key store.
 */

const port = parentPort;
if (!port) throw new Error('proof-worker.ts runs inside a worker thread started by ProofPool');

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
let nextCall = 0;

function host<T>(fn: HostFunction, ...args: unknown[]): Promise<T> {
  const call = nextCall++;
  return new Promise<T>((resolve, reject) => {
    pending.set(call, { resolve: resolve as (v: unknown) => void, reject });
    port!.postMessage({ type: 'call', call, fn, args } satisfies ToHost);
  });
}

const contexts = bundledContexts();
/*
 * One loader for the worker's life: the canonical-form memo (suite.ts) belongs to a loader, so every job shares it,
 * and an Open Badges cohort's achievement is canonicalised once per worker. Bundled contexts and did:key are
 * answered here; anything else comes from the main thread's loader.
 */
const local = createDocumentLoader({ contexts });
/** The job a document request belongs to: the main thread may answer it from that job's own source (a trust bundle). */
const currentJob = new AsyncLocalStorage<number>();
const documentLoader = async (url: string) => {
  if (contexts.has(url) || url.startsWith('did:key:')) return local(url);
  return host<Awaited<ReturnType<typeof local>>>('load', url, currentJob.getStore());
};
const bundledKnown: ReadonlySet<string> = new Set(contexts.keys());
const knownSets = new Map<string, ReadonlySet<string>>();
/** A job's own list of known contexts as a set, kept by content (the same trust bundle sends the same list). */
function knownContextsOf(list: string[] | undefined): ReadonlySet<string> {
  if (!list) return bundledKnown;
  const key = list.join('\n');
  let set = knownSets.get(key);
  if (!set) {
    if (knownSets.size >= 16) knownSets.delete(knownSets.keys().next().value!);
    set = new Set(list);
    knownSets.set(key, set);
  }
  return set;
}

/*
 * Type tables by the name of the set they came from (a trust bundle's, ProofPool.verifyQr), as the main thread gave
 * them: a table of a set never changes, so each is asked for once per set, and a table published since comes with
 * the next bundle's set. Only tables found are kept (an unknown id is asked again), and only the last two sets (a
 * bundle and the one that just replaced it), so a worker holds no more tables than the bundles in use name.
 */
const tableSets = new Map<number, Map<number, TypeTable>>();
function typeTableLoader(set: number, job: number): TypeTableLoader {
  let held = tableSets.get(set);
  if (!held) {
    if (tableSets.size >= 2) tableSets.delete(tableSets.keys().next().value!);
    held = new Map();
    tableSets.set(set, held);
  }
  const tables = held;
  return async ({ registryEntryId }) => {
    const known = tables.get(registryEntryId);
    if (known) return known;
    const table = await host<TypeTable | undefined>('typeTable', registryEntryId, job);
    if (table) tables.set(registryEntryId, table);
    return table;
  };
}

function proofOptions(options: CredentialJobOptions): ProofOptions {
  return {
    documentLoader,
    knownContexts: knownContextsOf(options.knownContexts),
    ...(options.checks ? { checks: options.checks } : {}),
    ...(options.now ? { now: new Date(options.now) } : {}),
    ...(options.inlineContexts ? { inlineContexts: true } : {}),
    ...(options.resourceBytes ? { resourceBytes: bundledContextBytes } : {}),
  };
}

async function run(job: ProofJob): Promise<unknown> {
  switch (job.kind) {
    case 'credential':
      return verifyProofs(job.input, proofOptions(job.options));
    case 'presentation': {
      const own = await verifyPresentationProof(job.input, { documentLoader, challenge: job.challenge, domain: job.domain });
      const options = proofOptions(job.options);
      const phases = own.malformed ? [] : await Promise.all(embeddedCredentials(job.input).map((c) => verifyProofs(c, options)));
      return { ...own, phases };
    }
    case 'qr':
      return decodeAndProve(job.text, { ...proofOptions(job.options), typeTableLoader: typeTableLoader(job.tables, job.id) });
    case 'sign': {
      // The private key never enters the worker: it hashes, the main thread signs the 64 bytes.
      const signer: Signer = { ...job.signer, sign: ({ data }) => host<Uint8Array>('sign', job.id, data) };
      return signCredential(job.credential, { signer, documentLoader, created: job.created }).catch((e: unknown) => {
        throw signingInputError(e) ?? e;
      });
    }
  }
}

port.on('message', (message: ToWorker) => {
  if ('type' in message) {
    const waiting = pending.get(message.call);
    if (!waiting) return;
    pending.delete(message.call);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(fromWire(message.error));
    return;
  }
  currentJob.run(message.id, () => run(message)).then(
    (value) => port.postMessage({ type: 'done', id: message.id, ok: true, value } satisfies ToHost),
    (error: unknown) => port.postMessage({ type: 'done', id: message.id, ok: false, error: toWire(error) } satisfies ToHost),
  );
});
port.postMessage({ type: 'ready' } satisfies ToHost);
