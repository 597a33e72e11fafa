import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/rpl/passwords.js';
import { createUser } from '../../src/auth/tokens.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { FILES, housekeepingAssessment, multipart, rplFixture, type Headers, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;
let caseId: string;
let evidenceId: string;
let owner: Headers & { candidateId: string };
let stranger: Headers & { candidateId: string };

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  const a = await f.registerCandidate();
  const b = await f.registerCandidate();
  owner = { ...(await f.candidateSession(a.email)), candidateId: a.id };
  stranger = { ...(await f.candidateSession(b.email)), candidateId: b.id };
  caseId = (await f.openCase(owner)).id;
  const up = multipart({ kind: 'certificate_of_employment', title: 'COE' }, { name: 'coe.jpg', bytes: FILES.jpeg() });
  evidenceId = (await t.app.inject({ method: 'POST', url: `/cases/${caseId}/evidence`, headers: { ...owner, ...up.headers }, payload: up.payload })).json().id;
  await f.fire(caseId, owner, 'submit');
  await f.fire(caseId, f.counsellor, 'start_screening');
  await f.fire(caseId, f.counsellor, 'accept', { assessorId: f.assessor.userId });
});
afterAll(async () => t.close());

const evidenceReads = async () =>
  (await t.db.kysely.selectFrom('audit_log').select('seq').where('action', '=', 'evidence.read').where('subject_id', '=', evidenceId).execute()).length;

