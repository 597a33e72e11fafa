import { ERRORS, isTandaError, TandaError, type ErrorCode } from '../errors.js';
import { DocumentNotFoundError } from '../jsonld/loader.js';
import type { VcApiCheck } from './verify.js';

/* The messages between ProofPool (main thread) and proof-worker.ts. */

/**
 * What the worker may ask the main thread for: a document it does not hold, a QR job's CBOR-LD type table, or a
 * signature (each names its job).
 */
export type HostFunction = 'load' | 'typeTable' | 'sign';

export interface CredentialJobOptions {
  checks?: VcApiCheck[];
  /** ISO instant; absent → the worker's clock. */
  now?: string;
  inlineContexts?: boolean;
  /** Check relatedResource digests against the bundled contexts. */
  resourceBytes: boolean;
  /** The contexts a credential may use, when not all of the worker's bundled ones (a trust bundle's list). */
  knownContexts?: string[];
}

export type ProofJob =
  | { id: number; kind: 'credential'; input: unknown; options: CredentialJobOptions }
  | { id: number; kind: 'presentation'; input: unknown; challenge?: string; domain?: string; options: CredentialJobOptions }
  /**
   * A certificate's QR text, decoded and its credential's proofs checked (qr-phase.ts). `tables` names the set of
   * type tables the job's source answers from (one per trust bundle): the worker keeps the tables it was given under
   * that name, and asks again under a new one.
   */
  | { id: number; kind: 'qr'; text: string; tables: number; options: CredentialJobOptions }
  | { id: number; kind: 'sign'; credential: Record<string, unknown>; created: string | null; signer: { id: string; algorithm: 'Ed25519' } };

/** Errors cross the thread boundary as data. `code` is a TandaError code, or a DocumentNotFoundError's. */
export interface WireError {
  name?: string;
  code?: string;
  message: string;
  url?: string;
  details?: unknown;
}

export type ToHost =
  /** Sent once, when the worker has loaded its libraries and contexts and takes jobs. */
  | { type: 'ready' }
  | { type: 'call'; call: number; fn: HostFunction; args: unknown[] }
  | { type: 'done'; id: number; ok: true; value: unknown }
  | { type: 'done'; id: number; ok: false; error: WireError };

export type ToWorker = ProofJob | { type: 'return'; call: number; ok: true; value: unknown } | { type: 'return'; call: number; ok: false; error: WireError };

export function toWire(error: unknown): WireError {
  if (isTandaError(error)) return { name: 'TandaError', code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) };
  if (error instanceof DocumentNotFoundError) return { name: error.name, code: error.code, message: error.message, url: error.url };
  return { message: error instanceof Error ? error.message : String(error) };
}

export function fromWire(error: WireError): Error {
  if (error.name === 'DocumentNotFoundError' && error.url) return new DocumentNotFoundError(error.code as DocumentNotFoundError['code'], error.url);
  if (error.name === 'TandaError' && error.code && error.code in ERRORS) return new TandaError(error.code as ErrorCode, error.message, { details: error.details });
  return new Error(error.message);
}
