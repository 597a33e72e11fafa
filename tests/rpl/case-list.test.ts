import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { importCohort } from '../../src/rpl/cohort-import.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { HONG_KONG_CENTRE, HOUSEKEEPING, rplFixture, type RplFixture } from './fixtures.js';

/*
 * GET /cases as the staff console's "my cases" and moderation queue use it: the filters narrow the caller's own
 * scope (never widen it), X-Total-Count counts every match, and another body's cases never show.
 */

let t: TestContext;
let f: RplFixture;
let hkCases: string[];
let dubaiCases: string[];
const OTHER = 'case-list-other-body';
const ALL_C = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';
const HEADER = 'full_name,name_latin,email,consent_purpose,decisions,methods';

const list = async (headers: Record<string, string>, query = '') => {
  const res = await t.app.inject({ method: 'GET', url: `/cases${query}`, headers });
  return { status: res.statusCode, total: res.headers['x-total-count'], body: res.json() };
};

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  const assessor = { id: f.assessor.userId, role: 'assessor' as const, issuerId: t.issuer.id };
  const hk = await importCohort(t.services.rpl, assessor, [
    HEADER,
    `Rosa Mendoza,,rosa@example.org,RPL,${ALL_C},observation`,
    `Jun_Bautista 100%,,jun@example.org,RPL,${ALL_C},observation`,
    `Ανна Παππά,Anna Pappa,anna@example.org,RPL,${ALL_C},observation`,
  ].join('\n'), { issuerId: t.issuer.id, qualification: HOUSEKEEPING, assessorId: f.assessor.userId, centreId: HONG_KONG_CENTRE(t.issuer.id), assessedOn: '2026-06-22', cohortRef: 'HK' });
  hkCases = hk.rows.map((r) => r.caseId!);
  const dubai = await importCohort(t.services.rpl, assessor, [HEADER, `Liza Go,,liza@example.org,RPL,${ALL_C},observation`].join('\n'), {
    issuerId: t.issuer.id, qualification: HOUSEKEEPING, assessorId: f.assessor.userId, country: 'AE', assessedOn: '2026-06-23', cohortRef: 'AE',
  });
  dubaiCases = dubai.rows.map((r) => r.caseId!);
  await t.db.kysely.updateTable('rpl_cases').set({ created_at: '2026-06-23T08:00:00.000Z' }).where('id', 'in', dubaiCases).execute();
  await t.db.kysely.updateTable('rpl_cases').set({ created_at: '2026-06-22T08:00:00.000Z' }).where('id', 'in', hkCases).execute();
}, 60_000);
afterAll(async () => t.close());