describe(`who sees what, on ${testDialect}`, () => {
  it('an assessor cannot read, list or judge a case assigned to another assessor', async () => {
    const urls = [`/cases/${caseId}`, `/cases/${caseId}/evidence`, `/cases/${caseId}/evidence/${evidenceId}/content`, `/cases/${caseId}/assessments`, `/cases/${caseId}/self-assessment`];
    for (const url of urls) {
      const res = await t.app.inject({ method: 'GET', url, headers: f.assessor2 });
      expect([url, res.statusCode, res.json().code]).toEqual([url, 404, 'not_found']);
      expect((await t.app.inject({ method: 'GET', url, headers: f.assessor })).statusCode).toBe(200);
    }
    const judge = await t.app.inject({ method: 'POST', url: `/cases/${caseId}/assessments`, headers: f.assessor2, payload: housekeepingAssessment(t.issuer.id, [evidenceId]) });
    expect(judge.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/cases', headers: f.assessor2 })).json()).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/cases', headers: f.assessor })).json().map((c: { id: string }) => c.id)).toEqual([caseId]);
  });

  it('a candidate cannot read another candidate\'s evidence, case or profile; the refusal reads nothing', async () => {
    const before = await evidenceReads();
    for (const url of [`/cases/${caseId}/evidence/${evidenceId}/content`, `/cases/${caseId}/evidence`, `/cases/${caseId}`, `/candidates/${owner.candidateId}`, `/candidates/${owner.candidateId}/export`]) {
      const res = await t.app.inject({ method: 'GET', url, headers: stranger });
      expect([url, res.statusCode]).toEqual([url, 404]);
    }
    expect(await evidenceReads()).toBe(before);
    const own = await t.app.inject({ method: 'GET', url: `/cases/${caseId}/evidence/${evidenceId}/content`, headers: owner });
    expect(own.statusCode).toBe(200);
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    expect(await evidenceReads()).toBe(before + 1);
    expect((await t.app.inject({ method: 'GET', url: '/cases', headers: stranger })).json()).toEqual([]);
  });

  it('staff of another certifying body, or of none, do not see the case', async () => {
    const { createIssuer } = await import('../../src/issuers/issuers.js');
    await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: 'other-body', name: 'Other Body', country: 'ID', didMethod: 'key' });
    const outsiders = {
      'officer of no body': (await t.login('certifying_officer', { issuerId: null })).headers,
      'counsellor of no body': (await t.login('counsellor', { issuerId: null })).headers,
      'moderator of another body': (await t.login('moderator', { issuerId: 'other-body' })).headers,
      'counsellor of another body': (await t.login('counsellor', { issuerId: 'other-body' })).headers,
    };
    for (const [who, headers] of Object.entries(outsiders)) {
      for (const url of [`/cases/${caseId}`, `/cases/${caseId}/evidence`, `/cases/${caseId}/assessments`, `/candidates/${owner.candidateId}`]) {
        const res = await t.app.inject({ method: 'GET', url, headers });
        expect([who, url, res.statusCode, res.json().code]).toEqual([who, url, 404, 'not_found']);
      }
      expect([who, (await t.app.inject({ method: 'GET', url: '/cases', headers })).json()]).toEqual([who, []]);
    }
    // The case's own body does see it.
    expect((await t.app.inject({ method: 'GET', url: `/cases/${caseId}`, headers: f.moderator })).statusCode).toBe(200);
  });

  it('an unauthenticated client can write nothing: every RPL write route answers 401 and the database is unchanged', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const open = new Set(['/auth/login', '/auth/candidate/code', '/auth/candidate/verify']);
    const writes = Object.entries(spec.paths)
      .filter(([p]) => /^\/(candidates|cases|staff|audit|rpl|auth)\b/.test(p) && !open.has(p))
      .flatMap(([p, methods]) => Object.keys(methods).filter((m) => ['post', 'put', 'patch', 'delete'].includes(m)).map((m) => [m.toUpperCase(), p] as const));
    expect(writes.length).toBeGreaterThanOrEqual(12);
    const count = async () => Promise.all((['audit_log', 'rpl_cases', 'candidates', 'evidence_items', 'users'] as const).map(async (tb) => (await t.db.kysely.selectFrom(tb).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));
    const before = await count();
    for (const [method, path] of writes) {
      const url = path.replace('{id}', caseId).replace('{evidenceId}', evidenceId);
      const res = await t.app.inject({ method, url, payload: {} });
      expect([method, path, res.statusCode]).toEqual([method, path, 401]);
    }
    expect(await count()).toEqual(before);
  });

  it('staff sign in with a password for an expiring session; logout ends it; a wrong password is refused', async () => {
    await createUser(t.db.kysely, { name: 'Lorna', email: 'lorna@body.example', role: 'moderator', issuerId: t.issuer.id, passwordHash: await hashPassword('correct horse battery') });
    const bad = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'lorna@body.example', password: 'wrong password!!' } });
    expect([bad.statusCode, bad.json().code]).toEqual([401, 'invalid_credentials']);
    const unknown = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'nobody@body.example', password: 'correct horse battery' } });
    expect(unknown.json().code).toBe('invalid_credentials');
    const ok = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'Lorna@body.example', password: 'correct horse battery' } });
    expect(ok.statusCode).toBe(200);
    const session = { authorization: `Bearer ${ok.json().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: session })).json()).toMatchObject({ role: 'moderator' });
    const stored = await t.db.kysely.selectFrom('users').select('password_hash').where('email', '=', 'lorna@body.example').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect((await t.app.inject({ method: 'POST', url: '/auth/logout', headers: session })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: session })).json().code).toBe('invalid_credentials');

    const again = (await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'lorna@body.example', password: 'correct horse battery' } })).json();
    await t.db.kysely.updateTable('sessions').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('revoked_at', 'is', null).execute();
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${again.token}` } })).statusCode).toBe(401);
  });

  it('an admin creates staff with a password; a short password is refused', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/staff', headers: f.admin, payload: { name: 'Ramon', email: 'ramon@body.example', role: 'assessor', issuerId: t.issuer.id, password: 'a long enough secret' } });
    expect(created.statusCode).toBe(201);
    const short = await t.app.inject({ method: 'POST', url: '/staff', headers: f.admin, payload: { name: 'X', email: 'x@body.example', role: 'assessor', password: 'short' } });
    expect(short.statusCode).toBe(400);
    const byCounsellor = await t.app.inject({ method: 'POST', url: '/staff', headers: f.counsellor, payload: { name: 'Y', email: 'y@body.example', role: 'admin', password: 'a long enough secret' } });
    expect(byCounsellor.statusCode).toBe(403);
  });
});
