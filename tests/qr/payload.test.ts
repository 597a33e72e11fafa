import { describe, expect, it, beforeAll } from 'vitest';
import { toQrCode } from '@digitalbazaar/vpqr';
import QRCode from 'qrcode';
import { verifyCredential } from '../../src/credentials/verify.js';
import { createDocumentLoader, bundledContexts, type DocumentLoader } from '../../src/jsonld/index.js';
import { TANDA_V1 } from '../../src/jsonld/urls.js';
import * as cborld from '@digitalbazaar/cborld';
import { compactTypes, decodeCredentialQr, encodeCredentialQr, qrVersionFor } from '../../src/qr/payload.js';
import { buildTypeTable, typeTableLoaderFrom, type TypeTableSource } from '../../src/qr/type-table.js';
import { readFileSync } from 'node:fs';
import { HOLDERS, leanCredential, SIGNED_AT, tableSourceFor, testIssuer, type TestIssuer } from './fixtures.js';

/** Every `type` as an array, the identity object's and status entry's too (which the stored form writes as strings). */
function withTypeArrays<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withTypeArrays) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    // The proof keeps its string type: data-integrity reads it as a plain string.
    Object.entries(value).map(([k, v]) => [k, k === 'type' && typeof v === 'string' ? [v] : k === 'proof' ? v : withTypeArrays(v)]),
  ) as T;
}

const printed = JSON.parse(readFileSync(new URL('./fixtures/printed-2026-11.json', import.meta.url), 'utf8')) as {
  registryEntryId: number;
  payload: string;
  source: TypeTableSource;
  credential: Record<string, unknown>;
};

// The same terms with no hoisting, under a URL of its own: the baseline the v1 context is compared against.
const PLAIN_EXT = 'https://tanda.example/contexts/test-plain';
const contexts = new Map<string, object>([
  ...bundledContexts(),
  [PLAIN_EXT, { '@context': { '@version': 1.1, '@protected': true } }],
]);
const documentLoader: DocumentLoader = createDocumentLoader({ contexts });

const REGISTRY_ENTRY_ID = 100;
let issuer: TestIssuer;
const signed: Record<number, Record<string, unknown>> = {};
const sources: Record<number, TypeTableSource> = {};

const loaderFor = (source: TypeTableSource, registryEntryId = REGISTRY_ENTRY_ID) => typeTableLoaderFrom([{ registryEntryId, source }]);

/** The product's verifier; status is outside this module (no status list here), proof and validity count. */
async function verify(credential: Record<string, unknown>) {
  const result = await verifyCredential(credential, {
    documentLoader,
    knownContexts: new Set(contexts.keys()),
    now: new Date('2027-01-01T00:00:00Z'),
    checks: ['proof', 'validity'],
  });
  return result.verified && result.checks.some((c) => c.id === 'signature' && c.valid);
}

beforeAll(async () => {
  issuer = await testIssuer();
  for (const units of [6, 12]) {
    sources[units] = { ...tableSourceFor(units, issuer.did), contexts: [...tableSourceFor(units, issuer.did).contexts, PLAIN_EXT] };
    signed[units] = await issuer.sign(leanCredential(units, issuer.did), documentLoader);
  }
});

