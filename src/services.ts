import './credentials/node-ed25519.js';
import type { Config } from './config.js';
import type { Db, Executor } from './db/database.js';
import { publishTypeTables } from './awards/type-tables.js';
import { inTransaction } from './frameworks/import-errors.js';
import { issueAward } from './awards/award-service.js';
import { ChangeWatch } from './deployment/changes.js';
import { CertificateService } from './certificates/certificate-service.js';
import { registryAwardCheck, type AwardListView } from './awards/award-check.js';
import type { Check } from './credentials/checks.js';
import { CredentialService } from './credentials/service.js';
import { registryTerms, type RegistryTerms } from './credentials/registry-claims.js';
import { issuerId } from './credentials/verify.js';
import { checkCredentialAgainstRegistry } from './frameworks/registry-check.js';
import { loadRegistrySnapshot } from './frameworks/snapshot-loader.js';
import type { RegistrySnapshot } from './frameworks/snapshot.js';
import { findIssuerByDid, registryDidResolver, type IssuerRow } from './issuers/issuers.js';
import { bundledContextBytes, bundledContexts, createDocumentLoader, type DocumentLoader } from './jsonld/index.js';
import { KeyStore } from './keys/key-store.js';
import { loadMasterKey } from './keys/master-key.js';
import { createRplContext, type RplContext } from './rpl/context.js';
import { revocationEntry } from './status/check.js';
import { StatusService, type AwardEntryInfo } from './status/status-service.js';

/**
 * Everything the routes and the CLI need, built once from the validated config. Domain modules receive their
 * collaborators from here rather than importing singletons, so tests build the same graph on a test database.
 */
export interface Services {
  config: Config;
  db: Db;
  keys: KeyStore;
  documentLoader: DocumentLoader;
  knownContexts: ReadonlySet<string>;
  credentials: CredentialService;
  status: StatusService;
  certificates: CertificateService;
  rpl: RplContext;
  /** Changes that verification caches depend on, made here or by another instance (the server polls it). */
  changes: ChangeWatch;
  /** Drops the registry snapshot verification reuses, after a change that must count at once (a key compromise). */
  registryChanged(): void;
  /**
   * Publishes the QR type tables the registry now calls for (awards/type-tables.ts), opening an award list for an
   * accredited body that has none: call it in the transaction that recorded a catalogue entry, an accreditation, an
   * assessment centre, a mapping table or a new key.
   */
  publishTypeTables(ex?: Executor, scope?: { issuerIds?: readonly string[] }): Promise<number[]>;
}