describe(`GET /cases filters on ${testDialect}`, () => {
  it('gives a moderator of the body the decided cases to moderate (the moderation queue), with the count', async () => {
    const queue = await list(f.moderator, '?state=decided');
    expect(queue.status).toBe(200);
    expect(queue.body.map((c: { id: string }) => c.id).sort()).toEqual([...hkCases, ...dubaiCases].sort());
    expect(queue.total).toBe('4');
    // What the moderator may fire there: confirm or send back.
    expect(queue.body[0].allowedEvents.sort()).toEqual(['confirm', 'return_to_assessor']);
  });

  it('a moderator returns a decision only with a reason for the assessor, who sees it on the case', async () => {
    const [id] = dubaiCases;
    const version = (await t.app.inject({ method: 'GET', url: `/cases/${id}`, headers: f.moderator })).json().version;
    const bare = await t.app.inject({ method: 'POST', url: `/cases/${id}/transitions`, headers: f.moderator, payload: { event: 'return_to_assessor', version } });
    expect([bare.statusCode, bare.json().code]).toEqual([400, 'validation_failed']);
    const blank = await t.app.inject({ method: 'POST', url: `/cases/${id}/transitions`, headers: f.moderator, payload: { event: 'return_to_assessor', version, note: '  ' } });
    expect([blank.statusCode, blank.json().code]).toEqual([400, 'validation_failed']);
    const returned = await t.app.inject({ method: 'POST', url: `/cases/${id}/transitions`, headers: f.moderator, payload: { event: 'return_to_assessor', version, note: 'Unit TRS5123122: no evidence named.' } });
    expect(returned.json()).toMatchObject({ state: 'assessment', moderationNote: 'Unit TRS5123122: no evidence named.' });
    expect((await t.app.inject({ method: 'GET', url: `/cases/${id}`, headers: f.assessor })).json().moderationNote).toBe('Unit TRS5123122: no evidence named.');
    // Back to the queue's state for the tests that follow.
    await t.db.kysely.updateTable('rpl_cases').set({ state: 'decided' }).where('id', '=', id!).execute();
  });

  it('narrows by qualification, centre and the day the case was opened', async () => {
    expect((await list(f.moderator, `?qualificationId=${encodeURIComponent(HOUSEKEEPING)}`)).total).toBe('4');
    expect((await list(f.moderator, '?qualificationId=no-such-qualification')).body).toEqual([]);
    const atCentre = await list(f.moderator, `?centreId=${HONG_KONG_CENTRE(t.issuer.id)}`);
    expect(atCentre.body.map((c: { id: string }) => c.id).sort()).toEqual([...hkCases].sort());
    expect((await list(f.moderator, '?from=2026-06-23')).body.map((c: { id: string }) => c.id)).toEqual(dubaiCases);
    expect((await list(f.moderator, '?to=2026-06-22')).total).toBe('3');
    expect((await list(f.moderator, '?from=2026-06-22&to=2026-06-22')).total).toBe('3');
    expect((await list(f.moderator, '?from=2026-06-24')).total).toBe('0');
  });

  it('searches by part of the name in any case and script, the Latin name, or the start of the case id; wildcards are literal', async () => {
    const names = async (q: string) => (await list(f.moderator, `?q=${encodeURIComponent(q)}`)).body.map((c: { candidateName: string }) => c.candidateName).sort();
    expect(await names('MENDOZA')).toEqual(['Rosa Mendoza']);
    expect(await names('pappa')).toEqual(['Ανна Παππά']);
    expect(await names('Παππά')).toEqual(['Ανна Παππά']);
    expect(await names('_')).toEqual(['Jun_Bautista 100%']);
    expect(await names('%')).toEqual(['Jun_Bautista 100%']);
    expect(await names(dubaiCases[0]!.slice(0, 8))).toEqual(['Liza Go']);
    expect(await names('nobody')).toEqual([]);
  });

  it('pages with limit and offset while the count stays the whole match', async () => {
    const first = await list(f.moderator, '?limit=3');
    const second = await list(f.moderator, '?limit=3&offset=3');
    expect([first.body.length, second.body.length, first.total, second.total]).toEqual([3, 1, '4', '4']);
    expect(new Set([...first.body, ...second.body].map((c: { id: string }) => c.id)).size).toBe(4);
  });

  it('shows another body\'s staff none of these cases, whatever the filter, and an assessor only the cases assigned to them', async () => {
    await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER, name: 'Other Body', country: 'ID', didMethod: 'key' });
    for (const role of ['moderator', 'certifying_officer', 'counsellor', 'assessor'] as const) {
      const { headers } = await t.login(role, { issuerId: OTHER });
      const seen = await list(headers, `?q=rosa&centreId=${HONG_KONG_CENTRE(t.issuer.id)}`);
      expect([role, seen.body, seen.total]).toEqual([role, [], '0']);
      expect((await list(headers)).total).toBe('0');
    }
    expect((await list(f.assessor)).total).toBe('4');
    expect((await list(f.assessor2)).total).toBe('0');
  });

  it('refuses malformed filters with 400 validation_failed', async () => {
    for (const query of ['?from=22-06-2026', '?to=yesterday', '?q=', '?limit=0', '?state=lost']) {
      const res = await t.app.inject({ method: 'GET', url: `/cases${query}`, headers: f.moderator });
      expect([query, res.statusCode, res.json().code]).toEqual([query, 400, 'validation_failed']);
    }
  });
});
