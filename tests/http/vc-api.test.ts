import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typicalCredential } from '../../bench/credentials.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;
let officer: { authorization: string };

const unsigned = (did: string) => typicalCredential(did);

beforeAll(async () => {
  t = await createTestContext();
  officer = (await t.login('certifying_officer')).headers;
});
afterAll(async () => t.close());

describe(`VC API on ${testDialect}`, () => {
  it('issues as the caller\'s body (201) and the result verifies (200)', async () => {
    const issued = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: unsigned(t.issuer.did) } });
    expect(issued.statusCode).toBe(201);
    const vc = issued.json().verifiableCredential;
    expect(vc.proof).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod' });
    const verified = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc } });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().verified).toBe(true);
    expect(verified.json().checks.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['signature', 'validity_period', 'issuer', 'context']));

    const got = await t.app.inject({ method: 'GET', url: `/credentials/${encodeURIComponent(vc.id)}`, headers: officer });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(vc);
  });

  it('fills in a missing issuer and refuses another issuer\'s name', async () => {
    const cred = unsigned(t.issuer.did);
    delete (cred as Record<string, unknown>).issuer;
    const ok = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: cred } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().verifiableCredential.issuer).toBe(t.issuer.did);
    const other = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: unsigned('did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2') } });
    // VC API: an issuer other than the instance's is a 400 Bad Request.
    expect(other.statusCode).toBe(400);
    expect(other.json().code).toBe('issuer_mismatch');
  });

  it('answers 400 verification_failed with the failing check for a tampered credential and 400 malformed_document for a malformed one', async () => {
    const issued = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: unsigned(t.issuer.did) } });
    const vc = issued.json().verifiableCredential;
    vc.credentialSubject.identifier[0].identityHash = 'Someone Else';
    const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'verification_failed', verified: false });
    expect(res.json().checks.find((c: { id: string }) => c.id === 'signature')).toMatchObject({ valid: false, code: 'invalid_signature' });
    const bad = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: { hello: 'world' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'malformed_document', verified: false });
    expect(bad.json().checks[0]).toMatchObject({ id: 'structure', code: 'malformed_credential' });
  });

  it('honours options.checks: an expired credential verifies when validity is not asked for', async () => {
    const cred = { ...unsigned(t.issuer.did), validFrom: '2019-01-01T00:00:00Z', validUntil: '2020-01-01T00:00:00Z' };
    const vc = (await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: cred } })).json().verifiableCredential;
    const all = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc } });
    expect(all.statusCode).toBe(400);
    expect(all.json().checks.find((c: { id: string }) => c.id === 'validity_period')).toMatchObject({ code: 'expired' });
    const proofOnly = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc, options: { checks: ['proof'] } } });
    expect(proofOnly.statusCode).toBe(200);
  });

  it('verifies an unsigned presentation with its credentials, and refuses a signed one without challenge', async () => {
    const vc = (await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: unsigned(t.issuer.did) } })).json().verifiableCredential;
    const vp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [vc] };
    const ok = await t.app.inject({ method: 'POST', url: '/presentations/verify', payload: { verifiablePresentation: vp } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().credentials[0].verified).toBe(true);
    const signedVp = { ...vp, proof: { type: 'DataIntegrityProof' } };
    const noChallenge = await t.app.inject({ method: 'POST', url: '/presentations/verify', payload: { verifiablePresentation: signedVp } });
    expect(noChallenge.statusCode).toBe(400);
    expect(noChallenge.json()).toMatchObject({ code: 'verification_failed', verified: false });
  });
});

describe('bad input gets its own 4xx code', () => {
  it.each([
    ['malformed JSON', { payload: '{"credential": ', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
    ['wrong content type', { payload: 'credential=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
    ['body over 1 MB', { payload: JSON.stringify({ credential: { pad: 'x'.repeat(1_100_000) } }), headers: { 'content-type': 'application/json' } }, 413, 'payload_too_large'],
    ['unknown field', { payload: { credential: {}, surprise: true } }, 400, 'unknown_field'],
    ['missing field', { payload: { options: {} } }, 400, 'validation_failed'],
  ])('%s', async (_name, request, status, code) => {
    const res = await t.app.inject({ method: 'POST', url: '/credentials/issue', ...request, headers: { ...officer, ...('headers' in request ? request.headers : {}) } } as never);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
    expect(res.json().requestId).toBeTruthy();
  });

  it('missing auth → 401 unauthenticated; unknown token → 401 invalid_credentials; wrong role → 403 forbidden', async () => {
    const payload = { credential: unsigned(t.issuer.did) };
    const anon = await t.app.inject({ method: 'POST', url: '/credentials/issue', payload });
    expect([anon.statusCode, anon.json().code]).toEqual([401, 'unauthenticated']);
    const bogus = await t.app.inject({ method: 'POST', url: '/credentials/issue', payload, headers: { authorization: 'Bearer tnd_nope' } });
    expect([bogus.statusCode, bogus.json().code]).toEqual([401, 'invalid_credentials']);
    const assessor = (await t.login('assessor')).headers;
    const wrong = await t.app.inject({ method: 'POST', url: '/credentials/issue', payload, headers: assessor });
    expect([wrong.statusCode, wrong.json().code]).toEqual([403, 'forbidden']);
  });

  it('unknown route → 404 route_not_found; a credential of another body reads as not found', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/nope' });
    expect([res.statusCode, res.json().code]).toEqual([404, 'route_not_found']);
    const vc = (await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: unsigned(t.issuer.did) } })).json().verifiableCredential;
    const stranger = (await t.login('certifying_officer', { issuerId: null })).headers;
    const got = await t.app.inject({ method: 'GET', url: `/credentials/${encodeURIComponent(vc.id)}`, headers: stranger });
    expect([got.statusCode, got.json().code]).toEqual([404, 'not_found']);
  });

  it('serves OpenAPI at /docs/json and health at /health', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const docs = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/credentials/issue', '/credentials/verify', '/presentations/verify']));
  });
});
