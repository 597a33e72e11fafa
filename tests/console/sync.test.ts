import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listConflicts } from '../../src/console/conflicts.js';
import { createOfflineDay } from '../../src/console/offline-day.js';
import { syncEvents, type CaseDecisionEvent, type UnitDecisionEvent } from '../../src/console/sync.js';
import type { Actor } from '../../src/policy/policy.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { HOUSEKEEPING, HOUSEKEEPING_UNITS, rplFixture, type RplFixture } from '../rpl/fixtures.js';

let t: TestContext;
let f: RplFixture;
let assessor: Actor;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  assessor = { id: f.assessor.userId, role: 'assessor', issuerId: t.issuer.id };
}, 60_000);
afterAll(async () => t.close());

async function caseInAssessment(): Promise<{ id: string; candidateId: string }> {
  const c = await f.registerCandidate();
  const id = (await t.app.inject({ method: 'POST', url: '/cases', headers: f.counsellor, payload: { qualificationId: HOUSEKEEPING, issuerId: t.issuer.id, candidateId: c.id } })).json().id as string;
  for (const [event, extra] of [['submit', {}], ['start_screening', {}], ['accept', { assessorId: f.assessor.userId }]] as const) await f.fire(id, f.counsellor, event, extra);
  return { id, candidateId: c.id };
}

const event = (caseId: string, baseVersion: number, unitId: string, notes = 'Observed.'): UnitDecisionEvent => ({
  id: crypto.randomUUID(), caseId, baseVersion, recordedAt: new Date().toISOString(), type: 'unit_decision', assessedOn: new Date().toISOString().slice(0, 10), country: 'HK',
  unit: { unitId, methods: ['observation'], evidenceIds: [], quality: { valid: true, authentic: true, current: true, sufficient: true }, decision: 'competent', notes },
});

