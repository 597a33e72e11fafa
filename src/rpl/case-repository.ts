import type { Selectable } from 'kysely';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { getQualification } from '../frameworks/catalogue-repository.js';
import type { Qualification } from '../frameworks/types.js';
import { authorize, can, type Actor, type Action, type CaseFacts, type Context, type Decision } from '../policy/policy.js';
import { auditReasonedAccess } from './audit.js';
import { computeOutcome, type CaseOutcome, type UnitDecision } from './outcome.js';
import type { RplCasesTable } from './tables.js';
import { allowedEvents, type CaseState } from './transitions.js';

export type CaseRow = Selectable<RplCasesTable>;

export interface CaseView {
  id: string;
  candidateId: string;
  candidateName: string;
  qualificationId: string;
  issuerId: string;
  state: CaseState;
  version: number;
  round: number;
  assessorId: string | null;
  moderatorId: string | null;
  outcome: CaseOutcome | null;
  decidedAt: string | null;
  moderatedAt: string | null;
  moderationNote: string | null;
  gapTrainingNote: string | null;
  appealedAt: string | null;
  appealDeadline: string | null;
  credentialId: string | null;
  cohortRef: string | null;
  /** What the caller's role may do next (their own visibility already applied). */
  allowedEvents: string[];
  createdAt: string;
  updatedAt: string;
}

export function appealDeadline(decidedAt: string | null, appealDays: number): string | null {
  return decidedAt ? new Date(Date.parse(decidedAt) + appealDays * 86_400_000).toISOString() : null;
}

/** The events the actor may fire on the case now, as the transition table and the access policy answer. */
export const eventsFor = (actor: Actor, r: CaseRow, candidateUserId: string): string[] =>
  allowedEvents(r.state as CaseState).filter((e) => can(actor, `transition:${e}`, { kind: 'case', ...caseFacts(r, candidateUserId) }));

export function caseView(r: CaseRow, candidate: { name: string; userId: string }, actor: Actor, appealDays: number): CaseView {
  return {
    id: r.id,
    candidateId: r.candidate_id,
    candidateName: candidate.name,
    qualificationId: r.qualification_id,
    issuerId: r.issuer_id,
    state: r.state as CaseState,
    version: Number(r.version),
    round: Number(r.round),
    assessorId: r.assessor_id,
    moderatorId: r.moderator_id,
    outcome: r.outcome as CaseOutcome | null,
    decidedAt: r.decided_at,
    moderatedAt: r.moderated_at,
    moderationNote: r.moderation_note,
    gapTrainingNote: r.gap_training_note,
    appealedAt: r.appealed_at,
    appealDeadline: appealDeadline(r.decided_at, appealDays),
    credentialId: r.credential_id,
    cohortRef: r.cohort_ref,
    allowedEvents: eventsFor(actor, r, candidate.userId),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export const caseFacts = (row: CaseRow, candidateUserId: string): CaseFacts => ({ issuerId: row.issuer_id, assessorId: row.assessor_id, candidateUserId });

/**
 * Whether a user may be named to assess a case of `issuerId`: whom the policy would let record its unit decisions
 * once assigned (an active assessor of that body).
 */
export async function qualifiedAssessor(executor: Executor, issuerId: string, userId: string | undefined): Promise<boolean> {
  if (!userId) return false;
  const u = await executor.selectFrom('users').select(['id', 'role', 'issuer_id', 'disabled']).where('id', '=', userId).executeTakeFirst();
  if (!u || Number(u.disabled)) return false;
  return can({ id: u.id, role: u.role, issuerId: u.issuer_id }, 'record', { kind: 'assessment', issuerId, assessorId: u.id, candidateUserId: '' });
}

/** What is asked of the policy about a case: the action on the case itself or on its evidence or assessments. */
export interface CaseAccess {
  kind?: 'case' | 'evidence' | 'assessment';
  action?: Action;
  context?: Context;
  /** Audit an admin's stated reason in the caller's transaction (reads that serve data). */
  audit?: { tx: Executor; dialect: Parameters<typeof auditReasonedAccess>[1] };
}

/**
 * The case if the policy lets the actor do `access.action` (default: read) to it; `not_found` when the case is
 * outside their reach, so its existence is not revealed either.
 */
export async function loadVisibleCase(
  executor: Executor,
  actor: Actor,
  id: string,
  access: CaseAccess = {},
): Promise<{ row: CaseRow; candidateUserId: string; candidateName: string; decision: Extract<Decision, { allowed: true }> }> {
  const found = await executor
    .selectFrom('rpl_cases')
    .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
    .selectAll('rpl_cases')
    .select(['candidates.user_id as candidate_user_id', 'candidates.full_name as candidate_name'])
    .where('rpl_cases.id', '=', id)
    .executeTakeFirst();
  if (!found) throw new TandaError('not_found', 'no such case');
  const { candidate_user_id, candidate_name, ...row } = found;
  const kind = access.kind ?? 'case';
  const action = access.action ?? 'read';
  const decision = authorize(actor, action, { kind, ...caseFacts(row, candidate_user_id) }, access.context);
  if (access.audit) await auditReasonedAccess(access.audit.tx, access.audit.dialect, { actorId: actor.id, decision, action: `${kind}.${action}`, caseId: row.id });
  return { row, candidateUserId: candidate_user_id, candidateName: candidate_name, decision };
}

/**
 * Optimistic concurrency: the write succeeds only if the case still has the version the caller read; the second
 * of two concurrent writers changes no row and gets `conflict`.
 */
export async function updateCaseVersioned(tx: Executor, id: string, expectedVersion: number, patch: Partial<RplCasesTable>): Promise<number> {
  const result = await tx
    .updateTable('rpl_cases')
    .set({ ...patch, version: expectedVersion + 1, updated_at: nowIso() })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new TandaError('conflict', `the case was changed by someone else (you had version ${expectedVersion}); reload it and try again`);
  }
  return expectedVersion + 1;
}

export function assertVersion(row: CaseRow, version: number): void {
  if (Number(row.version) !== version) {
    throw new TandaError('conflict', `the case is at version ${Number(row.version)}, not ${version}; reload it and try again`, { details: { currentVersion: Number(row.version) } });
  }
}

export async function caseQualification(executor: Executor, row: CaseRow): Promise<Qualification> {
  const q = await getQualification(executor, row.qualification_id);
  if (!q) throw new TandaError('not_found', `qualification ${row.qualification_id} is no longer in the catalogue`);
  return q;
}

export async function roundDecisions(executor: Executor, row: CaseRow): Promise<Map<string, UnitDecision>> {
  const rows = await executor.selectFrom('unit_assessments').select(['unit_id', 'decision']).where('case_id', '=', row.id).where('round', '=', Number(row.round)).execute();
  return new Map(rows.map((r) => [r.unit_id, r.decision as UnitDecision]));
}

export async function caseOutcome(executor: Executor, row: CaseRow): Promise<ReturnType<typeof computeOutcome> & { qualification: Qualification; decisions: Map<string, UnitDecision> }> {
  const qualification = await caseQualification(executor, row);
  const decisions = await roundDecisions(executor, row);
  return { ...computeOutcome(qualification.units, qualification.awardRule, decisions), qualification, decisions };
}
