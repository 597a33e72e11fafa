import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { describe, expect, it } from 'vitest';
import { nodeEd25519Check } from '../../src/credentials/node-ed25519.js';

describe('the Ed25519 check Node threads plug into the cryptosuite', () => {
  it('accepts what the Multikey library signed, refuses a changed message or signature, and declines a key that is not 32 bytes', async () => {
    const keyPair = await Ed25519Multikey.generate();
    const data = new TextEncoder().encode('canonical form and proof options, hashed');
    const signature = await keyPair.signer().sign({ data });
    const check = nodeEd25519Check(keyPair.publicKey)!;
    expect(check(data, signature)).toBe(true);
    expect(await keyPair.verifier().verify({ data, signature })).toBe(true);
    const changed = Uint8Array.from(data);
    changed[0]! ^= 1;
    expect(check(changed, signature)).toBe(false);
    const badSignature = Uint8Array.from(signature);
    badSignature[10]! ^= 1;
    expect(check(data, badSignature)).toBe(false);
    const other = await Ed25519Multikey.generate();
    expect(nodeEd25519Check(other.publicKey)!(data, signature)).toBe(false);
    expect(nodeEd25519Check(keyPair.publicKey.slice(0, 31))).toBeUndefined();
  });
});