export function createServices(config: Config, db: Db): Services {
  const keys = new KeyStore(db, loadMasterKey({ masterKey: config.masterKey, dataDir: config.dataDir }));
  const documentLoader = createDocumentLoader({
    contexts: bundledContexts(),
    resolveDid: registryDidResolver(db.kysely, keys),
    // Our own status lists come from the database (`status` is declared below; the loader runs only later).
    resolveDocument: (url) => status.documentFor(url),
  });
  const knownContexts = new Set(bundledContexts().keys());
  const registry = cachedRegistrySnapshot(db);
  const changes = new ChangeWatch(db);
  changes.onChange(registry.invalidate);
  const issuerByDid = cachedIssuerByDid(db);
  // The catalogue's names, worked out once per registry snapshot rather than per VC API issuance.
  const terms = new WeakMap<RegistrySnapshot, RegistryTerms>();
  const termsOf = (snapshot: RegistrySnapshot): RegistryTerms => {
    let t = terms.get(snapshot);
    if (!t) terms.set(snapshot, (t = registryTerms(snapshot)));
    return t;
  };
  const credentials = new CredentialService({
    db,
    keys,
    documentLoader,
    knownContexts,
    resourceBytes: bundledContextBytes,
    lookupIssuer: async (did) => {
      const issuer = await issuerByDid.get(did);
      return issuer ? { known: true, name: issuer.name, id: issuer.id } : { known: false };
    },
    registryTerms: async () => termsOf(await registry.get()),
    checkRegistry: async (credential): Promise<Check[]> => [...checkCredentialAgainstRegistry(credential, await registry.get()), await awardCheck(credential)],
    signingKey: (verificationMethod) => keys.keyRecord(verificationMethod),
    ...(config.verifyWorkers > 0 ? { workers: { size: config.verifyWorkers, maxQueue: config.verifyQueue } } : {}),
  });
  // Whether a registry body's credential is an award or was signed through the VC API, from the list its status
  // entry is in (`status` is declared below; this runs only when a credential is verified).
  const awardCheck = async (credential: Record<string, unknown>): Promise<Check> => {
    const issuer = await issuerByDid.get(issuerId(credential) ?? '');
    const entry = revocationEntry(credential);
    const info: AwardEntryInfo | undefined = entry ? await status.awardEntry(entry.statusListCredential, Number(entry.statusListIndex)) : undefined;
    const view: AwardListView | undefined = info && { kind: info.kind, sameBody: info.issuerId === issuer?.id, exception: !info.entryIsAward };
    return registryAwardCheck(credential, view, issuer?.name ?? 'its issuer');
  };
  const status: StatusService = new StatusService({ db, keys, documentLoader, credentials, publicUrl: config.publicUrl, changed: () => changes.notify() });
  credentials.hooks.allocateStatus = async (tx, input) => ({ ...(await status.allocate(tx, input)) });
  credentials.hooks.checkStatus = (credential) => status.checkStatus(credential);
  // RPL certification issues through issueAward (award record + QR type table, so the certificate can be printed).
  const rpl = createRplContext(config, db, credentials, (actor, input) => issueAward({ db, keys, credentials }, actor, input));
  return {
    config,
    db,
    keys,
    documentLoader,
    knownContexts,
    credentials,
    status,
    rpl,
    changes,
    certificates: new CertificateService({ config, db, documentLoader, credentials }),
    registryChanged: () => {
      registry.invalidate();
      issuerByDid.invalidate();
    },
    publishTypeTables: (ex = db.kysely, scope = {}) =>
      inTransaction(ex, (tx) => publishTypeTables(tx, (t, issuerId) => status.openAwardListUrl(t, issuerId), scope.issuerIds ? { issuerIds: scope.issuerIds } : {})),
  };
}

/**
 * The registry changes rarely (imports, accreditations) and a snapshot takes one query per table, so verification
 * reuses it for a short while; a change shows in verification results within REGISTRY_TTL_MS.
 */
const REGISTRY_TTL_MS = 30_000;
function cachedRegistrySnapshot(db: Db): { get(): Promise<RegistrySnapshot>; invalidate(): void } {
  let cached: { at: number; snapshot: Promise<RegistrySnapshot> } | undefined;
  return {
    get() {
      if (!cached || Date.now() - cached.at > REGISTRY_TTL_MS) {
        const snapshot = loadRegistrySnapshot(db.kysely);
        snapshot.catch(() => (cached = undefined));
        cached = { at: Date.now(), snapshot };
      }
      return cached.snapshot;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/**
 * Every verification of a registry body's credential looks its issuer up twice (the issuer check, the award check);
 * bodies are never deleted and a row changes only when a did:key body rotates (its old DID still finds it). So a
 * found body is remembered for a moment; an unknown DID is asked again every time, so a new body counts at once.
 */
const ISSUER_TTL_MS = 2_000;
const ISSUER_CACHE_MAX = 1_000;
function cachedIssuerByDid(db: Db): { get(did: string): Promise<IssuerRow | undefined>; invalidate(): void } {
  const found = new Map<string, { at: number; issuer: IssuerRow }>();
  return {
    async get(did) {
      const known = found.get(did);
      if (known && Date.now() - known.at <= ISSUER_TTL_MS) return known.issuer;
      const issuer = await findIssuerByDid(db.kysely, did);
      if (issuer) {
        if (found.size >= ISSUER_CACHE_MAX) found.clear();
        found.set(did, { at: Date.now(), issuer });
      } else {
        found.delete(did);
      }
      return issuer;
    },
    invalidate() {
      found.clear();
    },
  };
}
