import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/schema.js';
import { assertTransition, CASE_EVENTS, CASE_STATES, type CaseState } from '../../src/rpl/transitions.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { caseAtState, rplFixture, type Headers, type RplFixture } from './fixtures.js';

const ROLES: Role[] = ['admin', 'certifying_officer', 'assessor', 'moderator', 'counsellor', 'candidate'];

/**
 * The life cycle written out by hand, independently of src/rpl/transitions.ts: [state, event, roles, next].
 * Every (state, event, role) triple not listed here must be refused.
 */
const EXPECTED: Array<[CaseState, string, Role[], CaseState]> = [
  ['draft', 'submit', ['candidate', 'counsellor'], 'submitted'],
  ['draft', 'withdraw', ['candidate', 'counsellor'], 'withdrawn'],
  ['submitted', 'withdraw', ['candidate', 'counsellor'], 'withdrawn'],
  ['submitted', 'start_screening', ['counsellor'], 'screening'],
  ['screening', 'withdraw', ['candidate', 'counsellor'], 'withdrawn'],
  ['screening', 'return_to_candidate', ['counsellor'], 'draft'],
  ['screening', 'accept', ['counsellor'], 'assessment'],
  ['screening', 'reject_ineligible', ['counsellor'], 'rejected_ineligible'],
  ['assessment', 'withdraw', ['candidate', 'counsellor'], 'withdrawn'],
  ['assessment', 'decide', ['assessor'], 'decided'],
  ['reassessment', 'withdraw', ['candidate', 'counsellor'], 'withdrawn'],
  ['reassessment', 'decide', ['assessor'], 'decided'],
  ['decided', 'confirm', ['moderator'], 'moderated'],
  ['decided', 'return_to_assessor', ['moderator'], 'assessment'],
  ['decided', 'appeal', ['candidate'], 'appealed'],
  ['moderated', 'certify', ['certifying_officer'], 'certified'],
  ['moderated', 'refer_gap_training', ['certifying_officer', 'counsellor'], 'not_yet_competent'],
  ['moderated', 'appeal', ['candidate'], 'appealed'],
  ['not_yet_competent', 'appeal', ['candidate'], 'appealed'],
  ['appealed', 'assign_reassessor', ['certifying_officer'], 'reassessment'],
];

type Expectation = { ok: true; next: CaseState } | { ok: false; status: number; code: string };

function expected(state: CaseState, event: string, role: Role): Expectation {
  const forEvent = EXPECTED.find(([s, e]) => s === state && e === event);
  if (!forEvent) return { ok: false, status: 409, code: 'invalid_transition' };
  if (!forEvent[2].includes(role)) return { ok: false, status: 403, code: 'forbidden' };
  return { ok: true, next: forEvent[3] };
}

const TRIPLES = CASE_STATES.flatMap((state) => CASE_EVENTS.flatMap((event) => ROLES.map((role) => [state, event, role] as const)));
const ALL_FACTS = {
  assessor_assigned: true,
  all_core_units_decided: true,
  moderator_is_not_assessor: true,
  has_competent_units: true,
  no_competent_units: true,
  within_appeal_period: true,
  first_appeal: true,
  new_assessor_differs: true,
};

describe('the pure transition table', () => {
  it('covers every state and event the hand-written table names', () => {
    expect(TRIPLES.length).toBe(CASE_STATES.length * CASE_EVENTS.length * ROLES.length);
    expect(new Set(EXPECTED.map(([, e]) => e))).toEqual(new Set(CASE_EVENTS));
  });

  it.each(TRIPLES)('%s + %s by %s', (state, event, role) => {
    const want = expected(state, event, role);
    if (want.ok) {
      expect(assertTransition(state, event, role, ALL_FACTS)).toBe(want.next);
    } else {
      expect(() => assertTransition(state, event, role, ALL_FACTS)).toThrow(expect.objectContaining({ code: want.code, statusCode: want.status }));
    }
  });

  it('an unmet precondition is refused with precondition_failed, naming it', () => {
    expect(() => assertTransition('screening', 'accept', 'counsellor', {})).toThrow(expect.objectContaining({ code: 'precondition_failed', details: { event: 'accept', unmet: ['assessor_assigned'] } }));
  });
});

describe(`every (state, event, role) triple through HTTP on ${testDialect}`, () => {
  let t: TestContext;
  let f: RplFixture;
  let candidate: Headers & { candidateId: string };
  let headersFor: Record<Role, Headers & Record<string, string>>;

  beforeAll(async () => {
    t = await createTestContext();
    f = await rplFixture(t);
    const c = await f.registerCandidate();
    candidate = { ...(await f.candidateSession(c.email)), candidateId: c.id };
    // An admin states a reason, so they see the case: what is tested is that the workflow gives them no event.
    headersFor = { admin: { ...f.admin, 'x-tanda-access-reason': 'transition grid' }, certifying_officer: f.officer, assessor: f.assessor, moderator: f.moderator, counsellor: f.counsellor, candidate };
  }, 120_000);
  afterAll(async () => t.close());

  /** A case put straight into `state`, assigned to the fixture's assessor, with a decision for every unit. */
  async function caseIn(state: CaseState, event: string): Promise<string> {
    return caseAtState(t, state, { candidateId: candidate.candidateId, assessorId: f.assessor.userId, units: { decision: event === 'refer_gap_training' ? 'not_yet_competent' : 'competent' } });
  }

  it.each(TRIPLES)('%s + %s by %s', async (state, event, role) => {
    const id = await caseIn(state, event);
    const extra = event === 'accept' || event === 'assign_reassessor' ? { assessorId: f.assessor2.userId } : event === 'appeal' ? { note: 'I disagree with the decision.' } : event === 'return_to_assessor' ? { note: 'Name the evidence for each unit.' } : {};
    const res = await t.app.inject({ method: 'POST', url: `/cases/${id}/transitions`, headers: headersFor[role], payload: { event, version: 1, ...extra } });
    const want = expected(state, event, role);
    const row = await t.db.kysely.selectFrom('rpl_cases').select(['state', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
    if (want.ok) {
      expect([res.statusCode, res.json().state]).toEqual([200, want.next]);
      expect([row.state, Number(row.version)]).toEqual([want.next, 2]);
    } else {
      expect([res.statusCode, res.json().code]).toEqual([want.status, want.code]);
      expect([row.state, Number(row.version)]).toEqual([state, 1]);
    }
  });
});
