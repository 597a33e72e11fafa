import crypto from 'node:crypto';
import { useEd25519Check, type Ed25519KeyCheck } from './suite.js';

/** SubjectPublicKeyInfo for Ed25519 (RFC 8410) before the 32 raw key bytes. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Node's Ed25519 check with the public key imported once per key (see useEd25519Check). A key Node cannot import
 * (not 32 bytes) gets the stock check, so a malformed key fails where and as it did before.
 */
export const nodeEd25519Check: Ed25519KeyCheck = (publicKey) => {
  if (publicKey.length !== 32) return undefined;
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  return (data, signature) => crypto.verify(null, data, key, signature);
};

useEd25519Check(nodeEd25519Check);
