import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listConflicts } from '../../src/console/conflicts.js';
import { createOfflineDay } from '../../src/console/offline-day.js';
import { syncEvents, type SyncEvent } from '../../src/console/sync.js';
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

const event = (caseId: string, baseVersion: number, unitId: string, notes = 'Observed.'): SyncEvent => ({
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

  it('counts a judgement made between two packages of the same version as a change, whichever package the device holds', async () => {
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
