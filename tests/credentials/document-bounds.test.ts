import { describe, expect, it } from 'vitest';
import { typicalCredential } from '../../bench/credentials.js';
import { assertDocumentBounds, documentBoundsViolation, DOCUMENT_LIMITS } from '../../src/credentials/document-bounds.js';
import { signCredential } from '../../src/credentials/sign.js';
import { verifyCredential } from '../../src/credentials/verify.js';
import { bundledContexts, nodeDocumentLoader } from '../../src/jsonld/index.js';
import { newDidKey } from '../helpers/credentials.js';

const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

/** The 992 KB attack of issue #16: one credential with 38,000 credentialSubject entries. */
const hostileSubjects = (credential: Record<string, unknown>, n = 38_000) => ({
  ...credential,
  credentialSubject: Array.from({ length: n }, (_, i) => ({ type: ['AchievementSubject'], name: `n${i}` })),
});

describe('document bounds', () => {
  it('admit real documents: a signed certificate, one with its Open Badges context inlined, a presentation of ten, a status list', async () => {
    const { did, signer } = await newDidKey();
    const signed = await signCredential(typicalCredential(did, 40), { signer, documentLoader: nodeDocumentLoader() });
    expect(documentBoundsViolation(signed)).toBeUndefined();
    const contexts = bundledContexts();
    const inlined = { ...signed, '@context': (signed['@context'] as string[]).map((c) => (c === OB_CONTEXT ? contexts.get(c) : c)) };
    expect(inlined['@context']).toContainEqual(expect.objectContaining({ '@context': expect.any(Object) }));
    expect(documentBoundsViolation(inlined)).toBeUndefined();
    const presentation = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: Array.from({ length: 10 }, () => inlined) };
    expect(documentBoundsViolation(presentation)).toBeUndefined();
    const statusList = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential', 'BitstringStatusListCredential'], credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: `u${'H4sIAAAAAAAAA'.repeat(1500)}` } };
    expect(documentBoundsViolation(statusList)).toBeUndefined();
  });

  it('refuse 38,000 subjects at the array bound, naming where', async () => {
    const { did } = await newDidKey();
    const v = documentBoundsViolation(hostileSubjects(typicalCredential(did)));
    expect(v).toMatchObject({ limit: 'maxArrayLength', max: DOCUMENT_LIMITS.maxArrayLength, path: '/credentialSubject' });
    expect(() => assertDocumentBounds(hostileSubjects(typicalCredential(did)))).toThrow(expect.objectContaining({ code: 'document_too_complex', statusCode: 400 }));
  });

  it('refuse deep nesting, too many values spread over short arrays, and too many bytes', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(documentBoundsViolation(deep)).toMatchObject({ limit: 'maxDepth', max: 32 });
    let deepArray: unknown = [];
    for (let i = 0; i < 40; i++) deepArray = [deepArray];
    expect(documentBoundsViolation(deepArray)).toMatchObject({ limit: 'maxDepth' });

    const spread = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`p${i}`, Array.from({ length: 900 }, (_, k) => k)]));
    expect(documentBoundsViolation(spread)).toMatchObject({ limit: 'maxNodes', max: DOCUMENT_LIMITS.maxNodes });

    expect(documentBoundsViolation({ big: 'x'.repeat(600 * 1024) })).toMatchObject({ limit: 'maxBytes', path: '/big' });
    expect(documentBoundsViolation({ ['k'.repeat(600 * 1024)]: 1 })).toMatchObject({ limit: 'maxBytes' });
  });

  it('take the limits given, and report the first bound met with a JSON pointer', () => {
    const limits = { maxBytes: 1000, maxDepth: 3, maxArrayLength: 2, maxNodes: 10 };
    expect(documentBoundsViolation({ a: [1, 2] }, limits)).toBeUndefined();
    expect(documentBoundsViolation({ 'a/b~': [1, 2, 3] }, limits)).toMatchObject({ limit: 'maxArrayLength', path: '/a~1b~0' });
    expect(documentBoundsViolation({ a: { b: { c: {} } } }, limits)).toMatchObject({ limit: 'maxDepth', path: '/a/b/c' });
  });

  it('make verifyCredential report a hostile credential as malformed without JSON-LD processing it', async () => {
    const { did, signer } = await newDidKey();
    const signed = await signCredential(typicalCredential(did), { signer, documentLoader: nodeDocumentLoader() });
    const loads: string[] = [];
    const loader = nodeDocumentLoader();
    const result = await verifyCredential(hostileSubjects(signed), {
      documentLoader: (url) => {
        loads.push(url);
        return loader(url);
      },
      knownContexts: new Set(bundledContexts().keys()),
    });
    expect(result.verified).toBe(false);
    expect(result.checks).toEqual([expect.objectContaining({ id: 'structure', code: 'malformed_credential', data: { bounds: expect.objectContaining({ limit: 'maxArrayLength' }) } })]);
    expect(loads).toEqual([]);
  });
});
