import type { RegistrySnapshot, SnapshotIssuer, SnapshotVerificationMethod } from '../frameworks/snapshot.js';
import type { Qualification } from '../frameworks/types.js';
import type { DidDocument } from '../jsonld/did-key.js';
import { createDocumentLoader, type DocumentLoader } from '../jsonld/loader.js';
import { DID_V1, MULTIKEY_V1 } from '../jsonld/urls.js';
import { typeTableLoaderFrom, type TypeTableLoader } from '../qr/type-table.js';
import type { StatusListSnapshot, TrustBundle } from '../trust/bundle.js';
import { mismatchedContexts } from '../trust/context-hashes.js';

/**
 * Everything the pipeline looks things up in, built once per opened trust bundle (browser-safe). Lookups are
 * indexed here so that a verdict costs the same with 1,000 issuers as with two.
 */
export interface VerifierData {
  bundle: TrustBundle;
  registry: RegistrySnapshot;
  documentLoader: DocumentLoader;
  typeTableLoader: TypeTableLoader;
  /** Contexts both held locally and listed by the registry with the same hash. */
  knownContexts: ReadonlySet<string>;
  /** Listed by the registry but missing here or different from the registry's copy. */
  mismatchedContexts: readonly string[];
  issuerByDid(did: string): SnapshotIssuer | undefined;
  /** The registry's record of a body's key (status, when it was made, retired, compromised), by verification method id. */
  signingKey(verificationMethod: string): SnapshotVerificationMethod | undefined;
  qualification(id: string): Qualification | undefined;
  statusList(url: string): StatusListSnapshot | undefined;
  /** Signature verdicts of status list credentials, computed on first use (lists are signed by their issuers). */
  verifiedLists: Map<string, Promise<boolean>>;
}

/**
 * The DID document a did:web issuer had according to the registry: every key it ever used (rotation keeps old ones),
 * so the signature of any of them can be checked and the `signing_key` check can say why a key's proof is refused.
 */
function didDocumentFor(issuer: SnapshotIssuer): DidDocument {
  const methods = issuer.verificationMethods.map((m) => ({
    id: m.id,
    type: 'Multikey' as const,
    controller: issuer.did,
    publicKeyMultibase: m.publicKeyMultibase,
    ...(m.compromisedAt ? { revoked: m.compromisedAt } : {}),
  }));
  const ids = methods.map((m) => m.id);
  return { '@context': [DID_V1, MULTIKEY_V1], id: issuer.did, verificationMethod: methods, assertionMethod: ids, authentication: ids };
}

export async function createVerifierData(bundle: TrustBundle, contexts: ReadonlyMap<string, object>): Promise<VerifierData> {
  const registry = bundle.registry;
  const issuers = new Map<string, SnapshotIssuer>();
  const keys = new Map<string, SnapshotVerificationMethod>();
  for (const issuer of registry.issuers) {
    issuers.set(issuer.did, issuer);
    for (const m of issuer.verificationMethods) keys.set(m.id, m);
    // A did:key body that rotated its key is a new DID; credentials signed before still name the old one.
    for (const m of issuer.verificationMethods) {
      const did = m.id.split('#')[0]!;
      if (!issuers.has(did)) issuers.set(did, issuer);
    }
  }
  const qualifications = new Map(registry.qualifications.map((q) => [q.id, q]));
  const lists = new Map(bundle.statusLists.map((l) => [l.url, l]));
  const mismatched = await mismatchedContexts(bundle.contexts, contexts);
  const known = new Set([...contexts.keys()].filter((url) => url in bundle.contexts && !mismatched.includes(url)));
  const documentLoader = createDocumentLoader({
    contexts,
    resolveDid: async (did) => {
      const issuer = did.startsWith('did:web:') ? issuers.get(did) : undefined;
      return issuer && issuer.did === did ? didDocumentFor(issuer) : undefined;
    },
    resolveDocument: async (url) => lists.get(url)?.credential,
  });
  return {
    bundle,
    registry,
    documentLoader,
    typeTableLoader: typeTableLoaderFrom(bundle.typeTables),
    knownContexts: known,
    mismatchedContexts: mismatched,
    issuerByDid: (did) => issuers.get(did),
    signingKey: (verificationMethod) => keys.get(verificationMethod),
    qualification: (id) => qualifications.get(id),
    statusList: (url) => lists.get(url),
    verifiedLists: new Map(),
  };
}
