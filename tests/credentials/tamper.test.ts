import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { beforeAll, describe, expect, it } from 'vitest';
import { typicalCredential } from '../../bench/credentials.js';
import { signCredential, type SignedCredential } from '../../src/credentials/sign.js';
import { verifyCredential, type VerifyOptions } from '../../src/credentials/verify.js';
import { bundledContexts, nodeDocumentLoader } from '../../src/jsonld/index.js';
import { createCachedSigner } from '../../src/keys/signer.js';

let signed: SignedCredential;
let did: string;
let options: VerifyOptions;
const NOW = new Date('2027-01-01T00:00:00Z');

beforeAll(async () => {
  const pair = await Ed25519Multikey.generate();
  const e = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  did = `did:key:${e.publicKeyMultibase}`;
  const signer = await createCachedSigner(`${did}#${e.publicKeyMultibase}`, e.secretKeyMultibase!, e.publicKeyMultibase);
  const documentLoader = nodeDocumentLoader();
  signed = await signCredential(typicalCredential(did), { signer, documentLoader });
  options = {
    documentLoader,
    knownContexts: new Set(bundledContexts().keys()),
    lookupIssuer: async (d) => (d === did ? { known: true, name: 'Test body' } : { known: false }),
    now: NOW,
    // Tampering is a matter of the proof; this credential has no status entry (tests/http covers status_missing).
    checks: ['proof', 'validity'],
  };
});

/** Every leaf of the credential outside the proof and the context list, as a path. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (path.length === 0 && (k === 'proof' || k === '@context') ? [] : leaves(v, [...path, k])));
  }
  return [path];
}

function mutate(doc: Record<string, unknown>, path: (string | number)[]): Record<string, unknown> {
  const copy = structuredClone(doc);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const old = node[last];
  node[last] =
    typeof old === 'boolean' ? !old
      : typeof old === 'number' ? old + 1
        : /^\d{4}-\d\d-\d\dT/.test(String(old)) ? String(old).replace(/^(\d{4})/, (y) => String(Number(y) - 1))
          : `${String(old)}x`;
  return copy;
}

describe('tamper detection', () => {
  it('the untouched credential verifies', async () => {
    const result = await verifyCredential(signed, options);
    expect(result.verified, JSON.stringify(result.checks)).toBe(true);
    expect(result.checks.every((c) => c.valid)).toBe(true);
    expect(result.notChecked).toEqual(['status']);
  });

  it('an empty checks list still checks the proof: a tampered credential never verifies', async () => {
    const tampered = mutate(signed, ['credentialSubject', 'identifier', 0, 'identityHash']);
    const result = await verifyCredential(tampered, { ...options, checks: [] });
    expect(result.verified).toBe(false);
    expect(result.checks.find((c) => c.id === 'signature')).toMatchObject({ valid: false, code: 'invalid_signature' });
    expect(result.notChecked).toEqual(['validity', 'status']);
    expect((await verifyCredential(signed, { ...options, checks: [] })).verified).toBe(true);
  });

  it('changing any single leaf (name, unit, level, dates, issuer, …) fails with invalid_signature', async () => {
    const paths = leaves(signed);
    expect(paths.length).toBeGreaterThan(40);
    for (const path of paths) {
      const tampered = mutate(signed, path);
      // Verified twice: the second time a tampered achievement is remembered (achievement-memo.ts) and must fail too.
      await verifyCredential(tampered, options);
      const result = await verifyCredential(tampered, options);
      expect(result.verified, path.join('.')).toBe(false);
      // Renaming the VerifiableCredential type makes it no credential at all: caught before the signature.
      const failed = result.checks.find((c) => c.id === (path.join('.') === 'type.0' ? 'structure' : 'signature'));
      expect(failed?.code, path.join('.')).toBe(path.join('.') === 'type.0' ? 'malformed_credential' : 'invalid_signature');
    }
  });

  it('an unknown context is its own code', async () => {
    const doc = { ...structuredClone(signed), '@context': [...(signed['@context'] as string[]), 'https://evil.example/context'] };
    const result = await verifyCredential(doc, options);
    expect(result.checks.find((c) => c.id === 'context')).toMatchObject({ code: 'unknown_context' });
    expect(result.verified).toBe(false);
  });

  it('an unknown issuer is its own code', async () => {
    const result = await verifyCredential(signed, { ...options, lookupIssuer: async () => ({ known: false }) });
    expect(result.checks.find((c) => c.id === 'issuer')).toMatchObject({ valid: false, code: 'unknown_issuer' });
  });

  it('expired and not yet valid are their own codes (and the signature is still reported valid)', async () => {
    const expired = await verifyCredential(signed, { ...options, now: new Date('2032-01-01T00:00:00Z') });
    expect(expired.checks.find((c) => c.id === 'validity_period')).toMatchObject({ code: 'expired' });
    expect(expired.checks.find((c) => c.id === 'signature')).toMatchObject({ valid: true });
    expect(expired.verified).toBe(false);
    const early = await verifyCredential(signed, { ...options, now: new Date('2026-10-01T00:00:00Z') });
    expect(early.checks.find((c) => c.id === 'validity_period')).toMatchObject({ code: 'not_yet_valid' });
    expect(early.verified).toBe(false);
  });

  it('a credential signed by another key than its issuer\'s fails the issuer binding', async () => {
    const pair = await Ed25519Multikey.generate();
    const e = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
    const otherDid = `did:key:${e.publicKeyMultibase}`;
    const signer = await createCachedSigner(`${otherDid}#${e.publicKeyMultibase}`, e.secretKeyMultibase!, e.publicKeyMultibase);
    const forged = await signCredential(typicalCredential(did), { signer, documentLoader: options.documentLoader });
    const result = await verifyCredential(forged, options);
    expect(result.checks.find((c) => c.id === 'issuer_binding')).toMatchObject({ valid: false, code: 'issuer_key_mismatch' });
    expect(result.verified).toBe(false);
  });

  it('never throws on garbage', async () => {
    for (const junk of [null, 42, 'text', [], { proof: 1 }, { '@context': 'x', type: 'VerifiableCredential' }]) {
      const result = await verifyCredential(junk, options);
      expect(result.verified).toBe(false);
      expect(result.checks[0]).toMatchObject({ code: 'malformed_credential' });
    }
  });
});
