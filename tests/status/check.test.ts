import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { beforeAll, describe, expect, it } from 'vitest';
import { signCredential } from '../../src/credentials/sign.js';
import { nodeDocumentLoader } from '../../src/jsonld/index.js';
import { createCachedSigner, type Signer } from '../../src/keys/signer.js';
import { checkStatusEntry, revocationEntry } from '../../src/status/check.js';
import { buildListCredential } from '../../src/status/list-credential.js';
import { verifyListCredential } from '../../src/status/list-signature.js';
import { badge } from './fixtures.js';

const URL_A = 'https://tanda.test/status/abcd2345';
const documentLoader = nodeDocumentLoader();
let did: string;
let signer: Signer;

const entry = (index: number, url = URL_A) => ({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: url });
const credential = (index: number, url = URL_A) => ({ ...badge(did), credentialStatus: entry(index, url) });
const list = (revoked: number[], now = new Date('2026-11-20T10:00:00Z')) => buildListCredential({ url: URL_A, issuerDid: did, length: 131_072, revoked, now });

beforeAll(async () => {
  const pair = await Ed25519Multikey.generate();
  const e = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  did = `did:key:${e.publicKeyMultibase}`;
  signer = await createCachedSigner(`${did}#${e.publicKeyMultibase}`, e.secretKeyMultibase!, e.publicKeyMultibase);
});

describe('checkStatusEntry (the browser-safe check over a snapshot)', () => {
  it('passes with "not revoked as of" the list date, never a bare "not revoked"', async () => {
    const check = await checkStatusEntry({ credential: credential(7), listCredential: await list([8, 1000]), now: new Date('2026-11-20T12:00:00Z') });
    expect(check).toMatchObject({ id: 'status', valid: true, status: 'pass', message: 'not revoked as of 2026-11-20T10:00:00Z', data: { asOf: '2026-11-20T10:00:00Z' } });
  });

  it('fails with code revoked when the bit is set, even in a stale list', async () => {
    const l = await list([7]);
    for (const now of [new Date('2026-11-20T12:00:00Z'), new Date('2027-01-01T00:00:00Z')]) {
      expect(await checkStatusEntry({ credential: credential(7), listCredential: l, now })).toMatchObject({ valid: false, status: 'fail', code: 'revoked' });
    }
  });

  it('warns status_stale past the list\'s validUntil, and status_unknown without a usable list (a broken one fails)', async () => {
    const stale = await checkStatusEntry({ credential: credential(7), listCredential: await list([]), now: new Date('2026-11-22T00:00:00Z') });
    expect(stale).toMatchObject({ valid: true, status: 'warn', code: 'status_stale' });
    expect(stale.message).toMatch(/^not revoked as of 2026-11-20T10:00:00Z; the status list expired on 2026-11-21T10:00:00Z/);

    const now = new Date('2026-11-20T12:00:00Z');
    const unknown = async (input: Parameters<typeof checkStatusEntry>[0]) => {
      const check = await checkStatusEntry(input);
      expect(check).toMatchObject({ valid: true, status: 'warn', code: 'status_unknown' });
      expect(check.message).toMatch(/^status unknown: /);
      return check;
    };
    await unknown({ credential: credential(7), listCredential: undefined, now });
    await unknown({ credential: credential(7, 'https://tanda.test/status/other234'), listCredential: await list([]), now });
    await unknown({ credential: { ...credential(7), issuer: 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2' }, listCredential: await list([]), now });
    // A list that is there but wrong is an error of the validate algorithm, not "unknown" (tests/status/conformance.test.ts).
    expect(await checkStatusEntry({ credential: credential(200_000), listCredential: await list([]), now })).toMatchObject({ valid: false, code: 'status_range_error' });
    const suspension = await list([]);
    (suspension.credentialSubject as Record<string, unknown>).statusPurpose = 'suspension';
    expect(await checkStatusEntry({ credential: credential(7), listCredential: suspension, now })).toMatchObject({ valid: false, code: 'status_verification_error' });
    expect(await checkStatusEntry({ credential: { ...credential(7), credentialStatus: { ...entry(7), statusListIndex: '-1' } }, listCredential: await list([]), now })).toMatchObject({ valid: false, code: 'status_malformed' });
  });

  it('accepts another DID of the same body when told so (a rotated did:key)', async () => {
    const other = { ...credential(7), issuer: 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2' };
    const check = await checkStatusEntry({ credential: other, listCredential: await list([7]), now: new Date('2026-11-20T12:00:00Z'), sameIssuer: () => true });
    expect(check.code).toBe('revoked');
  });

  it('reads the one revocation entry of a credential, tolerating an array', () => {
    expect(revocationEntry({ credentialStatus: entry(3) })).toEqual(entry(3));
    expect(revocationEntry({ credentialStatus: [{ type: 'Other' }, entry(3)] })).toEqual(entry(3));
    expect(revocationEntry({ credentialStatus: { ...entry(3), statusPurpose: 'suspension' } })).toBeUndefined();
    expect(revocationEntry({})).toBeUndefined();
  });
});

describe('verifyListCredential', () => {
  it('verifies a signed list even after it expired, and rejects a flipped bit', async () => {
    const signed = await signCredential(await list([5], new Date('2025-01-01T00:00:00Z')), { signer, documentLoader });
    expect(await verifyListCredential(signed, documentLoader)).toEqual({ verified: true });
    const tampered = structuredClone(signed);
    const zeros = (await list([])).credentialSubject as { encodedList: string };
    (tampered.credentialSubject as { encodedList: string }).encodedList = zeros.encodedList;
    const result = await verifyListCredential(tampered, documentLoader);
    expect(result.verified).toBe(false);
  });
});
