import crypto from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

export interface Signer {
  algorithm: 'Ed25519';
  id: string;
  sign(input: { data: Uint8Array }): Promise<Uint8Array>;
}

// PKCS#8 DER prefix for a raw 32-byte Ed25519 seed (RFC 8410); Node imports the seed through it.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A signer holding an imported Node KeyObject. @digitalbazaar/ed25519-multikey's own signer re-imports the DER key
 * on every signature (~0.5 ms); keeping the KeyObject makes each signature a plain crypto.sign call.
 */
export async function createCachedSigner(verificationMethod: string, secretKeyMultibase: string, publicKeyMultibase: string): Promise<Signer> {
  const pair = await Ed25519Multikey.from({
    id: verificationMethod,
    controller: verificationMethod.split('#')[0],
    publicKeyMultibase,
    secretKeyMultibase,
  });
  const { secretKey } = await pair.export({ raw: true, secretKey: true, canonicalize: true });
  if (!secretKey) throw new Error('key pair has no secret key');
  const keyObject = crypto.createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(secretKey.subarray(0, 32))]),
    format: 'der',
    type: 'pkcs8',
  });
  return {
    algorithm: 'Ed25519',
    id: verificationMethod,
    async sign({ data }) {
      return crypto.sign(null, data, keyObject);
    },
  };
}

export async function generateKeyPair(controllerFor: (publicKeyMultibase: string) => { controller: string; id: string }) {
  const pair = await Ed25519Multikey.generate();
  const { publicKeyMultibase, secretKeyMultibase } = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  if (!publicKeyMultibase || !secretKeyMultibase) throw new Error('key generation returned no key material');
  const { controller, id } = controllerFor(publicKeyMultibase);
  return { publicKeyMultibase, secretKeyMultibase, controller, id };
}
