import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typicalCredential } from '../../bench/credentials.js';
import { issueAward } from '../../src/awards/award-service.js';
import { signCredential } from '../../src/credentials/sign.js';
import { listAllQualifications } from '../../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import type { Qualification } from '../../src/frameworks/types.js';
import { bundledContexts } from '../../src/jsonld/index.js';
import { trustBundleService } from '../../src/trust/service.js';
import { verifyCredentialDocument } from '../../src/verifier/pipeline.js';
import { createVerifierData } from '../../src/verifier/verifier-data.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge, officerOf } from '../helpers/credentials.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;
let officer: { authorization: string };
let officerId: string;
let housekeeping: Qualification;

/** What any W3C VC API client may ask a body to sign: it claims nothing of the registry's catalogue. */
const unsigned = (did: string) => badge(did);
type Check = { id: string; valid: boolean; status: string; code?: string };
const check = (checks: Check[], id: string) => checks.find((c) => c.id === id);
const issue = (credential: Record<string, unknown>, options?: object) =>
  t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential, ...(options ? { options } : {}) } });

/** The offline verifier's verdict with this instance's own trust bundle, as an employer's phone would reach it. */
async function offlineVerdict(credential: unknown) {
  trustBundleService(t.services).invalidate();
  const { bundle } = await trustBundleService(t.services).current();
  return verifyCredentialDocument(credential, await createVerifierData(bundle, bundledContexts()));
}

beforeAll(async () => {
  t = await createTestContext();
  const login = await t.login('certifying_officer');
  officer = login.headers;
  officerId = login.userId;
  await seedRegistry(t.db.kysely, { issuers: [t.issuer.id] });
  housekeeping = (await listAllQualifications(t.db.kysely)).find((q) => q.code === 'DEMO-TESDA-HSK-NC2')!;
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
    expect(proofOnly.json().notChecked).toEqual(['validity', 'status']);
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

describe(`no ungoverned credential on ${testDialect}`, () => {
  /** A credential shaped exactly like the body's award for a catalogue qualification, as an officer could send it. */
  const catalogueCopy = () => {
    const c = typicalCredential(t.issuer.did) as { credentialSubject: { achievement: Record<string, unknown> } } & Record<string, unknown>;
    c.credentialSubject.achievement.id = housekeeping.id;
    return c;
  };

  it('refuses an officer\'s credential for a catalogue qualification, however it names it', async () => {
    const byId = await issue(catalogueCopy());
    expect([byId.statusCode, byId.json().code]).toEqual([400, 'registry_claim_not_allowed']);

    // Each variant is a clean badge plus one claim, so each refusal is for that claim alone.
    const unit = housekeeping.units[0]!;
    const aliases: Array<[string, Record<string, unknown>]> = [
      ['an upper-case host', { id: housekeeping.id.replace('https://tanda.example', 'HTTPS://TANDA.EXAMPLE') }],
      ['the catalogue code alone', { humanCode: housekeeping.code }],
      ['a unit of the catalogue', { alignment: [{ type: ['Alignment'], targetName: 'Housekeeping', targetUrl: unit.unitId }] }],
      ['a unit code', { alignment: [{ type: ['Alignment'], targetName: unit.code, targetUrl: 'https://training.example/u/1' }] }],
      ['its title', { name: housekeeping.titles.en }],
    ];
    const clean = await issue(unsigned(t.issuer.did));
    expect(clean.statusCode).toBe(201);
    for (const [name, claim] of aliases) {
      const c = unsigned(t.issuer.did) as unknown as { credentialSubject: { achievement: Record<string, unknown> } } & Record<string, unknown>;
      Object.assign(c.credentialSubject.achievement, claim);
      const res = await issue(c);
      expect([name, res.statusCode, res.json().code]).toEqual([name, 400, 'registry_claim_not_allowed']);
    }
    // A compact IRI through an inline context: no string in the JSON names the registry, its RDF does.
    const compact = unsigned(t.issuer.did) as unknown as { '@context': unknown[]; credentialSubject: { achievement: Record<string, unknown> } } & Record<string, unknown>;
    compact['@context'] = [...compact['@context'], { q: 'https://tanda.example/' }];
    compact.credentialSubject.achievement.id = `q:${housekeeping.id.slice('https://tanda.example/'.length)}`;
    expect(JSON.stringify(compact)).not.toMatch(/tanda\.example\/(qualifications|units|frameworks)/);
    const viaRdf = await issue(compact);
    expect([viaRdf.statusCode, viaRdf.json().code]).toEqual([400, 'registry_claim_not_allowed']);

    const rows = await t.db.kysely.selectFrom('credentials').select('id').where('issuer_id', '=', t.issuer.id).execute();
    const audited = await t.db.kysely.selectFrom('audit_log').select('subject_id').where('action', '=', 'credential.issue').execute();
    expect(audited.length).toBe(rows.length);
  });

  it('issues a credential claiming nothing of the registry, audits it, and no verifier calls it a registry qualification', async () => {
    const res = await issue(unsigned(t.issuer.did));
    expect(res.statusCode).toBe(201);
    const vc = res.json().verifiableCredential;

    const entry = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'credential.issue').where('subject_id', '=', vc.id).executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(officerId);
    // Ids only: the holder's name is in the credential, never in the chain.
    expect(JSON.parse(entry.data)).toEqual({ kind: 'general', issuerId: t.issuer.id, qualificationId: null });
    expect(entry.data).not.toContain('Siti');

    const online = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc } });
    expect(online.statusCode).toBe(200);
    expect(check(online.json().checks, 'registry_award')).toMatchObject({ valid: false, code: 'not_registry_award' });

    const offline = await offlineVerdict(vc);
    expect(offline.verdict).toBe('INVALID');
    expect(check(offline.checks, 'signature')).toMatchObject({ valid: true });
    expect(check(offline.checks, 'issuer_known')).toMatchObject({ valid: true });
    expect(check(offline.checks, 'registry_award')).toMatchObject({ status: 'fail', code: 'not_registry_award' });
  });

  it('recognises the body\'s registry award as one, online and offline', async () => {
    const award = await issueAward(t.services, await officerOf(t), {
      issuerId: t.issuer.id,
      qualificationId: housekeeping.id,
      achievedUnitIds: housekeeping.units.filter((u) => u.kind === 'core').map((u) => u.unitId),
      holder: { name: 'Rosalinda Reyes' },
    });
    const online = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: award.credential } });
    expect(online.statusCode).toBe(200);
    expect(check(online.json().checks, 'registry_award')).toMatchObject({ valid: true, status: 'pass' });
    const offline = await offlineVerdict(award.credential);
    // The demo PQF → AQRF mapping is provisional: a note beside the level, not a warning.
    expect(offline.verdict).toBe('VALID');
    expect(offline.checks.filter((c) => c.status !== 'pass').map((c) => `${c.code}:${c.status}`)).toEqual(['aqrf_provisional:info']);
    expect(check(offline.checks, 'registry_award')).toMatchObject({ status: 'pass' });
  });
});

