import fs from 'node:fs';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { describe, expect, it } from 'vitest';
import { signCredential } from '../../src/credentials/sign.js';
import { verifyCredential } from '../../src/credentials/verify.js';
import { bundledContexts, nodeDocumentLoader } from '../../src/jsonld/index.js';
import { createCachedSigner } from '../../src/keys/signer.js';

const dir = new URL('./vectors/vc-di-eddsa/', import.meta.url);
const read = (p: string) => JSON.parse(fs.readFileSync(new URL(p, dir), 'utf8')) as Record<string, unknown>;
const keyPair = read('keyPair.json') as { publicKeyMultibase: string; privateKeyMultibase: string };
const unsigned = read('unsigned.json');
const signed = read('eddsa-rdfc-2022/signedDataInt.json') as Record<string, unknown> & { proof: Record<string, string> };

const documentLoader = nodeDocumentLoader();
const knownContexts = new Set(bundledContexts().keys());

describe('W3C vc-di-eddsa eddsa-rdfc-2022 test vectors', () => {
  it('our verifier accepts signedDataInt.json (an outside issuer: verified, issuer reported unknown)', async () => {
    const result = await verifyCredential(signed, {
      documentLoader,
      knownContexts,
      lookupIssuer: async () => ({ known: false }),
    });
    expect(result.checks.find((c) => c.id === 'signature'), JSON.stringify(result.checks)).toMatchObject({ valid: true });
    expect(result.checks.find((c) => c.id === 'issuer')).toMatchObject({ valid: false, code: 'unknown_issuer' });
    expect(result.verified).toBe(true);
  });

  it('our signer reproduces proofValue byte for byte from keyPair.json, unsigned.json and the same created', async () => {
    const did = `did:key:${keyPair.publicKeyMultibase}`;
    const vm = `${did}#${keyPair.publicKeyMultibase}`;
    // The vector's privateKeyMultibase is the Multikey secret key encoding; ed25519-multikey imports it as is.
    const imported = await Ed25519Multikey.from({ publicKeyMultibase: keyPair.publicKeyMultibase, secretKeyMultibase: keyPair.privateKeyMultibase, id: vm, controller: did });
    const exported = await imported.export({ publicKey: true, secretKey: true, includeContext: false });
    const signer = await createCachedSigner(vm, exported.secretKeyMultibase!, keyPair.publicKeyMultibase);
    const ours = await signCredential(unsigned, { signer, documentLoader, created: signed.proof.created });
    expect(ours.proof).toEqual(signed.proof);
  });

  it('a one-character change of the vector breaks its signature', async () => {
    const tampered = structuredClone(signed);
    tampered.name = 'Alumni Credential!';
    const result = await verifyCredential(tampered, { documentLoader, knownContexts });
    expect(result.verified).toBe(false);
    expect(result.checks.find((c) => c.id === 'signature')).toMatchObject({ valid: false, code: 'invalid_signature' });
  });
});
