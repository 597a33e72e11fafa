import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { FILES, HONG_KONG_CENTRE, HOUSEKEEPING, HOUSEKEEPING_UNITS, multipart, rplFixture, type Headers, type RplFixture } from '../rpl/fixtures.js';

let t: TestContext;
let f: RplFixture;
const OTHER = 'console-other-body';
let otherOfficer: Headers;
let otherAssessor: Headers;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER, name: 'Other Body', country: 'ID', didMethod: 'key' });
  otherOfficer = (await t.login('certifying_officer', { issuerId: OTHER })).headers;
  otherAssessor = (await t.login('assessor', { issuerId: OTHER })).headers;
}, 60_000);
afterAll(async () => t.close());

/** A case of a fresh returnee, taken through the workflow to assessment with `assessor`, with one evidence photo. */
async function caseInAssessment(assessor: Headers & { userId: string } = f.assessor): Promise<{ id: string; evidenceId: string }> {
  const c = await f.registerCandidate();
  const opened = await t.app.inject({ method: 'POST', url: '/cases', headers: f.counsellor, payload: { qualificationId: HOUSEKEEPING, issuerId: t.issuer.id, candidateId: c.id } });
  const id = opened.json().id as string;
  const up = multipart({ kind: 'work_photo', title: 'Bed making' }, { name: 'bed.jpg', bytes: FILES.jpeg() });
  const evidenceId = (await t.app.inject({ method: 'POST', url: `/cases/${id}/evidence`, headers: { ...f.counsellor, ...up.headers }, payload: up.payload })).json().id as string;
  for (const [event, extra] of [['submit', {}], ['start_screening', {}], ['accept', { assessorId: assessor.userId }]] as const) {
    const res = await f.fire(id, f.counsellor, event, extra);
    if (res.statusCode !== 200) throw new Error(`${event}: ${res.statusCode} ${JSON.stringify(res.body)}`);
  }
  return { id, evidenceId };
}

const today = () => new Date().toISOString().slice(0, 10);
function event(caseId: string, baseVersion: number, unitId: string, over: { decision?: 'competent' | 'not_yet_competent'; notes?: string; evidenceIds?: string[] } = {}) {
  const decision = over.decision ?? 'competent';
  return {
    id: crypto.randomUUID(),
    caseId,
    baseVersion,
    recordedAt: new Date().toISOString(),
    type: 'unit_decision',
    assessedOn: today(),
    centreId: HONG_KONG_CENTRE(t.issuer.id),
    country: null,
    unit: {
      unitId,
      methods: ['observation', 'interview'],
      evidenceIds: over.evidenceIds ?? [],
      quality: { valid: true, authentic: true, current: true, sufficient: decision === 'competent' },
      decision,
      notes: over.notes ?? 'Observed in the training room.',
    },
  };
}