describe(`every credential is revocable on ${testDialect}`, () => {
  it('refuses a caller-chosen status entry, under any name, and allocates its own', async () => {
    const chosen = [
      { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '99999999999', statusListCredential: 'https://tanda.test/status/abcdefgh' },
      { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '4', statusListCredential: 'https://other-body.example/status/1' },
    ];
    for (const credentialStatus of chosen) {
      const res = await issue({ ...unsigned(t.issuer.did), credentialStatus });
      expect([res.statusCode, res.json().code]).toEqual([400, 'credential_status_not_allowed']);
    }
    const fullIri = await issue({ ...unsigned(t.issuer.did), 'https://www.w3.org/2018/credentials#credentialStatus': { '@id': 'https://tanda.test/status/abcdefgh#5' } });
    expect([fullIri.statusCode, fullIri.json().code]).toEqual([400, 'credential_status_not_allowed']);

    // The VC API option may name the one type there is; it cannot turn allocation off, and without it there is one too.
    for (const options of [undefined, { credentialStatus: { type: 'BitstringStatusListEntry' } }]) {
      const vc = (await issue(unsigned(t.issuer.did), options)).json().verifiableCredential;
      const stored = await t.db.kysely.selectFrom('status_entries').innerJoin('status_lists', 'status_lists.id', 'status_entries.list_id').select(['idx', 'kind', 'status_lists.id as list']).where('credential_id', '=', vc.id).executeTakeFirstOrThrow();
      expect(vc.credentialStatus).toEqual({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(stored.idx), statusListCredential: `https://tanda.test/status/${stored.list}` });
      expect(stored.kind).toBe('general');
    }
  });

  it('does not call a registry body\'s credential without a status entry verified', async () => {
    // As main signed them before every credential got an entry: the body's own key, no credentialStatus.
    const key = await t.services.keys.currentKey(t.issuer.id);
    const legacy = await signCredential(unsigned(t.issuer.did), { signer: key.signer, documentLoader: t.services.documentLoader });
    const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: legacy } });
    expect(res.statusCode).toBe(400);
    expect(res.json().verified).toBe(false);
    expect(check(res.json().checks, 'status')).toMatchObject({ valid: false, code: 'status_missing' });
    expect((await offlineVerdict(legacy)).checks.find((c) => c.id === 'status')).toMatchObject({ status: 'fail', code: 'status_missing' });
  });
});

describe(`verification asks are honest on ${testDialect}`, () => {
  it('an empty or partial checks list still checks the proof and says what it did not check', async () => {
    const vc = (await issue(unsigned(t.issuer.did))).json().verifiableCredential;
    const tampered = structuredClone(vc);
    tampered.credentialSubject.identifier[0].identityHash = 'Someone Else';
    for (const checks of [[], ['status'], ['validity', 'status']]) {
      const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: tampered, options: { checks } } });
      expect([JSON.stringify(checks), res.statusCode, res.json().verified]).toEqual([JSON.stringify(checks), 400, false]);
      expect(check(res.json().checks, 'signature')).toMatchObject({ valid: false, code: 'invalid_signature' });
    }
    const empty = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc, options: { checks: [] } } });
    expect(empty.statusCode).toBe(200);
    expect(empty.json().notChecked).toEqual(['validity', 'status']);

    const vp = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [tampered] };
    const presented = await t.app.inject({ method: 'POST', url: '/presentations/verify', payload: { verifiablePresentation: vp, options: { checks: [] } } });
    expect(presented.statusCode).toBe(400);
    expect(presented.json().credentials[0]).toMatchObject({ verified: false, notChecked: ['validity', 'status'] });
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
