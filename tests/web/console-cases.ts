import type { TestContext } from '../helpers/app.js';
import { caseAtState } from '../rpl/fixtures.js';

/**
 * A case of the test body put straight into `state` (as tests/policy/grid.test.ts does), every unit decided by
 * `assessorId`: Competent, or Not Yet Competent when `nyc`. For the office screens' browser tests.
 */
export async function caseIn(t: TestContext, state: 'decided' | 'moderated', candidateId: string, assessorId: string, options: { nyc?: boolean; cohortRef?: string } = {}): Promise<string> {
  const nyc = options.nyc ?? false;
  return caseAtState(t, state, {
    candidateId, assessorId, outcome: nyc ? 'not_yet_competent' : 'full_qualification', cohortRef: options.cohortRef ?? null,
    units: { decision: nyc ? 'not_yet_competent' : 'competent', methods: ['observation', 'interview'], sufficient: !nyc, notes: 'Made up a room to standard.' },
  });
}
