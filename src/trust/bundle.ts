import type { RegistrySnapshot } from '../frameworks/snapshot.js';
import type { TypeTableEntry } from '../qr/type-table.js';

/**
 * The trust bundle: everything an offline verifier needs, as one JSON document signed by the registry authority
 * (browser-safe: plain types and constants only).
 *
 * Signed with Data Integrity `eddsa-jcs-2022` (JSON Canonicalization Scheme), not `eddsa-rdfc-2022`: the bundle is
 * plain data that no JSON-LD context describes, and RDF canonicalisation of a megabyte of it would cost seconds on a
 * phone, while JCS is a key sort (see docs/verifier.md for the measurement).
 */
export const TRUST_BUNDLE_TYPE = 'TandaTrustBundle';
/**
 * Format 2 adds key compromise (a key's `status: 'compromised'` and `compromisedAt`); nothing else changed, so a
 * verifier of this version still opens format 1 bundles (their keys are current or retired). A format 1 verifier
 * refuses format 2: it would not know that a compromised key's credentials must fail.
 */
export const TRUST_BUNDLE_FORMAT = 2;
export const READABLE_BUNDLE_FORMATS: readonly number[] = [1, TRUST_BUNDLE_FORMAT];
/** DataIntegrityProof requires the VC 2.0 (or Data Integrity) context on any document it secures. */
export const TRUST_BUNDLE_CONTEXT = 'https://www.w3.org/ns/credentials/v2';

/** A signed BitstringStatusListCredential as published at `url`, with the moment it stops being current. */
export interface StatusListSnapshot {
  url: string;
  /** The list credential's own validUntil (or the snapshot's horizon); past it, "not revoked" is stale. */
  validUntil: string | null;
  credential: Record<string, unknown>;
  /**
   * `award`: the list holds registry awards' entries (so an entry in it marks a registry award); `general`: credentials
   * signed through the VC API. Absent in bundles built before kinds existed: nothing is recognised as an award then.
   */
  kind?: 'award' | 'general';
  /** Indices of an award list held by credentials that are not awards (issued before lists had kinds). */
  nonAwardIndices?: number[];
}

export interface UnsignedTrustBundle {
  '@context': [typeof TRUST_BUNDLE_CONTEXT];
  type: typeof TRUST_BUNDLE_TYPE;
  /** TRUST_BUNDLE_FORMAT when built here; an opened bundle may be of any READABLE_BUNDLE_FORMATS. */
  format: number;
  /** Increases with every bundle the authority signs: a verifier never replaces its data with an older serial. */
  serial: number;
  issued: string;
  validUntil: string;
  /** DID of the registry authority (did:key); verifiers compare it with the one pinned in their build. */
  authority: string;
  registry: RegistrySnapshot;
  statusLists: StatusListSnapshot[];
  typeTables: TypeTableEntry[];
  /** sha-256 (hex) of each JSON-LD context the registry signs with, over its JSON text as `JSON.stringify` writes it. */
  contexts: Record<string, string>;
}

export interface TrustBundleProof {
  type: 'DataIntegrityProof';
  cryptosuite: 'eddsa-jcs-2022';
  verificationMethod: string;
  proofPurpose: 'assertionMethod';
  proofValue: string;
  created?: string;
  '@context'?: unknown;
}

export interface TrustBundle extends UnsignedTrustBundle {
  proof: TrustBundleProof;
}

/** What a verifier shows about the data it checks with: how old it is and whether it is past its validUntil. */
export interface BundleAge {
  serial: number;
  issued: string;
  validUntil: string;
  ageDays: number;
  stale: boolean;
}

const DAY_MS = 86_400_000;

export function bundleAge(bundle: Pick<UnsignedTrustBundle, 'serial' | 'issued' | 'validUntil'>, now: Date): BundleAge {
  const ageMs = now.getTime() - Date.parse(bundle.issued);
  return {
    serial: bundle.serial,
    issued: bundle.issued,
    validUntil: bundle.validUntil,
    ageDays: Math.max(0, Math.floor(ageMs / DAY_MS)),
    stale: now.getTime() > Date.parse(bundle.validUntil),
  };
}