const offlineDay = (headers: Headers, caseIds: string[]) => t.app.inject({ method: 'POST', url: '/console/offline-days', headers, payload: { caseIds } });
const sync = (headers: Headers, events: unknown[]) => t.app.inject({ method: 'POST', url: '/console/sync', headers, payload: { events } });
const conflicts = (headers: Record<string, string>, state?: string) => t.app.inject({ method: 'GET', url: `/console/conflicts${state ? `?state=${state}` : ''}`, headers });
const resolve = (headers: Headers, id: string, action: string, note?: string) => t.app.inject({ method: 'POST', url: `/console/conflicts/${id}/resolution`, headers, payload: { action, ...(note ? { note } : {}) } });
const unitRow = (caseId: string, unitId: string) => t.db.kysely.selectFrom('unit_assessments').selectAll().where('case_id', '=', caseId).where('unit_id', '=', unitId).executeTakeFirst();
const count = async (table: 'offline_packages' | 'unit_assessments' | 'sync_conflicts' | 'console_sync_events') => Number((await t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe(`the offline package, on ${testDialect}`, () => {
  it('holds each case with its qualification units, the returnee\'s name only, evidence metadata and this round\'s judgements; audited per case', async () => {
    const a = await caseInAssessment();
    const b = await caseInAssessment();
    // One unit judged online before the day: the package carries it.
    const online = await t.app.inject({ method: 'POST', url: `/cases/${a.id}/assessments`, headers: f.assessor, payload: { assessedOn: today(), centreId: HONG_KONG_CENTRE(t.issuer.id), units: [event(a.id, 1, HOUSEKEEPING_UNITS[0]!).unit] } });
    expect(online.statusCode).toBe(200);
    const res = await offlineDay(f.assessor, [a.id, b.id]);
    expect(res.statusCode).toBe(201);
    const day = res.json();
    expect(day.cases.map((c: { id: string }) => c.id)).toEqual([a.id, b.id]);
    const ca = day.cases[0];
    // What the policy lets the assessor fire on the case, as the case view says online: the device offers decide from it.
    expect(ca).toMatchObject({ state: 'assessment', version: await f.version(a.id), round: 1, packagedAt: day.createdAt, allowedEvents: ['decide'] });
    expect(Object.keys(ca.candidate).sort()).toEqual(['id', 'name']);
    expect(ca.qualification.id).toBe(HOUSEKEEPING);
    expect(ca.qualification.units.map((u: { id: string }) => u.id).sort()).toEqual([...HOUSEKEEPING_UNITS].sort());
    expect(ca.qualification.units.every((u: { code: string; title: string; core: boolean }) => u.code && u.title && typeof u.core === 'boolean')).toBe(true);
    expect(ca.evidence).toEqual([{ id: a.evidenceId, kind: 'work_photo', title: 'Bed making', mediaType: 'image/jpeg', size: expect.any(Number) }]);
    expect(ca.assessments.map((x: { unitId: string; decision: string }) => [x.unitId, x.decision])).toEqual([[HOUSEKEEPING_UNITS[0], 'competent']]);
    expect(day.cases[1].assessments).toEqual([]);
    const audited = await t.db.kysely.selectFrom('audit_log').select(['case_id', 'subject_id']).where('action', '=', 'case.packaged_offline').where('subject_id', '=', day.id).execute();
    expect(audited.map((r) => r.case_id).sort()).toEqual([a.id, b.id].sort());
  });

  it('refuses the whole day, naming the ids, when a case is not the assessor\'s to assess now', async () => {
    const mine = await caseInAssessment();
    const theirs = await caseInAssessment(f.assessor2);
    const before = await count('offline_packages');
    const hidden = await offlineDay(f.assessor, [mine.id, theirs.id, 'no-such-case']);
    expect([hidden.statusCode, hidden.json().code, hidden.json().details]).toEqual([404, 'not_found', { caseIds: [theirs.id, 'no-such-case'] }]);
    // Withdrawn by the returnee's counsellor: still the assessor's, no longer assessable.
    await f.fire(mine.id, f.counsellor, 'withdraw');
    const closed = await offlineDay(f.assessor, [mine.id]);
    expect([closed.statusCode, closed.json().code, closed.json().details]).toEqual([409, 'case_not_assessable', { caseIds: [mine.id] }]);
    expect((await offlineDay(f.counsellor, [mine.id])).json().code).toBe('forbidden');
    expect((await offlineDay(otherAssessor, [theirs.id])).json().code).toBe('not_found');
    const dup = await offlineDay(f.assessor, [theirs.id, theirs.id]);
    expect([dup.statusCode, dup.json().code]).toEqual([400, 'validation_failed']);
    expect(await count('offline_packages')).toBe(before);
  });
});

describe(`sync, on ${testDialect}`, () => {
  it('applies every unit through the recording rules, answers a resend as duplicate without applying twice, and refuses a reused id with another body', async () => {
    const c = await caseInAssessment();
    const day = (await offlineDay(f.assessor, [c.id])).json();
    const version = day.cases[0].version as number;
    const events = HOUSEKEEPING_UNITS.map((u, i) => event(c.id, version, u, { decision: i === 5 ? 'not_yet_competent' : 'competent', evidenceIds: [c.evidenceId] }));
    const first = await sync(f.assessor, events);
    expect(first.statusCode).toBe(200);
    expect(first.json().results).toEqual(events.map((e) => ({ id: e.id, status: 'applied' })));
    expect(first.json().cases).toEqual([{ id: c.id, version, state: 'assessment' }]);
    const rows = await t.db.kysely.selectFrom('unit_assessments').selectAll().where('case_id', '=', c.id).execute();
    expect(rows.map((r) => [r.unit_id, r.assessor_id, r.decision, r.country]).sort()).toEqual(
      HOUSEKEEPING_UNITS.map((u, i) => [u, f.assessor.userId, i === 5 ? 'not_yet_competent' : 'competent', 'HK']).sort(),
    );
    const audits = async () => (await t.db.kysely.selectFrom('audit_log').select('seq').where('case_id', '=', c.id).where('action', '=', 'case.units_assessed').execute()).length;
    expect(await audits()).toBe(6);

    const again = await sync(f.assessor, events);
    expect(again.json().results).toEqual(events.map((e) => ({ id: e.id, status: 'duplicate', firstStatus: 'applied' })));
    expect(await audits()).toBe(6);

    const fresh = event(c.id, version, HOUSEKEEPING_UNITS[0]!, { notes: 'fresh' });
    const reused = { ...events[1]!, unit: { ...events[1]!.unit, notes: 'changed under the same id' } };
    const refused = await sync(f.assessor, [fresh, reused]);
    expect([refused.statusCode, refused.json().code, refused.json().details]).toEqual([400, 'sync_event_mismatch', { eventIds: [reused.id] }]);
    expect((await unitRow(c.id, HOUSEKEEPING_UNITS[0]!))!.notes).not.toBe('fresh');
    expect(await audits()).toBe(6);
  });

  it('applies the device\'s own later correction of a unit it synced before, in order within the case', async () => {
    const c = await caseInAssessment();
    const version = (await offlineDay(f.assessor, [c.id])).json().cases[0].version as number;
    const unit = HOUSEKEEPING_UNITS[2]!;
    const firstBatch = await sync(f.assessor, [event(c.id, version, unit, { decision: 'competent' })]);
    expect(firstBatch.json().results[0].status).toBe('applied');
    const later = [event(c.id, version, unit, { decision: 'not_yet_competent', notes: 'second look' }), event(c.id, version, unit, { decision: 'competent', notes: 'third look' })];
    const res = await sync(f.assessor, later);
    expect(res.json().results.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied']);
    expect((await unitRow(c.id, unit))!.notes).toBe('third look');
  });

  it('keeps as conflicts, not applied, events on a withdrawn case, a reassigned case, a unit judged by someone else and one judged otherwise meanwhile', async () => {
    const withdrawn = await caseInAssessment();
    const reassigned = await caseInAssessment();
    const judged = await caseInAssessment();
    const day = (await offlineDay(f.assessor, [withdrawn.id, reassigned.id, judged.id])).json();
    const v = Object.fromEntries(day.cases.map((c: { id: string; version: number }) => [c.id, c.version]));
    const [u0, u1, u2] = HOUSEKEEPING_UNITS as [string, string, string];

    await f.fire(withdrawn.id, f.counsellor, 'withdraw');
    // The appeal route to a new assessor (decide, appeal, assign_reassessor) ends here: another assessor, a new version.
    await t.db.kysely.updateTable('rpl_cases').set({ assessor_id: f.assessor2.userId, previous_assessor_id: f.assessor.userId, version: v[reassigned.id] + 1 }).where('id', '=', reassigned.id).execute();
    // The assessor judged u0 online in the meantime, otherwise than on the device.
    const online = event(judged.id, v[judged.id], u0, { decision: 'not_yet_competent', notes: 'online' });
    expect((await t.app.inject({ method: 'POST', url: `/cases/${judged.id}/assessments`, headers: f.assessor, payload: { assessedOn: today(), centreId: HONG_KONG_CENTRE(t.issuer.id), units: [online.unit] } })).statusCode).toBe(200);
    // u1 was recorded under another assessor's name meanwhile (a cohort import of the day's paper forms does that).
    const byOther = event(judged.id, v[judged.id], u1, { notes: 'paper form' }).unit;
    await t.db.kysely
      .insertInto('unit_assessments')
      .values({ case_id: judged.id, round: 1, unit_id: u1, assessor_id: f.assessor2.userId, methods: JSON.stringify(byOther.methods), evidence_ids: '[]', quality: JSON.stringify(byOther.quality), decision: 'competent', notes: 'paper form', centre_id: null, country: 'HK', assessed_on: today(), updated_at: new Date().toISOString() })
      .execute();

    const events = [
      event(withdrawn.id, v[withdrawn.id], u0),
      event(reassigned.id, v[reassigned.id], u0),
      event(judged.id, v[judged.id], u0, { decision: 'competent', notes: 'device' }),
      event(judged.id, v[judged.id], u1, { decision: 'not_yet_competent', notes: 'device' }),
      event(judged.id, v[judged.id], u2),
    ];
    const res = await sync(f.assessor, events);
    expect(res.statusCode).toBe(200);
    const results = res.json().results as Array<{ id: string; status: string; reason?: string; conflictId?: string }>;
    expect(results.map((r) => [r.status, r.reason ?? null])).toEqual([
      ['conflict', 'case_changed'],
      ['conflict', 'case_reassigned'],
      ['conflict', 'unit_judged_differently'],
      ['conflict', 'unit_judged_by_other'],
      ['applied', null],
    ]);
    // Nothing of a conflict was written over: the server's judgements stand.
    expect((await unitRow(judged.id, u0))!.notes).toBe('online');
    expect((await unitRow(judged.id, u1))!.assessor_id).toBe(f.assessor2.userId);
    expect(await unitRow(withdrawn.id, u0)).toBeUndefined();
    // The reassigned case is no longer the assessor's: left out of where cases stand.
    expect(res.json().cases.map((c: { id: string }) => c.id).sort()).toEqual([withdrawn.id, judged.id].sort());

    const list = (await conflicts(f.assessor, 'open')).json() as Array<{ id: string; eventId: string; reason: string; serverView: { case: { state?: string; assignedToYou: boolean }; unit: { notes: string } | null }; candidateName: string; caseId: string }>;
    const byEvent = new Map(list.map((c) => [c.eventId, c]));
    expect(byEvent.get(events[0]!.id)).toMatchObject({ caseId: withdrawn.id, reason: 'case_changed', candidateName: 'Maricel Dela Cruz', serverView: { case: { state: 'withdrawn', assignedToYou: true } } });
    expect(byEvent.get(events[1]!.id)?.serverView).toEqual({ case: { assignedToYou: false }, unit: null });
    expect(byEvent.get(events[2]!.id)?.serverView.unit?.notes).toBe('online');
    expect(byEvent.get(events[3]!.id)?.serverView.unit?.notes).toBe('paper form');

    // A resend of the conflicted events answers their first result.
    const again = await sync(f.assessor, events.slice(0, 2));
    expect(again.json().results).toEqual(results.slice(0, 2).map((r) => ({ id: r.id, status: 'duplicate', firstStatus: 'conflict', conflictId: r.conflictId, reason: r.reason })));
  });

  it('compares each event with the package it names: packaged again after judging online, the second device\'s change applies; an event naming none is compared with the first, as before', async () => {
    const c = await caseInAssessment();
    const unit = HOUSEKEEPING_UNITS[0]!;
    const first = (await offlineDay(f.assessor, [c.id])).json();
    const online = event(c.id, first.cases[0].version, unit, { decision: 'competent', notes: 'online' });
    expect((await t.app.inject({ method: 'POST', url: `/cases/${c.id}/assessments`, headers: f.assessor, payload: { assessedOn: today(), centreId: HONG_KONG_CENTRE(t.issuer.id), units: [online.unit] } })).statusCode).toBe(200);
    // A second device (or the same after a reload) takes the case again: its package holds the online judgement.
    const second = (await offlineDay(f.assessor, [c.id])).json();
    expect(second.cases[0]).toMatchObject({ packageId: second.id, version: first.cases[0].version });
    const version = second.cases[0].version as number;

    const unnamed = event(c.id, version, unit, { decision: 'not_yet_competent', notes: 'device, no package named' });
    const legacy = await sync(f.assessor, [unnamed]);
    expect(legacy.json().results[0]).toMatchObject({ status: 'conflict', reason: 'unit_judged_differently' });

    const named = { ...event(c.id, version, unit, { decision: 'not_yet_competent', notes: 'second device' }), packageId: second.id };
    const res = await sync(f.assessor, [named]);
    expect([res.statusCode, res.json().results]).toEqual([200, [{ id: named.id, status: 'applied' }]]);
    expect((await unitRow(c.id, unit))!.notes).toBe('second device');
    expect((await sync(f.assessor, [named])).json().results[0]).toMatchObject({ status: 'duplicate', firstStatus: 'applied' });
  });

  it('refuses with 400 sync_package_unknown, applying nothing, an event naming another assessor\'s package, an unknown one or one without its case', async () => {
    const mine = await caseInAssessment();
    const elsewhere = await caseInAssessment();
    const theirCase = await caseInAssessment(f.assessor2);
    const day = (await offlineDay(f.assessor, [mine.id])).json();
    const otherDay = (await offlineDay(f.assessor, [elsewhere.id])).json();
    const theirDay = (await offlineDay(f.assessor2, [theirCase.id])).json();
    const version = day.cases[0].version as number;
    const good = { ...event(mine.id, version, HOUSEKEEPING_UNITS[1]!), packageId: day.id };
    const before = await count('console_sync_events');
    for (const packageId of [theirDay.id, crypto.randomUUID(), otherDay.id]) {
      const stray = { ...event(mine.id, version, HOUSEKEEPING_UNITS[2]!), packageId };
      const res = await sync(f.assessor, [good, stray]);
      expect([res.statusCode, res.json().code, res.json().details]).toEqual([400, 'sync_package_unknown', { eventIds: [stray.id] }]);
    }
    // Another assessor's own case with its own package: the package is theirs, the case never the caller's.
    expect((await sync(f.assessor, [{ ...event(theirCase.id, version, HOUSEKEEPING_UNITS[0]!), packageId: theirDay.id }])).json().code).toBe('not_found');
    expect(await count('console_sync_events')).toBe(before);
    expect(await unitRow(mine.id, HOUSEKEEPING_UNITS[1]!)).toBeUndefined();
    const malformed = await sync(f.assessor, [{ ...good, packageId: 'not-a-uuid' }]);
    expect([malformed.statusCode, malformed.json().code]).toEqual([400, 'validation_failed']);
    expect((await sync(f.assessor, [good])).json().results[0].status).toBe('applied');
  });

  it('refuses a sync naming a case the assessor never had, applying nothing', async () => {
    const mine = await caseInAssessment();
    const theirs = await caseInAssessment(f.assessor2);
    const before = await count('console_sync_events');
    const res = await sync(f.assessor, [event(mine.id, 1, HOUSEKEEPING_UNITS[0]!), event(theirs.id, 1, HOUSEKEEPING_UNITS[0]!)]);
    expect([res.statusCode, res.json().code, res.json().details]).toEqual([404, 'not_found', { caseIds: [theirs.id] }]);
    expect(await count('console_sync_events')).toBe(before);
    const bad = await sync(f.assessor, [{ ...event(mine.id, 1, HOUSEKEEPING_UNITS[0]!), id: 'not-a-uuid' }]);
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'validation_failed']);
    expect((await sync(f.moderator, [event(mine.id, 1, HOUSEKEEPING_UNITS[0]!)])).json().code).toBe('forbidden');
  });
});

describe(`the conflict list and its resolution, on ${testDialect}`, () => {
  let conflictOf: (reason: string) => Promise<{ id: string; caseId: string; eventId: string }>;
  beforeAll(() => {
    /** A fresh conflict of f.assessor: `case_changed` by withdrawal, or `unit_judged_by_other`. */
    conflictOf = async (reason) => {
      const c = await caseInAssessment();
      const version = (await offlineDay(f.assessor, [c.id])).json().cases[0].version as number;
      if (reason === 'case_changed') await f.fire(c.id, f.counsellor, 'withdraw');
      else {
        await t.db.kysely
          .insertInto('unit_assessments')
          .values({ case_id: c.id, round: 1, unit_id: HOUSEKEEPING_UNITS[0]!, assessor_id: f.assessor2.userId, methods: '["observation"]', evidence_ids: '[]', quality: '{"valid":true,"authentic":true,"current":true,"sufficient":true}', decision: 'competent', notes: 'other', centre_id: null, country: 'HK', assessed_on: today(), updated_at: new Date().toISOString() })
          .execute();
      }
      const e = event(c.id, version, HOUSEKEEPING_UNITS[0]!, { decision: 'not_yet_competent', notes: 'device' });
      const r = (await sync(f.assessor, [e])).json().results[0];
      expect(r.reason).toBe(reason);
      return { id: r.conflictId as string, caseId: c.id, eventId: e.id };
    };
  });

  it('shows an assessor their own conflicts, a certifying officer their body\'s, and nobody another body\'s', async () => {
    const mine = await conflictOf('case_changed');
    const ids = async (h: Record<string, string>) => ((await conflicts(h)).json() as Array<{ id: string }>).map((c) => c.id);
    expect(await ids(f.assessor)).toContain(mine.id);
    expect(await ids(f.officer)).toContain(mine.id);
    expect(await ids(f.assessor2)).not.toContain(mine.id);
    expect(await ids(otherOfficer)).toEqual([]);
    expect(await ids(otherAssessor)).toEqual([]);
    expect(await ids({ ...f.admin, 'x-tanda-access-reason': 'support ticket 7' })).toContain(mine.id);
    expect((await conflicts(f.admin)).json().code).toBe('reason_required');
    expect((await conflicts(f.moderator)).json().code).toBe('forbidden');
    expect((await conflicts(f.counsellor)).json().code).toBe('forbidden');
    // Another body's officer or the other assessor cannot act on it either, nor learn it exists.
    expect((await resolve(otherOfficer, mine.id, 'discard')).json().code).toBe('not_found');
    expect((await resolve(f.assessor2, mine.id, 'discard')).json().code).toBe('not_found');
  });

  it('names the assessor, who held the unit on the server, the qualification and the unit, and the actions the asker may take', async () => {
    const other = await conflictOf('unit_judged_by_other');
    const name = async (id: string) => (await t.db.kysely.selectFrom('users').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;
    const seen = async (h: Record<string, string>) => ((await conflicts(h, 'open')).json() as Array<Record<string, unknown>>).find((c) => c.id === other.id);
    const expected = {
      assessorId: f.assessor.userId,
      assessorName: await name(f.assessor.userId),
      serverJudgedByName: await name(f.assessor2.userId),
      resolvedByName: null,
      qualification: { id: HOUSEKEEPING, code: expect.any(String), titles: expect.objectContaining({ en: expect.any(String) }) },
      unit: { code: expect.any(String), titles: expect.objectContaining({ en: expect.any(String) }) },
    };
    expect(await seen(f.assessor)).toMatchObject({ ...expected, actions: ['apply', 'discard'] });
    // The officer may close it, not record the judgement as the assessor's.
    expect(await seen(f.officer)).toMatchObject({ ...expected, actions: ['discard'] });
    expect(await seen({ ...f.admin, 'x-tanda-access-reason': 'support ticket 8' })).toMatchObject({ ...expected, actions: [] });
    const closed = await resolve(f.officer, other.id, 'discard');
    expect(closed.json()).toMatchObject({ resolvedByName: await name(f.officer.userId), actions: [] });
  });

  it('discard closes a conflict and keeps it; apply records the device\'s judgement; a case that cannot take it is offered discard only and leaves the conflict open', async () => {
    const gone = await conflictOf('case_changed');
    const offered = ((await conflicts(f.assessor, 'open')).json() as Array<{ id: string; actions: string[] }>).find((c) => c.id === gone.id);
    expect(offered?.actions).toEqual(['discard']);
    const refused = await resolve(f.assessor, gone.id, 'apply');
    expect([refused.statusCode, refused.json().code, refused.json().details]).toEqual([409, 'conflict_not_applicable', { code: 'invalid_transition' }]);
    expect(((await conflicts(f.assessor, 'open')).json() as Array<{ id: string }>).map((c) => c.id)).toContain(gone.id);
    expect(await unitRow(gone.caseId, HOUSEKEEPING_UNITS[0]!)).toBeUndefined();

    const discarded = await resolve(f.assessor, gone.id, 'discard', 'the returnee withdrew');
    expect(discarded.statusCode).toBe(200);
    expect(discarded.json()).toMatchObject({ id: gone.id, resolution: 'discarded', resolvedBy: f.assessor.userId, resolutionNote: 'the returnee withdrew', eventId: gone.eventId });
    const resolved = (await conflicts(f.assessor, 'resolved')).json() as Array<{ id: string; event: { id: string } }>;
    expect(resolved.find((c) => c.id === gone.id)?.event.id).toBe(gone.eventId);
    expect(((await conflicts(f.assessor, 'open')).json() as Array<{ id: string }>).map((c) => c.id)).not.toContain(gone.id);
    expect((await resolve(f.assessor, gone.id, 'discard')).json().code).toBe('conflict_resolved');

    const other = await conflictOf('unit_judged_by_other');
    expect((await resolve(f.officer, other.id, 'apply')).json().code).toBe('forbidden');
    const applied = await resolve(f.assessor, other.id, 'apply');
    expect([applied.statusCode, applied.json().resolution]).toEqual([200, 'applied']);
    const row = await unitRow(other.caseId, HOUSEKEEPING_UNITS[0]!);
    expect([row!.assessor_id, row!.decision, row!.notes]).toEqual([f.assessor.userId, 'not_yet_competent', 'device']);
    const trail = await t.db.kysely.selectFrom('audit_log').select(['action', 'subject_id']).where('case_id', '=', other.caseId).where('action', 'in', ['case.sync_conflict', 'case.sync_conflict_resolved']).orderBy('seq').execute();
    expect(trail).toEqual([{ action: 'case.sync_conflict', subject_id: other.id }, { action: 'case.sync_conflict_resolved', subject_id: other.id }]);

    // An officer closes a conflict of the body's assessor (someone who left, say).
    const third = await conflictOf('case_changed');
    expect((await resolve(f.officer, third.id, 'discard')).json()).toMatchObject({ resolution: 'discarded', resolvedBy: f.officer.userId });
  });
});

describe(`a case decision recorded offline, on ${testDialect}`, () => {
  const decision = (caseId: string, baseVersion: number, unitEventIds: string[]) => ({ id: crypto.randomUUID(), caseId, baseVersion, recordedAt: new Date().toISOString(), type: 'case_decision', unitEventIds });
  const kase = (id: string) => t.db.kysely.selectFrom('rpl_cases').select(['state', 'version', 'outcome']).where('id', '=', id).executeTakeFirstOrThrow();
  const decides = async (caseId: string) => (await t.db.kysely.selectFrom('audit_log').select('data').where('case_id', '=', caseId).where('action', '=', 'case.transition').execute()).filter((r) => String(r.data).includes('"decide"')).length;
  type Listed = { id: string; eventId: string; reason: string; actions: string[]; unit: unknown; undecidedUnits?: Array<{ unitId: string; code: string }>; serverView: { case: { state?: string; version?: number }; decision?: { undecidedCoreUnitIds: string[]; unitEventsNotApplied: number }; refusal?: { code: string } } };
  const listed = async (h: Record<string, string>, eventId: string) => ((await conflicts(h, 'open')).json() as Listed[]).find((c) => c.eventId === eventId);

  it('decides the case after the unit decisions it rests on, in the same request, through the workflow; a resend is a duplicate', async () => {
    const c = await caseInAssessment();
    const day = (await offlineDay(f.assessor, [c.id])).json();
    const version = day.cases[0].version as number;
    const units = HOUSEKEEPING_UNITS.map((u) => ({ ...event(c.id, version, u), packageId: day.id }));
    const decide = { ...decision(c.id, version, units.map((u) => u.id)), packageId: day.id };
    const res = await sync(f.assessor, [...units, decide]);
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([...units, decide].map((e) => ({ id: e.id, status: 'applied' })));
    expect(res.json().cases).toEqual([{ id: c.id, version: version + 1, state: 'decided' }]);
    expect(await kase(c.id)).toEqual({ state: 'decided', version: version + 1, outcome: 'full_qualification' });
    expect(await decides(c.id)).toBe(1);

    const again = await sync(f.assessor, [...units, decide]);
    expect(again.json().results.at(-1)).toEqual({ id: decide.id, status: 'duplicate', firstStatus: 'applied' });
    expect(await decides(c.id)).toBe(1);
    // The same id with another body is refused like a unit decision's.
    const reused = await sync(f.assessor, [{ ...decide, baseVersion: version + 1 }]);
    expect([reused.statusCode, reused.json().code]).toEqual([400, 'sync_event_mismatch']);
  });

  it('keeps a decision as a conflict of its own when the case moved meanwhile, a unit it rests on conflicted, or a core unit has no decision; nothing is decided', async () => {
    const moved = await caseInAssessment();
    const conflicted = await caseInAssessment();
    const short = await caseInAssessment();
    const early = await caseInAssessment();
    const day = (await offlineDay(f.assessor, [moved.id, conflicted.id, short.id, early.id])).json();
    const v = Object.fromEntries(day.cases.map((c: { id: string; version: number }) => [c.id, c.version])) as Record<string, number>;
    await f.fire(moved.id, f.counsellor, 'withdraw');
    // u0 of `conflicted` was recorded under another assessor's name meanwhile.
    await t.db.kysely
      .insertInto('unit_assessments')
      .values({ case_id: conflicted.id, round: 1, unit_id: HOUSEKEEPING_UNITS[0]!, assessor_id: f.assessor2.userId, methods: '["observation"]', evidence_ids: '[]', quality: '{"valid":true,"authentic":true,"current":true,"sufficient":true}', decision: 'not_yet_competent', notes: 'paper form', centre_id: null, country: 'HK', assessed_on: today(), updated_at: new Date().toISOString() })
      .execute();
    const all = (id: string, units = HOUSEKEEPING_UNITS) => units.map((u) => event(id, v[id]!, u));
    const movedUnits = all(moved.id);
    const conflictedUnits = all(conflicted.id);
    // The device judged five of the six core units (the server checks again whatever the device showed).
    const shortUnits = all(short.id, HOUSEKEEPING_UNITS.slice(0, 5));
    const earlyUnits = all(early.id);
    const decisions = {
      moved: decision(moved.id, v[moved.id]!, movedUnits.map((e) => e.id)),
      conflicted: decision(conflicted.id, v[conflicted.id]!, conflictedUnits.map((e) => e.id)),
      short: decision(short.id, v[short.id]!, shortUnits.map((e) => e.id)),
      // Sent before the units it rests on: they are not applied yet when it is judged (order matters).
      early: decision(early.id, v[early.id]!, earlyUnits.map((e) => e.id)),
    };
    const res = await sync(f.assessor, [...movedUnits, decisions.moved, ...conflictedUnits, decisions.conflicted, ...shortUnits, decisions.short, decisions.early, ...earlyUnits]);
    expect(res.statusCode).toBe(200);
    const byId = new Map((res.json().results as Array<{ id: string; status: string; reason?: string }>).map((r) => [r.id, [r.status, r.reason ?? null]]));
    expect(byId.get(decisions.moved.id)).toEqual(['conflict', 'case_changed']);
    expect(byId.get(conflictedUnits[0]!.id)).toEqual(['conflict', 'unit_judged_by_other']);
    expect(byId.get(decisions.conflicted.id)).toEqual(['conflict', 'units_not_applied']);
    expect(byId.get(decisions.short.id)).toEqual(['conflict', 'refused']);
    expect(byId.get(decisions.early.id)).toEqual(['conflict', 'units_not_applied']);
    expect(earlyUnits.map((e) => byId.get(e.id)?.[0])).toEqual(earlyUnits.map(() => 'applied'));
    for (const id of [conflicted.id, short.id, early.id]) expect((await kase(id)).state).toBe('assessment');
    expect((await kase(moved.id)).state).toBe('withdrawn');

    // What the device wanted beside where the case stands.
    expect(await listed(f.assessor, decisions.moved.id)).toMatchObject({ unit: null, serverView: { case: { state: 'withdrawn', version: v[moved.id]! + 1 } } });
    expect(await listed(f.assessor, decisions.conflicted.id)).toMatchObject({ serverView: { decision: { undecidedCoreUnitIds: [], unitEventsNotApplied: 1 } }, undecidedUnits: [] });
    const refused = await listed(f.assessor, decisions.short.id);
    expect(refused).toMatchObject({ serverView: { refusal: { code: 'precondition_failed' }, decision: { undecidedCoreUnitIds: [HOUSEKEEPING_UNITS[5]], unitEventsNotApplied: 0 } }, undecidedUnits: [{ unitId: HOUSEKEEPING_UNITS[5], code: 'TRS5123122' }] });
    expect(await listed(f.assessor, decisions.early.id)).toMatchObject({ serverView: { decision: { unitEventsNotApplied: 6 } } });
    // A resend answers the first conflict again.
    const again = await sync(f.assessor, [decisions.short]);
    expect(again.json().results[0]).toMatchObject({ status: 'duplicate', firstStatus: 'conflict', reason: 'refused', conflictId: expect.any(String) });
  });

  it('is the case\'s assessor\'s alone: another assessor or body cannot sync it, and the conflict is seen by the assessor and the body\'s officer only', async () => {
    const c = await caseInAssessment();
    const version = (await offlineDay(f.assessor, [c.id])).json().cases[0].version as number;
    const foreign = decision(c.id, version, []);
    for (const h of [f.assessor2, otherAssessor]) {
      const res = await sync(h, [foreign]);
      expect([res.statusCode, res.json().code]).toEqual([404, 'not_found']);
    }
    expect((await sync(f.moderator, [foreign])).json().code).toBe('forbidden');
    expect((await kase(c.id)).state).toBe('assessment');
    // No unit judged: the workflow refuses, a conflict for a person.
    expect((await sync(f.assessor, [foreign])).json().results[0]).toMatchObject({ status: 'conflict', reason: 'refused' });
    expect((await listed(f.assessor, foreign.id))?.actions).toEqual(['apply', 'discard']);
    expect((await listed(f.officer, foreign.id))?.actions).toEqual(['discard']);
    expect(await listed(f.assessor2, foreign.id)).toBeUndefined();
    expect(await listed(otherOfficer, foreign.id)).toBeUndefined();
    // A decision carries no unit, and names the unit events it rests on.
    const withUnit = await sync(f.assessor, [{ ...decision(c.id, version, []), unit: event(c.id, version, HOUSEKEEPING_UNITS[0]!).unit }]);
    expect([withUnit.statusCode, withUnit.json().code]).toEqual([400, 'unknown_field']);
    const { unitEventIds: _, ...bare } = decision(c.id, version, []);
    expect((await sync(f.assessor, [bare])).statusCode).toBe(400);
  });

  it('apply fires decide at the case\'s current version once it can be decided, and leaves the conflict open while it cannot; discard drops it; an officer may only discard; a withdrawn case is offered discard only', async () => {
    const c = await caseInAssessment();
    const day = (await offlineDay(f.assessor, [c.id])).json();
    const version = day.cases[0].version as number;
    await t.db.kysely
      .insertInto('unit_assessments')
      .values({ case_id: c.id, round: 1, unit_id: HOUSEKEEPING_UNITS[0]!, assessor_id: f.assessor2.userId, methods: '["observation"]', evidence_ids: '[]', quality: '{"valid":true,"authentic":true,"current":true,"sufficient":true}', decision: 'not_yet_competent', notes: 'paper form', centre_id: null, country: 'HK', assessed_on: today(), updated_at: new Date().toISOString() })
      .execute();
    // The unit conflict (u0) is discarded below, and its judgement then taken away on the server: no core unit
    // decision for u0 when apply is first asked.
    const units = HOUSEKEEPING_UNITS.map((u) => event(c.id, version, u));
    const decide = decision(c.id, version, units.map((u) => u.id));
    const results = (await sync(f.assessor, [...units, decide])).json().results as Array<{ status: string; reason?: string; conflictId?: string }>;
    expect([results[0]!.reason, results.at(-1)!.reason]).toEqual(['unit_judged_by_other', 'units_not_applied']);
    const decisionConflict = results.at(-1)!.conflictId!;
    await t.db.kysely.deleteFrom('unit_assessments').where('case_id', '=', c.id).where('unit_id', '=', HOUSEKEEPING_UNITS[0]!).execute();
    const notYet = await resolve(f.assessor, decisionConflict, 'apply');
    expect([notYet.statusCode, notYet.json().code, notYet.json().details]).toEqual([409, 'conflict_not_applicable', { code: 'precondition_failed' }]);
    expect((await resolve(f.officer, decisionConflict, 'apply')).json().code).toBe('forbidden');
    // The assessor applies the unit conflict, the version moved meanwhile (a returned decision, say): decide fires at the current one.
    expect((await resolve(f.assessor, results[0]!.conflictId!, 'apply')).json().resolution).toBe('applied');
    await t.db.kysely.updateTable('rpl_cases').set({ version: version + 3 }).where('id', '=', c.id).execute();
    const applied = await resolve(f.assessor, decisionConflict, 'apply', 'units settled');
    expect([applied.statusCode, applied.json().resolution]).toEqual([200, 'applied']);
    expect(await kase(c.id)).toMatchObject({ state: 'decided', version: version + 4 });
    expect(await decides(c.id)).toBe(1);

    // Discard drops a decision conflict, also at an officer's hand; nothing is decided.
    const other = await caseInAssessment();
    const v2 = (await offlineDay(f.assessor, [other.id])).json().cases[0].version as number;
    await f.fire(other.id, f.counsellor, 'withdraw');
    const lateDecision = decision(other.id, v2, []);
    const late = (await sync(f.assessor, [lateDecision])).json().results[0] as { reason: string; conflictId: string };
    expect(late.reason).toBe('case_changed');
    // A withdrawn case cannot be decided: apply is not offered, and asked anyway it is refused.
    expect((await listed(f.assessor, lateDecision.id))?.actions).toEqual(['discard']);
    expect((await resolve(f.assessor, late.conflictId, 'apply')).json().details).toEqual({ code: 'invalid_transition' });
    expect((await resolve(f.officer, late.conflictId, 'discard')).json()).toMatchObject({ resolution: 'discarded', resolvedBy: f.officer.userId });
    expect((await kase(other.id)).state).toBe('withdrawn');
  });
});
