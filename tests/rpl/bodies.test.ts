import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { HOUSEKEEPING, rplFixture, type Headers, type RplFixture } from './fixtures.js';

/*
 * Two certifying bodies, A (the fixture's) and B. A returnee belongs to the body that registered them and to every
 * body holding a case of theirs, and each body sees only its own part.
 */

const BODY_B = 'body-b';
let t: TestContext;
let f: RplFixture;
let counsellorB: Headers;
let officerB: Headers;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: BODY_B, name: 'Body B', country: 'ID', didMethod: 'key' });
  counsellorB = (await t.login('counsellor', { issuerId: BODY_B })).headers;
  officerB = (await t.login('certifying_officer', { issuerId: BODY_B })).headers;
});
afterAll(async () => t.close());

async function registerWith(counsellor: Headers): Promise<{ id: string; email: string }> {
  const email = `returnee-${crypto.randomBytes(4).toString('hex')}@example.org`;
  const res = await t.app.inject({ method: 'POST', url: '/candidates', headers: counsellor, payload: { fullName: 'Siti Rahayu', email, sex: 'female', consent: { purpose: 'RPL' } } });
  expect(res.statusCode).toBe(201);
  return { id: res.json().id, email };
}

const openAt = async (headers: Headers, issuerId: string, candidateId?: string) =>
  t.app.inject({ method: 'POST', url: '/cases', headers, payload: { qualificationId: HOUSEKEEPING, issuerId, ...(candidateId ? { candidateId } : {}) } });

