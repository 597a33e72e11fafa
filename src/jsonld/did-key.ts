import { DID_V1, MULTIKEY_V1 } from './urls.js';

export interface VerificationMethodDocument {
  '@context'?: string | string[];
  id: string;
  type: 'Multikey';
  controller: string;
  publicKeyMultibase: string;
  /** Multikey `revoked` (security vocabulary): when the key was reported compromised; nothing it signed verifies. */
  revoked?: string;
}

export interface DidDocument {
  '@context': string[];
  id: string;
  verificationMethod: VerificationMethodDocument[];
  assertionMethod: string[];
  authentication: string[];
  capabilityInvocation?: string[];
  capabilityDelegation?: string[];
}

// An Ed25519 public key as a multibase base58btc Multikey always starts with `z6Mk` (multicodec 0xed01) and is
// 48 characters long; anything else is not a did:key this product accepts.
const ED25519_MULTIKEY = /^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;

export const isEd25519Multikey = (s: string): boolean => ED25519_MULTIKEY.test(s);

/**
 * did:key is resolved by construction (the DID *is* the key), so no resolver library and no network is needed;
 * `did-method-key` would add ~14 KB gzip to the browser verifier for the same few lines.
 */
export function didKeyDocument(did: string): DidDocument | undefined {
  const fingerprint = did.startsWith('did:key:') ? did.slice('did:key:'.length) : '';
  if (!isEd25519Multikey(fingerprint)) return undefined;
  const vmId = `${did}#${fingerprint}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{ id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: fingerprint }],
    assertionMethod: [vmId],
    authentication: [vmId],
    capabilityInvocation: [vmId],
    capabilityDelegation: [vmId],
  };
}

export const didKeyFor = (publicKeyMultibase: string): string => `did:key:${publicKeyMultibase}`;