describe(`sync of the offline day, on ${testDialect}`, () => {
  it('applies each event once when a retry races its first attempt', async () => {
    const c = await caseInAssessment();
    const day = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    const events = HOUSEKEEPING_UNITS.map((u) => event(c.id, day.cases[0]!.version, u));
    const [a, b] = await Promise.all([syncEvents(t.services.rpl, assessor, events), syncEvents(t.services.rpl, assessor, events)]);
    const statuses = events.map((_, i) => [a.results[i]!.status, b.results[i]!.status].sort().join('+'));
    expect(statuses).toEqual(events.map(() => 'applied+duplicate'));
    const audited = await t.db.kysely.selectFrom('audit_log').select('seq').where('case_id', '=', c.id).where('action', '=', 'case.units_assessed').execute();
    expect(audited).toHaveLength(6);
  });

  it('decides a case once when a retry of its units and decision races the first attempt', async () => {
    const c = await caseInAssessment();
    const day = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    const version = day.cases[0]!.version;
    const units = HOUSEKEEPING_UNITS.map((u) => ({ ...event(c.id, version, u), packageId: day.id }));
    const decision: CaseDecisionEvent = { id: crypto.randomUUID(), caseId: c.id, baseVersion: version, packageId: day.id, recordedAt: new Date().toISOString(), type: 'case_decision', unitEventIds: units.map((u) => u.id) };
    const events = [...units, decision];
    const [a, b] = await Promise.all([syncEvents(t.services.rpl, assessor, events), syncEvents(t.services.rpl, assessor, events)]);
    expect(events.map((_, i) => [a.results[i]!.status, b.results[i]!.status].sort().join('+'))).toEqual(events.map(() => 'applied+duplicate'));
    const transitions = await t.db.kysely.selectFrom('audit_log').select('data').where('case_id', '=', c.id).where('action', '=', 'case.transition').execute();
    expect(transitions.filter((r) => String(r.data).includes('"decide"'))).toHaveLength(1);
    const now = await t.db.kysely.selectFrom('rpl_cases').select(['state', 'version']).where('id', '=', c.id).executeTakeFirstOrThrow();
    expect([now.state, Number(now.version)]).toEqual(['decided', version + 1]);
  });

  it('compares an event naming no package (recorded before events named one) with the first package at its version: a judgement made between two packages is a change', async () => {
    const c = await caseInAssessment();
    const first = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    await t.db.kysely
      .insertInto('unit_assessments')
      .values({ case_id: c.id, round: 1, unit_id: HOUSEKEEPING_UNITS[0]!, assessor_id: f.assessor2.userId, methods: '["observation"]', evidence_ids: '[]', quality: '{"valid":true,"authentic":true,"current":true,"sufficient":true}', decision: 'not_yet_competent', notes: 'paper form', centre_id: null, country: 'HK', assessed_on: new Date().toISOString().slice(0, 10), updated_at: new Date().toISOString() })
      .execute();
    const second = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    expect(second.cases[0]!.version).toBe(first.cases[0]!.version);
    const result = await syncEvents(t.services.rpl, assessor, [event(c.id, first.cases[0]!.version, HOUSEKEEPING_UNITS[0]!)]);
    expect(result.results[0]).toMatchObject({ status: 'conflict', reason: 'unit_judged_by_other' });
  });

  it('compares an event that names its package with that package: packaged again after a judgement, the device holding the second applies', async () => {
    const c = await caseInAssessment();
    const unit = HOUSEKEEPING_UNITS[0]!;
    const first = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    await t.db.kysely
      .insertInto('unit_assessments')
      .values({ case_id: c.id, round: 1, unit_id: unit, assessor_id: f.assessor2.userId, methods: '["observation"]', evidence_ids: '[]', quality: '{"valid":true,"authentic":true,"current":true,"sufficient":true}', decision: 'not_yet_competent', notes: 'paper form', centre_id: null, country: 'HK', assessed_on: new Date().toISOString().slice(0, 10), updated_at: new Date().toISOString() })
      .execute();
    const second = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    const version = second.cases[0]!.version;
    expect([first.cases[0]!.packageId, second.cases[0]!.packageId]).toEqual([first.id, second.id]);
    // The device holding the first package never saw the paper form's judgement; the one holding the second did.
    const fromFirst = await syncEvents(t.services.rpl, assessor, [{ ...event(c.id, version, unit, 'first device'), packageId: first.id }]);
    expect(fromFirst.results[0]).toMatchObject({ status: 'conflict', reason: 'unit_judged_by_other' });
    const fromSecond = await syncEvents(t.services.rpl, assessor, [{ ...event(c.id, version, unit, 'second device'), packageId: second.id }]);
    expect(fromSecond.results[0]).toEqual({ id: expect.any(String), status: 'applied' });
    const row = await t.db.kysely.selectFrom('unit_assessments').select(['assessor_id', 'notes']).where('case_id', '=', c.id).where('unit_id', '=', unit).executeTakeFirstOrThrow();
    expect(row).toEqual({ assessor_id: assessor.id, notes: 'second device' });
  });

  it('still compares with the named package after a sync answer moved the device on to a later version of the case', async () => {
    const c = await caseInAssessment();
    const unit = HOUSEKEEPING_UNITS[3]!;
    const day = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    // Judged online after the package was made (the device never saw it), then the case moved on a version (a
    // moderator's return, say) and a sync answer told the device so.
    await t.app.inject({ method: 'POST', url: `/cases/${c.id}/assessments`, headers: f.assessor, payload: { assessedOn: new Date().toISOString().slice(0, 10), country: 'HK', units: [{ ...event(c.id, 1, unit).unit, decision: 'not_yet_competent', notes: 'online' }] } });
    const later = day.cases[0]!.version + 1;
    await t.db.kysely.updateTable('rpl_cases').set({ version: later }).where('id', '=', c.id).execute();
    const result = await syncEvents(t.services.rpl, assessor, [{ ...event(c.id, later, unit, 'device'), packageId: day.id }]);
    expect(result.results[0]).toMatchObject({ status: 'conflict', reason: 'unit_judged_differently' });
  });

  it('keeps as a conflict a device\'s change of a unit that another device of the same assessor synced meanwhile; an event naming no package cannot tell them apart, as before', async () => {
    const c = await caseInAssessment();
    const unit = HOUSEKEEPING_UNITS[4]!;
    const tablet = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    const laptop = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    const version = laptop.cases[0]!.version;
    expect((await syncEvents(t.services.rpl, assessor, [{ ...event(c.id, version, unit, 'laptop'), packageId: laptop.id }])).results[0]!.status).toBe('applied');
    const fromTablet = await syncEvents(t.services.rpl, assessor, [{ ...event(c.id, version, unit, 'tablet'), packageId: tablet.id }]);
    expect(fromTablet.results[0]).toMatchObject({ status: 'conflict', reason: 'unit_judged_differently' });
    // The laptop's own later correction is still its own.
    expect((await syncEvents(t.services.rpl, assessor, [{ ...event(c.id, version, unit, 'laptop, second look'), packageId: laptop.id }])).results[0]!.status).toBe('applied');
    expect((await syncEvents(t.services.rpl, assessor, [event(c.id, version, unit, 'old device')])).results[0]!.status).toBe('applied');
    const row = await t.db.kysely.selectFrom('unit_assessments').select('notes').where('case_id', '=', c.id).where('unit_id', '=', unit).executeTakeFirstOrThrow();
    expect(row.notes).toBe('old device');
  });

  it('refuses, applying nothing, an event naming a package of another assessor, an unknown one, or one without its case', async () => {
    const mine = await caseInAssessment();
    const other = await caseInAssessment();
    const day = await createOfflineDay(t.services.rpl, assessor, { caseIds: [mine.id] });
    const otherDay = await createOfflineDay(t.services.rpl, assessor, { caseIds: [other.id] });
    const c2 = await f.registerCandidate();
    const theirCase = (await t.app.inject({ method: 'POST', url: '/cases', headers: f.counsellor, payload: { qualificationId: HOUSEKEEPING, issuerId: t.issuer.id, candidateId: c2.id } })).json().id as string;
    for (const [e, extra] of [['submit', {}], ['start_screening', {}], ['accept', { assessorId: f.assessor2.userId }]] as const) await f.fire(theirCase, f.counsellor, e, extra);
    const assessor2: Actor = { id: f.assessor2.userId, role: 'assessor', issuerId: t.issuer.id };
    const theirs = await createOfflineDay(t.services.rpl, assessor2, { caseIds: [theirCase] });
    const version = day.cases[0]!.version;
    const good = { ...event(mine.id, version, HOUSEKEEPING_UNITS[1]!), packageId: day.id };
    for (const packageId of [theirs.id, crypto.randomUUID(), otherDay.id]) {
      const stray = { ...event(mine.id, version, HOUSEKEEPING_UNITS[2]!), packageId };
      await expect(syncEvents(t.services.rpl, assessor, [good, stray])).rejects.toMatchObject({ code: 'sync_package_unknown', statusCode: 400, details: { eventIds: [stray.id] } });
    }
    expect(await t.db.kysely.selectFrom('unit_assessments').select('unit_id').where('case_id', '=', mine.id).execute()).toEqual([]);
    expect((await syncEvents(t.services.rpl, assessor, [good])).results[0]!.status).toBe('applied');
  });

  it('keeps a conflict\'s event and the server\'s view without the returnee\'s free text once they are erased', async () => {
    const c = await caseInAssessment();
    const day = await createOfflineDay(t.services.rpl, assessor, { caseIds: [c.id] });
    await f.fire(c.id, f.counsellor, 'withdraw');
    const result = await syncEvents(t.services.rpl, assessor, [event(c.id, day.cases[0]!.version, HOUSEKEEPING_UNITS[0]!, 'Her employer in Kowloon says…')]);
    const conflictId = (result.results[0] as { conflictId: string }).conflictId;
    const erased = await t.app.inject({ method: 'POST', url: `/candidates/${c.candidateId}/erasure`, headers: { ...f.admin, 'x-tanda-access-reason': 'erasure request 12' } });
    expect(erased.statusCode).toBe(200);
    const [kept] = (await listConflicts(t.services.rpl, assessor, {})).filter((x) => x.id === conflictId);
    expect(kept).toMatchObject({ reason: 'case_changed', event: { unit: { notes: null, evidenceIds: [], decision: 'competent' } } });
    const raw = await t.db.kysely.selectFrom('sync_conflicts').select(['event', 'server_view']).where('id', '=', conflictId).executeTakeFirstOrThrow();
    expect(`${raw.event}${raw.server_view}`).not.toContain('Kowloon');
  });
});