describe('QR payload of a signed credential', () => {
  it('signs like the product: proof.created to the second (it dates the proof for key retirement)', () => {
    expect(signed[6]!.proof).toEqual({
      type: 'DataIntegrityProof',
      created: SIGNED_AT,
      cryptosuite: 'eddsa-rdfc-2022',
      verificationMethod: `${issuer.did}#${issuer.did.slice('did:key:'.length)}`,
      proofPurpose: 'assertionMethod',
      proofValue: expect.stringMatching(/^z[1-9A-HJ-NP-Za-km-z]{80,90}$/),
    });
  });

  it.each([6, 12])('round-trips a %i-unit credential: decode deep-equals the signed JSON with one-item types as strings, and it verifies', async (units) => {
    const typeTableLoader = loaderFor(sources[units]!);
    const qr = await encodeCredentialQr(signed[units]!, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader });
    expect(qr.payload).toMatch(/^VP1-R[0-9A-Z $%*+\-./:]+$/);
    const decoded = await decodeCredentialQr(qr.payload, { typeTableLoader, documentLoader });
    expect(decoded).toStrictEqual(compactTypes(signed[units]!));
    expect(decoded).not.toStrictEqual(signed[units]);
    expect(await verify(decoded)).toBe(true);

    const tampered = structuredClone(decoded) as { credentialSubject: { identifier: Array<{ identityHash: string }> } };
    tampered.credentialSubject.identifier[0]!.identityHash = 'Siti Rahmawati Putri Handayana';
    expect(await verify(tampered as unknown as Record<string, unknown>)).toBe(false);
  });

  it('fits the budget: 6 units in QR version 16 at ECC M (≤ 656 characters), 12 units in version 20', async () => {
    for (const [units, maxVersion, maxChars] of [[6, 16, 656], [12, 20, 1046]] as const) {
      const qr = await encodeCredentialQr(signed[units]!, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader: loaderFor(sources[units]!), documentLoader });
      expect(qr.payload.length, `${units} units: ${qr.bytes} B`).toBeLessThanOrEqual(maxChars);
      expect(qr.version).toBeLessThanOrEqual(maxVersion);
      // Base45: 2 bytes → 3 characters, a trailing odd byte → 2, after the 5-character 'VP1-R' header.
      expect(qr.payload.length).toBe(5 + Math.floor(qr.bytes / 2) * 3 + (qr.bytes % 2) * 2);
    }
  });

  it('produces exactly the text vpqr.toQrCode produces, and the QR version its encoder picks at ECC M', async () => {
    const typeTableLoader = loaderFor(sources[6]!);
    const ours = await encodeCredentialQr(signed[6]!, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader });
    const theirs = await toQrCode({ vp: compactTypes(signed[6]!), documentLoader, registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, qrErrorCorrectionLevel: 'M' });
    expect(ours.payload).toBe(theirs.payload);
    expect(ours.bytes).toBe(theirs.rawCborldBytes.length);
    expect(ours.version).toBe(theirs.version);
  });

  it('qrVersionFor agrees with QRCode.create (what the PDF draws) on both sides of the v1, v16 and v20 limits', () => {
    // ISO/IEC 18004 alphanumeric capacities at ECC M: v1 20, v16 656, v20 1046 characters; v40 3391.
    for (const length of [20, 21, 400, 656, 657, 1046, 1047]) {
      const text = 'A'.repeat(length);
      expect(qrVersionFor(text), `length ${length}`).toBe(QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' }).version);
    }
    expect([qrVersionFor('A'.repeat(656)), qrVersionFor('A'.repeat(657))]).toEqual([16, 17]);
    expect(qrVersionFor('A'.repeat(3392))).toBe(0);
  });

  it('one-item types as strings in the QR only: same RDF, so a byte-identical signature that verifies either way, and a byte per object less', async () => {
    const arrays = leanCredential(6, issuer.did);
    const compact = compactTypes(arrays);
    expect(JSON.stringify(arrays)).not.toBe(JSON.stringify(compact));
    const signedCompact = await issuer.sign(compact, documentLoader);
    expect(signedCompact.proof).toEqual(signed[6]!.proof);
    expect(await verify(compactTypes(signed[6]!))).toBe(true);
    expect(await verify({ ...signedCompact, proof: signed[6]!.proof })).toBe(true);

    const typeTableLoader = loaderFor(sources[6]!);
    const options = { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader };
    const qr = await encodeCredentialQr(signed[6]!, options);
    // The stored array form and the compact form give the same payload: the encoder compacts.
    expect((await encodeCredentialQr(signedCompact, options)).payload).toBe(qr.payload);
    const raw = async (document: object) => (await cborld.encode({ jsonldDocument: document, ...options })).length;
    // One CBOR array header per object with a one-item type: issuer, subject, achievement, 8 alignments (the stored
    // form), plus the identity object and status entry, which are strings there and arrays in this test's copy.
    expect((await raw(signed[6]!)) - qr.bytes).toBe(11);
    expect((await raw(withTypeArrays(signed[6]!))) - qr.bytes).toBe(13);
  });

  it('a payload printed before the lean shape (type arrays, humanCode, inLanguage, issuer name) still decodes and verifies', async () => {
    const typeTableLoader = typeTableLoaderFrom([{ registryEntryId: printed.registryEntryId, source: printed.source }]);
    const decoded = await decodeCredentialQr(printed.payload, { typeTableLoader, documentLoader });
    expect(decoded).toStrictEqual(printed.credential);
    expect((decoded.issuer as { type: unknown }).type).toEqual(['Profile']);
    expect(await verify(decoded)).toBe(true);
  });

  it('the QR version does not punish a non-Latin name (issue 13 goals): Latin ≤ v15 (≤ 396 B), Khmer and Burmese (+ Latin transliteration) ≤ v16', async () => {
    const typeTableLoader = loaderFor(sources[6]!);
    const versions: Record<string, number> = {};
    const bytes: Record<string, number> = {};
    for (const [script, holder] of Object.entries(HOLDERS)) {
      const credential = await issuer.sign(leanCredential(6, issuer.did, undefined, holder), documentLoader);
      const qr = await encodeCredentialQr(credential, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader });
      versions[script] = qr.version;
      bytes[script] = qr.bytes;
    }
    // The proof's `created` (8 B, dates proofs for key retirement) took Latin to v16 (401 B) and Burmese to v17
    // (436 B); level alignments without the Tanda-private targetType (8 B) bring them back: 393 / 425 / 428 B.
    expect(bytes.latin).toBeLessThanOrEqual(396);
    expect(versions.latin).toBeLessThanOrEqual(15);
    expect(versions.khmer).toBeLessThanOrEqual(16);
    expect(versions.burmese).toBeLessThanOrEqual(16);
    // A transliterated native-script name costs at most one version over the Latin name, never two or three.
    expect(versions.khmer! - versions.latin!).toBeLessThanOrEqual(1);
    expect(versions.burmese! - versions.latin!).toBeLessThanOrEqual(1);
  });

  it('the lean shape: stored with the type arrays 1EdTech\'s schema requires, printed with strings; no issuer name, humanCode or inLanguage (the registry has them)', async () => {
    type Shape = { type: unknown; issuer: Record<string, unknown>; credentialSubject: { type: unknown; achievement: Record<string, unknown> & { type: unknown; alignment: Array<{ type: unknown }> } } };
    const stored = signed[6]! as Shape;
    expect(stored.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(stored.issuer).toEqual({ id: issuer.did, type: ['Profile'] });
    expect(stored.credentialSubject.type).toEqual(['AchievementSubject']);
    expect(stored.credentialSubject.achievement.type).toEqual(['Achievement']);
    expect(stored.credentialSubject.achievement.alignment.every((a) => JSON.stringify(a.type) === '["Alignment"]')).toBe(true);
    const typeTableLoader = loaderFor(sources[6]!);
    const qr = await encodeCredentialQr(signed[6]!, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader });
    const printedForm = (await decodeCredentialQr(qr.payload, { typeTableLoader, documentLoader })) as Shape;
    expect(printedForm.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(printedForm.issuer).toEqual({ id: issuer.did, type: 'Profile' });
    expect(printedForm.credentialSubject.type).toBe('AchievementSubject');
    expect(printedForm.credentialSubject.achievement.type).toBe('Achievement');
    expect(printedForm.credentialSubject.achievement.alignment.every((a) => a.type === 'Alignment')).toBe(true);
    for (const c of [stored, printedForm]) {
      expect(c.credentialSubject.achievement).not.toHaveProperty('humanCode');
      expect(c.credentialSubject.achievement).not.toHaveProperty('inLanguage');
      // OB 3.0 MUSTs kept: the credential's name, the achievement's name, description and criteria.
      expect(c).toHaveProperty('name');
      expect(Object.keys(c.credentialSubject.achievement)).toEqual(expect.arrayContaining(['name', 'description', 'criteria']));
    }
  });

  it('term hoisting changes no RDF: the v1 context and a plain extension give the same proofValue, v1 is smaller', async () => {
    const plain = await issuer.sign(leanCredential(6, issuer.did, PLAIN_EXT), documentLoader);
    expect(plain.proof).toEqual(signed[6]!.proof);
    // The signature made under the hoisting context verifies under the plain one and vice versa.
    expect(await verify({ ...signed[6]!, '@context': plain['@context'] })).toBe(true);
    expect(await verify({ ...plain, '@context': signed[6]!['@context'] })).toBe(true);

    const typeTableLoader = loaderFor(sources[6]!);
    const hoisted = await encodeCredentialQr(signed[6]!, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader });
    const baseline = await encodeCredentialQr(plain, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader });
    expect(hoisted.bytes).toBeLessThan(baseline.bytes - 20);
    expect(await decodeCredentialQr(baseline.payload, { typeTableLoader, documentLoader })).toStrictEqual(compactTypes(plain));
  });

  it('a payload whose registry entry this verifier lacks → qr_table_unknown, never a decoded document', async () => {
    const qr = await encodeCredentialQr(signed[6]!, { registryEntryId: 101, typeTableLoader: loaderFor(sources[6]!, 101), documentLoader });
    await expect(decodeCredentialQr(qr.payload, { typeTableLoader: loaderFor(sources[6]!), documentLoader })).rejects.toMatchObject({
      name: 'TandaError',
      code: 'qr_table_unknown',
      statusCode: 422,
    });
  });

  it('a payload using a value the local table version lacks → qr_table_unknown (stale table, same id)', async () => {
    // The issuer's table gained a unit title the verifier's copy does not have: a newer payload for old data.
    const newer: TypeTableSource = { ...sources[6]!, strings: [...sources[6]!.strings, 'Provide turndown service'] };
    const credential = leanCredential(6, issuer.did);
    const alignments = (credential.credentialSubject as { achievement: { alignment: Array<{ targetName: string }> } }).achievement.alignment;
    alignments[0]!.targetName = 'Provide turndown service';
    const qr = await encodeCredentialQr(await issuer.sign(credential, documentLoader), {
      registryEntryId: REGISTRY_ENTRY_ID,
      typeTableLoader: loaderFor(newer),
      documentLoader,
    });
    await expect(decodeCredentialQr(qr.payload, { typeTableLoader: loaderFor(sources[6]!), documentLoader })).rejects.toMatchObject({
      code: 'qr_table_unknown',
    });
  });

  it('a payload naming a context the verifier does not hold → qr_table_unknown', async () => {
    const qr = await encodeCredentialQr(signed[6]!, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader: loaderFor(sources[6]!), documentLoader });
    const withoutV1 = createDocumentLoader({ contexts: new Map([...contexts].filter(([url]) => url !== TANDA_V1)) });
    await expect(decodeCredentialQr(qr.payload, { typeTableLoader: loaderFor(sources[6]!), documentLoader: withoutV1 })).rejects.toMatchObject({
      code: 'qr_table_unknown',
    });
  });

  it.each([
    ['empty text', ''],
    ['another QR', 'https://example.org/'],
    ['wrong prefix', 'VP2-R6BFWA'],
    ['unknown multibase', 'VP1-Z6BFWA'],
    ['not Base45', 'VP1-Rabc'],
    ['not CBOR-LD', 'VP1-R%69 VD92EX0'],
  ])('malformed text (%s) → qr_malformed', async (_label, text) => {
    await expect(decodeCredentialQr(text, { typeTableLoader: loaderFor(sources[6]!), documentLoader })).rejects.toMatchObject({
      code: 'qr_malformed',
      statusCode: 422,
    });
  });

  it('a truncated payload is qr_malformed or qr_table_unknown, never a document', async () => {
    const typeTableLoader = loaderFor(sources[6]!);
    const qr = await encodeCredentialQr(signed[6]!, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader });
    for (const cut of [6, 30, Math.floor(qr.payload.length / 2) * 3 / 3, qr.payload.length - 3]) {
      await expect(decodeCredentialQr(qr.payload.slice(0, cut), { typeTableLoader, documentLoader })).rejects.toMatchObject({
        code: expect.stringMatching(/^qr_(malformed|table_unknown)$/),
      });
    }
  });

  it('encoding with a registry entry the loader does not know is refused', async () => {
    await expect(
      encodeCredentialQr(signed[6]!, { registryEntryId: 150, typeTableLoader: loaderFor(sources[6]!), documentLoader }),
    ).rejects.toMatchObject({ code: 'qr_table_unknown' });
  });

  it('the table of one qualification keeps every id in the cheapest CBOR widths', () => {
    const table = buildTypeTable(sources[12]!);
    expect(Math.max(...table.get('https://www.w3.org/2001/XMLSchema#anyURI')!.values())).toBeLessThan(24);
    expect(Math.max(...table.get('none')!.values())).toBeLessThan(255);
    expect(table.get('https://w3id.org/security#cryptosuiteString')).toEqual(new Map([['eddsa-rdfc-2022', 1]]));
  });
});
