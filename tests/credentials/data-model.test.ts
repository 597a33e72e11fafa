import { beforeAll, describe, expect, it } from 'vitest';
import { dataModelViolations, isDateTimeStamp, isUrl } from '../../src/credentials/data-model.js';
import { signCredential } from '../../src/credentials/sign.js';
import { verifyCredential } from '../../src/credentials/verify.js';
import { bundledContexts, nodeDocumentLoader } from '../../src/jsonld/index.js';
import type { Signer } from '../../src/keys/signer.js';
import { badge, newDidKey } from '../helpers/credentials.js';

type Json = Record<string, unknown>;
const DID = 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2';
const valid = (): Json => badge(DID);
const rulesOf = (credential: unknown) => dataModelViolations(credential).map((v) => v.rule);
const without = (key: string): Json => {
  const c = valid();
  delete c[key];
  return c;
};

describe('VC Data Model 2.0 rules (src/credentials/data-model.ts)', () => {
  it('a credential Tanda builds breaks none', () => {
    expect(dataModelViolations(valid())).toEqual([]);
  });

  it.each([
    ['vcdm2.credential.object', 'a credential that is not an object', 'just text'],
    ['vcdm2.context.present', 'no @context', without('@context')],
    ['vcdm2.context.ordered-set', '@context as a single string', { ...valid(), '@context': 'https://www.w3.org/ns/credentials/v2' }],
    ['vcdm2.context.first', 'a first context other than VC 2.0', { ...valid(), '@context': ['https://www.w3.org/ns/credentials/examples/v2'] }],
    ['vcdm2.context.items', 'a later context that is neither URL nor object', { ...valid(), '@context': ['https://www.w3.org/ns/credentials/v2', 42] }],
    ['vcdm2.id.url', 'an id that is not a single URL', { ...valid(), id: 'not a url' }],
    ['vcdm2.type.present', 'no type', without('type')],
    ['vcdm2.type.values', 'a type value that is not a term or URL', { ...valid(), type: ['VerifiableCredential', 7] }],
    ['vcdm2.type.vc', 'a type without VerifiableCredential', { ...valid(), type: ['OpenBadgeCredential'] }],
    ['vcdm2.name.value', 'a name that is neither string nor language value', { ...valid(), name: { '@value': 'x', '@colour': 'red' } }],
    ['vcdm2.description.value', 'a description that is a number', { ...valid(), description: 12 }],
    ['vcdm2.issuer.present', 'no issuer', without('issuer')],
    ['vcdm2.issuer.url', 'an issuer that is an array', { ...valid(), issuer: [DID] }],
    ['vcdm2.subject.present', 'no credentialSubject', without('credentialSubject')],
    ['vcdm2.subject.object', 'a credentialSubject that is a string', { ...valid(), credentialSubject: 'did:example:1' }],
    ['vcdm2.subject.claims', 'a subject with only an id', { ...valid(), credentialSubject: { id: 'did:example:1' } }],
    ['vcdm2.validFrom.datetime', 'a validFrom that is a date only', { ...valid(), validFrom: '2026-01-01' }],
    ['vcdm2.validUntil.datetime', 'a validUntil without offset', { ...valid(), validUntil: '2030-01-01T00:00:00' }],
    ['vcdm2.validity.order', 'validUntil before validFrom', { ...valid(), validUntil: '2020-01-01T00:00:00Z' }],
    ['vcdm11.issuanceDate.present', 'a VC 1.1 credential without issuanceDate', { ...valid(), '@context': ['https://www.w3.org/2018/credentials/v1'], validFrom: undefined }],
    ['vcdm2.credentialStatus.object', 'a credentialStatus that is a URL', { ...valid(), credentialStatus: 'https://example.org/status/1' }],
    ['vcdm2.credentialStatus.type', 'a credentialStatus without type', { ...valid(), credentialStatus: { id: 'https://example.org/status/1#1' } }],
    ['vcdm2.credentialSchema.type', 'a credentialSchema without type', { ...valid(), credentialSchema: { id: 'https://example.org/schema.json' } }],
    ['vcdm2.id.required', 'a credentialSchema without id', { ...valid(), credentialSchema: { type: 'JsonSchema' } }],
    ['vcdm2.refreshService.type', 'a refreshService without type', { ...valid(), refreshService: [{ id: 'https://example.org/refresh' }] }],
    ['vcdm2.termsOfUse.type', 'a termsOfUse without type', { ...valid(), termsOfUse: { id: 'https://example.org/tou' } }],
    ['vcdm2.evidence.type', 'an evidence without type', { ...valid(), evidence: { id: 'https://example.org/e/1' } }],
    ['vcdm2.evidence.object', 'evidence as an empty list', { ...valid(), evidence: [] }],
    ['vcdm2.relatedResource.object', 'a relatedResource that is a string', { ...valid(), relatedResource: 'https://example.org/a' }],
    ['vcdm2.relatedResource.digest', 'a relatedResource without digest', { ...valid(), relatedResource: { id: 'https://example.org/a' } }],
    ['vcdm2.relatedResource.unique', 'a relatedResource id listed twice', { ...valid(), relatedResource: [{ id: 'https://example.org/a', digestSRI: 'sha256-a' }, { id: 'https://example.org/a', digestSRI: 'sha256-b' }] }],
  ])('%s: %s', (rule, _name, credential) => {
    const c = credential as Json;
    if (typeof c === 'object') for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k];
    expect(rulesOf(c)).toContain(rule);
  });

  it('accepts language value objects, URLs of every scheme and dateTimeStamps with offsets', () => {
    expect(rulesOf({ ...valid(), name: [{ '@value': 'Kasambahay', '@language': 'fil' }, 'Housekeeping'], description: { '@value': 'مرحبا', '@direction': 'rtl' } })).toEqual([]);
    for (const url of ['urn:uuid:5e3b1c1e-4c5e-4d1e-8a3b-000000000001', 'did:key:z6Mk', 'https://example.org/a?b#c']) expect(isUrl(url)).toBe(true);
    for (const notUrl of ['', 'relative/path', 'has space:x y', null, ['urn:x']]) expect(isUrl(notUrl)).toBe(false);
    for (const ok of ['2026-01-01T00:00:00Z', '2026-01-01T07:00:00+07:00', '2026-01-01T00:00:00.123Z']) expect(isDateTimeStamp(ok)).toBe(true);
    for (const bad of ['2026-01-01', '2026-01-01T00:00:00', '2026-13-01T00:00:00Z', 20260101]) expect(isDateTimeStamp(bad)).toBe(false);
  });
});

describe('the verifier checks the same rules (a conforming verifier MUST check each required property)', () => {
  let signer: Signer;
  let did: string;
  beforeAll(async () => {
    ({ did, signer } = await newDidKey());
  });

  it('a signed credential whose validity dates are not dateTimeStamps is malformed, with the rule named', async () => {
    const documentLoader = nodeDocumentLoader();
    const signed = await signCredential({ ...badge(did), validFrom: '2026-01-01T00:00:00' }, { signer, documentLoader });
    const result = await verifyCredential(signed, { documentLoader, knownContexts: new Set(bundledContexts().keys()) });
    expect(result.verified).toBe(false);
    expect(result.checks[0]).toMatchObject({ id: 'structure', code: 'malformed_credential', data: { violations: [expect.objectContaining({ rule: 'vcdm2.validFrom.datetime' })] } });
  });
});
