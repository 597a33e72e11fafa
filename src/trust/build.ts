import type { Executor } from '../db/database.js';
import { loadRegistrySnapshot } from '../frameworks/snapshot-loader.js';
import type { DocumentLoader } from '../jsonld/loader.js';
import { exportTypeTables } from '../qr/type-table-repository.js';
import type { TrustAuthority } from './authority.js';
import { TRUST_BUNDLE_CONTEXT, TRUST_BUNDLE_FORMAT, TRUST_BUNDLE_TYPE, type StatusListSnapshot, type TrustBundle, type UnsignedTrustBundle } from './bundle.js';
import { contextHashes } from './context-hashes.js';
import { signTrustBundle } from './sign.js';

export interface BuildBundleOptions {
  authority: TrustAuthority;
  contexts: ReadonlyMap<string, object>;
  documentLoader: DocumentLoader;
  statusLists: readonly StatusListSnapshot[];
  now?: Date;
  /** How long verifiers may use the bundle before they warn that it is stale. */
  validityDays?: number;
}

export const DEFAULT_BUNDLE_VALIDITY_DAYS = 7;

/** Everything an offline verifier needs except the status lists, which the caller supplies (they have their own module). */
export async function unsignedTrustBundle(ex: Executor, options: Omit<BuildBundleOptions, 'documentLoader'>): Promise<UnsignedTrustBundle> {
  const now = options.now ?? new Date();
  const issued = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString();
  const registry = await loadRegistrySnapshot(ex, { now: issued });
  const typeTables = (await exportTypeTables(ex)).map(({ registryEntryId, source }) => ({ registryEntryId, source }));
  return {
    '@context': [TRUST_BUNDLE_CONTEXT],
    type: TRUST_BUNDLE_TYPE,
    format: TRUST_BUNDLE_FORMAT,
    serial: Date.parse(issued),
    issued,
    validUntil: new Date(Date.parse(issued) + (options.validityDays ?? DEFAULT_BUNDLE_VALIDITY_DAYS) * 86_400_000).toISOString(),
    authority: options.authority.did,
    registry,
    statusLists: [...options.statusLists].sort((a, b) => (a.url < b.url ? -1 : 1)),
    typeTables,
    contexts: await contextHashes(options.contexts),
  };
}

export async function buildTrustBundle(ex: Executor, options: BuildBundleOptions): Promise<TrustBundle> {
  return signTrustBundle(await unsignedTrustBundle(ex, options), options.authority.signer, options.documentLoader);
}
