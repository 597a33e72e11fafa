import crypto from 'node:crypto';
import { nowIso } from '../../src/db/database.js';
import type { TestContext } from '../helpers/app.js';
import { HOUSEKEEPING, HOUSEKEEPING_UNITS } from '../rpl/fixtures.js';

/**
 * A case of the test body put straight into `state` (as tests/policy/grid.test.ts does), every unit decided by
 * `assessorId`: Competent, or Not Yet Competent when `nyc`. For the office screens' browser tests.
 */
export async function caseIn(t: TestContext, state: 'decided' | 'moderated', candidateId: string, assessorId: string, options: { nyc?: boolean; cohortRef?: string } = {}): Promise<string> {
  const nyc = options.nyc ?? false;
  const id = crypto.randomUUID();
  const now = nowIso();
  await t.db.kysely
    .insertInto('rpl_cases')
    .values({
      id, candidate_id: candidateId, qualification_id: HOUSEKEEPING, issuer_id: t.issuer.id, state, version: 1, round: 1,
      assessor_id: assessorId, previous_assessor_id: null, moderator_id: null, outcome: nyc ? 'not_yet_competent' : 'full_qualification',
      decided_at: now, moderated_at: null, moderation_note: null, gap_training_note: null, appeal_reason: null, appealed_at: null, credential_id: null, cohort_ref: options.cohortRef ?? null,
      created_by: null, created_at: now, updated_at: now,
    })
    .execute();
  await t.db.kysely
    .insertInto('unit_assessments')
    .values(HOUSEKEEPING_UNITS.map((unit_id) => ({
      case_id: id, round: 1, unit_id, assessor_id: assessorId, methods: '["observation","interview"]', evidence_ids: '[]',
      quality: `{"valid":true,"authentic":true,"current":true,"sufficient":${!nyc}}`, decision: nyc ? 'not_yet_competent' : 'competent',
      notes: 'Made up a room to standard.', centre_id: null, country: 'HK', assessed_on: now.slice(0, 10), updated_at: now,
    })))
    .execute();
  return id;
}