describe(`certifying bodies keep to their own returnees on ${testDialect}`, () => {
  it('a counsellor of body A can neither see, change the contact of, export nor erase a returnee of body B, nor sign in as them', async () => {
    const theirs = await registerWith(counsellorB);
    const before = await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', theirs.id).executeTakeFirstOrThrow();
    const attacker = `attacker-${crypto.randomBytes(3).toString('hex')}@example.org`;
    const attempts = [
      { method: 'GET' as const, url: `/candidates/${theirs.id}` },
      { method: 'PATCH' as const, url: `/candidates/${theirs.id}`, payload: { email: attacker } },
      { method: 'GET' as const, url: `/candidates/${theirs.id}/export` },
      { method: 'POST' as const, url: `/candidates/${theirs.id}/consent/withdraw` },
      { method: 'POST' as const, url: `/candidates/${theirs.id}/erasure` },
    ];
    for (const a of attempts) {
      const res = await t.app.inject({ ...a, headers: f.counsellor });
      expect([a.method, a.url, res.statusCode, res.json().code]).toEqual([a.method, a.url, 404, 'not_found']);
    }
    expect(await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', theirs.id).executeTakeFirstOrThrow()).toEqual(before);
    // The sign-in code for the attacker's address goes nowhere: no account has it.
    const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: attacker } });
    expect(asked.statusCode).toBe(202);
    expect(() => f.transport.lastCodeFor(attacker)).toThrow();
    // Their own body does see them.
    expect((await t.app.inject({ method: 'GET', url: `/candidates/${theirs.id}`, headers: counsellorB })).statusCode).toBe(200);
  });

  it('nobody but the returnee (or an admin with a reason) erases: a counsellor of their own body is refused', async () => {
    const ours = await registerWith(f.counsellor);
    const res = await t.app.inject({ method: 'POST', url: `/candidates/${ours.id}/erasure`, headers: f.counsellor });
    expect([res.statusCode, res.json().code]).toEqual([403, 'forbidden']);
    expect((await t.db.kysely.selectFrom('candidates').select('erased_at').where('id', '=', ours.id).executeTakeFirstOrThrow()).erased_at).toBeNull();
  });

  it('a returnee who applies to two bodies is seen by each for that body\'s case only, and each export holds that part', async () => {
    const both = await registerWith(counsellorB);
    const me = await f.candidateSession(both.email);
    const atA = (await openAt(me, t.issuer.id)).json().id as string;
    const atB = (await openAt(me, BODY_B)).json().id as string;

    for (const [who, headers, own, foreign] of [
      ['A', f.counsellor, atA, atB],
      ['B', counsellorB, atB, atA],
    ] as const) {
      expect([who, (await t.app.inject({ method: 'GET', url: `/candidates/${both.id}`, headers })).statusCode]).toEqual([who, 200]);
      expect([who, (await t.app.inject({ method: 'GET', url: `/cases/${own}`, headers })).statusCode]).toEqual([who, 200]);
      expect([who, (await t.app.inject({ method: 'GET', url: `/cases/${foreign}`, headers })).statusCode]).toEqual([who, 404]);
      const listed = (await t.app.inject({ method: 'GET', url: '/cases', headers })).json() as Array<{ id: string }>;
      expect([who, listed.some((c) => c.id === own), listed.some((c) => c.id === foreign)]).toEqual([who, true, false]);
      const exported = await t.app.inject({ method: 'GET', url: `/candidates/${both.id}/export`, headers });
      expect([who, exported.statusCode, exported.json().cases.map((c: { id: string }) => c.id)]).toEqual([who, 200, [own]]);
      const entry = await t.db.kysely.selectFrom('audit_log').select('data').where('action', '=', 'candidate.exported').where('subject_id', '=', both.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      expect(JSON.parse(entry.data)).toEqual({ cases: [own], credentials: [] });
    }
    // The returnee's own export holds both.
    const mine = await t.app.inject({ method: 'GET', url: `/candidates/${both.id}/export`, headers: me });
    expect(mine.json().cases.map((c: { id: string }) => c.id).sort()).toEqual([atA, atB].sort());
    // A counsellor of A opens cases for them at A only, not in B's name.
    expect((await openAt(f.counsellor, t.issuer.id, both.id)).statusCode).toBe(201);
    expect((await openAt(f.counsellor, BODY_B, both.id)).json().code).toBe('forbidden');
    // Other staff of B see B's case, not A's.
    expect((await t.app.inject({ method: 'GET', url: `/cases/${atA}`, headers: officerB })).statusCode).toBe(404);
  });

  it('an admin reads a returnee\'s data only with a stated reason, and each such read is in the audit chain', async () => {
    const r = await registerWith(f.counsellor);
    const me = await f.candidateSession(r.email);
    const caseId = (await openAt(me, t.issuer.id)).json().id as string;
    for (const url of [`/candidates/${r.id}`, `/candidates/${r.id}/export`, `/cases/${caseId}`, `/cases/${caseId}/evidence`]) {
      const refused = await t.app.inject({ method: 'GET', url, headers: f.admin });
      expect([url, refused.statusCode, refused.json().code]).toEqual([url, 403, 'reason_required']);
    }
    expect((await t.app.inject({ method: 'GET', url: '/cases', headers: f.admin })).json()).toEqual([]);
    const reason = 'complaint 2026-113 from the returnee';
    const withReason = { ...f.admin, 'x-tanda-access-reason': reason };
    const before = Number((await t.db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).where('action', '=', 'access.reasoned').executeTakeFirstOrThrow()).n);
    expect((await t.app.inject({ method: 'GET', url: `/candidates/${r.id}`, headers: withReason })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/cases/${caseId}`, headers: withReason })).statusCode).toBe(200);
    const entries = await t.db.kysely.selectFrom('audit_log').select(['case_id', 'subject_id', 'data']).where('action', '=', 'access.reasoned').orderBy('seq').execute();
    expect(entries.length).toBe(before + 2);
    expect(entries.slice(-2).map((e) => [e.case_id, e.subject_id, JSON.parse(e.data)])).toEqual([
      [null, r.id, { access: 'candidate.read', reason }],
      [caseId, null, { access: 'case.read', reason }],
    ]);
    // An admin changes no returnee's data, reason or not.
    const patched = await t.app.inject({ method: 'PATCH', url: `/candidates/${r.id}`, headers: withReason, payload: { sector: 'x' } });
    expect([patched.statusCode, patched.json().code]).toEqual([403, 'forbidden']);
  });
});
