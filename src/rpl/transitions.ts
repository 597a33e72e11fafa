import type { Role } from '../db/schema.js';
import { TandaError } from '../errors.js';

/*
 * The RPL case life cycle as data. Pure: no database, no clock. The service computes the facts a transition
 * depends on (is an assessor assigned, is every core unit decided, ...) and `assertTransition` decides.
 */

export const CASE_STATES = [
  'draft',
  'submitted',
  'screening',
  'assessment',
  'decided',
  'moderated',
  'certified',
  'not_yet_competent',
  'appealed',
  'reassessment',
  'withdrawn',
  'rejected_ineligible',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<CaseState> = new Set(['certified', 'withdrawn', 'rejected_ineligible']);

/** Facts a transition may require; each is computed by the service from the case and its records. */
export const PRECONDITIONS = {
  assessor_assigned: 'an assessor of the certifying body must be named (assessorId)',
  all_core_units_decided: 'every core unit needs a decision in this assessment round',
  moderator_is_not_assessor: 'the moderator must be a different person from the assessor',
  has_competent_units: 'at least one unit must be assessed Competent to certify anything',
  no_competent_units: 'a case with Competent units is certified (statement of attainment), not closed as not yet competent',
  within_appeal_period: 'the appeal period after the decision has ended',
  first_appeal: 'a case can be appealed once',
  new_assessor_differs: 'the reassessment needs a different assessor from the one who decided',
} as const;
export type Precondition = keyof typeof PRECONDITIONS;

export interface TransitionRule {
  from: readonly CaseState[];
  to: CaseState;
  roles: readonly Role[];
  requires: readonly Precondition[];
}

export const TRANSITIONS = {
  submit: { from: ['draft'], to: 'submitted', roles: ['candidate', 'counsellor'], requires: [] },
  withdraw: {
    from: ['draft', 'submitted', 'screening', 'assessment', 'reassessment'],
    to: 'withdrawn',
    roles: ['candidate', 'counsellor'],
    requires: [],
  },
  start_screening: { from: ['submitted'], to: 'screening', roles: ['counsellor'], requires: [] },
  return_to_candidate: { from: ['screening'], to: 'draft', roles: ['counsellor'], requires: [] },
  accept: { from: ['screening'], to: 'assessment', roles: ['counsellor'], requires: ['assessor_assigned'] },
  reject_ineligible: { from: ['screening'], to: 'rejected_ineligible', roles: ['counsellor'], requires: [] },
  decide: { from: ['assessment', 'reassessment'], to: 'decided', roles: ['assessor'], requires: ['all_core_units_decided'] },
  confirm: { from: ['decided'], to: 'moderated', roles: ['moderator'], requires: ['moderator_is_not_assessor'] },
  return_to_assessor: { from: ['decided'], to: 'assessment', roles: ['moderator'], requires: ['moderator_is_not_assessor'] },
  certify: { from: ['moderated'], to: 'certified', roles: ['certifying_officer'], requires: ['has_competent_units'] },
  refer_gap_training: {
    from: ['moderated'],
    to: 'not_yet_competent',
    roles: ['certifying_officer', 'counsellor'],
    requires: ['no_competent_units'],
  },
  appeal: {
    from: ['decided', 'moderated', 'not_yet_competent'],
    to: 'appealed',
    roles: ['candidate'],
    requires: ['within_appeal_period', 'first_appeal'],
  },
  assign_reassessor: {
    from: ['appealed'],
    to: 'reassessment',
    roles: ['certifying_officer'],
    requires: ['assessor_assigned', 'new_assessor_differs'],
  },
} as const satisfies Record<string, TransitionRule>;

export type CaseEvent = keyof typeof TRANSITIONS;
export const CASE_EVENTS = Object.keys(TRANSITIONS) as CaseEvent[];

/** The same table indexed the other way: `transitionTable[state][event]` is the next state. */
export const transitionTable: Readonly<Record<CaseState, Partial<Record<CaseEvent, CaseState>>>> = Object.fromEntries(
  CASE_STATES.map((s) => [
    s,
    Object.fromEntries(
      CASE_EVENTS.filter((e) => (TRANSITIONS[e].from as readonly CaseState[]).includes(s)).map((e) => [e, TRANSITIONS[e].to]),
    ),
  ]),
) as Record<CaseState, Partial<Record<CaseEvent, CaseState>>>;

export const isCaseEvent = (e: string): e is CaseEvent => Object.hasOwn(TRANSITIONS, e);

export function allowedEvents(state: CaseState, role?: Role): CaseEvent[] {
  return CASE_EVENTS.filter(
    (e) => transitionTable[state][e] !== undefined && (role === undefined || (TRANSITIONS[e].roles as readonly Role[]).includes(role)),
  );
}

/**
 * The table and role part of a transition: throws `invalid_transition` (409) when the event does not apply in this
 * state, naming the events that do, and `forbidden` (403) when the role may not fire it.
 */
/** `role` may be the CLI operator's, which no event lists. */
export function assertEventAllowed(state: CaseState, event: string, role: Role | 'operator'): CaseEvent {
  if (!isCaseEvent(event) || transitionTable[state][event] === undefined) {
    const allowed = allowedEvents(state);
    throw new TandaError(
      'invalid_transition',
      `cannot ${event} a case that is ${state}; allowed events: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
      { details: { state, event, allowed } },
    );
  }
  const rule: TransitionRule = TRANSITIONS[event];
  if (!(rule.roles as readonly string[]).includes(role)) {
    throw new TandaError('forbidden', `${event} needs one of the roles: ${rule.roles.join(', ')}`, { details: { event, roles: rule.roles } });
  }
  return event;
}

/**
 * Returns the next state or throws: as `assertEventAllowed`, then `precondition_failed` (409) when a required fact
 * is false or unknown.
 */
export function assertTransition(
  state: CaseState,
  event: string,
  role: Role | 'operator',
  facts: Partial<Record<Precondition, boolean>> = {},
): CaseState {
  const e = assertEventAllowed(state, event, role);
  const rule: TransitionRule = TRANSITIONS[e];
  const unmet = rule.requires.filter((p) => facts[p] !== true);
  if (unmet.length) {
    throw new TandaError('precondition_failed', `cannot ${e}: ${unmet.map((p) => PRECONDITIONS[p]).join('; ')}`, {
      details: { event: e, unmet },
    });
  }
  return rule.to;
}
