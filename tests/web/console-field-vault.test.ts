import { describe, expect, it } from 'vitest';
import { newDataKey, open, seal, unwrap } from '../../src/web/console/field/vault.js';

/*
 * The offline store's encryption (Node's WebCrypto is the browser's API): the data key opens only with the password
 * it was wrapped with, sealed values come back as they went in, and nothing of them is readable in what is stored.
 */
describe('the offline store\'s vault', () => {
  it('unwraps the data key with the right password only, and what it seals opens again', async () => {
    const { key, wrapped } = await newDataKey('a long enough console secret');
    expect(await unwrap('a long enough console secreT', wrapped)).toBeNull();
    const again = await unwrap('a long enough console secret', wrapped);
    expect(again).not.toBeNull();
    const sealed = await seal(key, { candidateName: 'Maricel Dela Cruz', unit: 'TRS5123111' });
    expect(await open(again!, sealed)).toEqual({ candidateName: 'Maricel Dela Cruz', unit: 'TRS5123111' });
    // What would be written to IndexedDB: no plaintext, no key bytes that export.
    const stored = Buffer.concat([Buffer.from(sealed.data), Buffer.from(wrapped.wrapped)]).toString('latin1');
    expect(stored).not.toContain('Maricel');
    expect(stored).not.toContain('TRS5123111');
    await expect(crypto.subtle.exportKey('raw', again!)).rejects.toThrow();
  });

  it('gives each sealed value its own nonce, and a changed ciphertext does not open', async () => {
    const { key } = await newDataKey('another console secret');
    const a = await seal(key, 'same');
    const b = await seal(key, 'same');
    expect(Buffer.from(a.iv).equals(Buffer.from(b.iv))).toBe(false);
    const tampered = new Uint8Array(a.data.slice(0));
    tampered[0]! ^= 1;
    await expect(open(key, { iv: a.iv, data: tampered.buffer })).rejects.toThrow();
  });
});
