import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { getQualification } from '../frameworks/catalogue-repository.js';
import { authorize, type Actor, type Context } from '../policy/policy.js';
import { caseScope, whereCaseInScope } from '../policy/scope.js';
import { auditReasonedAccess } from './audit.js';
import { candidateBodies, candidateForUser, loadCandidate } from './candidates.js';
import {
  assertVersion,
  caseOutcome,
  caseView,
  loadVisibleCase,
  caseFacts,
  qualifiedAssessor,
  updateCaseVersioned,
  type CaseRow,
  type CaseView,
} from './case-repository.js';
import { certifyCase } from './certification.js';
import { audit, type RplContext } from './context.js';
import type { RplCasesTable } from './tables.js';
import { assertEventAllowed, assertTransition, CASE_STATES, TRANSITIONS, type CaseEvent, type CaseState, type Precondition } from './transitions.js';

export interface CreateCaseInput {
  /** Staff name the candidate; a candidate opens a case for themselves. */
  candidateId?: string;
  qualificationId: string;
  issuerId: string;
}

/** A returnee opens a case for themselves (no candidateId); a counsellor for a returnee of their body. */
export async function createCase(ctx: RplContext, actor: Actor, input: CreateCaseInput): Promise<CaseView> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const candidate = input.candidateId ? await loadCandidate(tx, input.candidateId) : await candidateForUser(tx, actor.id);
    if (!candidate) throw new TandaError('validation_failed', 'candidateId is required');
    authorize(actor, 'create', { kind: 'case_opening', issuerId: input.issuerId, candidateUserId: candidate.user_id, candidateBodies: await candidateBodies(tx, candidate) });
    if (!candidate.consent_at || candidate.consent_withdrawn_at || candidate.erased_at) {
      throw new TandaError('precondition_failed', 'the candidate has not given (or has withdrawn) consent to process their data for RPL');
    }
    const q = await getQualification(tx, input.qualificationId);
    if (!q) throw new TandaError('not_found', `no qualification ${input.qualificationId} in the catalogue`);
    const issuer = await tx.selectFrom('issuers').select('id').where('id', '=', input.issuerId).executeTakeFirst();
    if (!issuer) throw new TandaError('not_found', `no certifying body ${input.issuerId}`);
    const id = crypto.randomUUID();
    const now = nowIso();
    await tx
      .insertInto('rpl_cases')
      .values({
        id,
        candidate_id: candidate.id,
        qualification_id: q.id,
        issuer_id: issuer.id,
        state: 'draft',
        version: 1,
        round: 1,
        assessor_id: null,
        previous_assessor_id: null,
        moderator_id: null,
        outcome: null,
        decided_at: null,
        moderated_at: null,
        moderation_note: null,
        gap_training_note: null,
        appeal_reason: null,
        appealed_at: null,
        credential_id: null,
        cohort_ref: null,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await audit(tx, ctx, { actorId: actor.id, action: 'case.created', caseId: id, data: { state: 'draft', qualificationId: q.id, issuerId: issuer.id } });
    const { row } = await loadVisibleCase(tx, actor, id);
    return caseView(row, { name: candidate.full_name, userId: candidate.user_id }, actor, ctx.appealDays);
  });
}

export async function getCase(ctx: RplContext, actor: Actor, id: string, context: Context = {}): Promise<CaseView> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const { row, candidateName, candidateUserId } = await loadVisibleCase(tx, actor, id, { context, audit: { tx, dialect: ctx.db.dialect } });
    return caseView(row, { name: candidateName, userId: candidateUserId }, actor, ctx.appealDays);
  });
}

export interface CaseFilter {
  state?: CaseState;
  qualificationId?: string;
  /** Cases with a unit decision of their current round recorded at this assessment centre. */
  centreId?: string;
  /** The day the case was opened (or imported), from and to, inclusive: YYYY-MM-DD. */
  from?: string;
  to?: string;
  /** Part of the candidate's name (either script, any case), or the start of the case id. */
  q?: string;
  limit?: number;
  offset?: number;
}

/** LIKE's own wildcards in the caller's text are matched literally. */
const likeEscaped = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The cases the actor may see, filtered in SQL by the same scope the single check uses; `total` counts every page. */
export async function listCasesPage(ctx: RplContext, actor: Actor, filter: CaseFilter = {}, context: Context = {}): Promise<{ cases: CaseView[]; total: number }> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    let q = tx
      .selectFrom('rpl_cases')
      .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
      .where(whereCaseInScope(caseScope(actor, context)));
    if (filter.state) q = q.where('rpl_cases.state', '=', filter.state);
    if (filter.qualificationId) q = q.where('rpl_cases.qualification_id', '=', filter.qualificationId);
    if (filter.centreId) {
      const centreId = filter.centreId;
      q = q.where((eb) =>
        eb.exists(
          eb.selectFrom('unit_assessments').select('unit_assessments.case_id').whereRef('unit_assessments.case_id', '=', 'rpl_cases.id').whereRef('unit_assessments.round', '=', 'rpl_cases.round').where('unit_assessments.centre_id', '=', centreId),
        ),
      );
    }
    // Timestamps are stored as ISO 8601 UTC text, so a day compares as a prefix range on both databases.
    if (filter.from) q = q.where('rpl_cases.created_at', '>=', filter.from);
    if (filter.to) q = q.where('rpl_cases.created_at', '<', nextDay(filter.to));
    const typed = filter.q?.trim();
    if (typed) {
      // lower() folds only ASCII on SQLite: the text as typed also matches, so a name in another script is found
      // when typed in its own case.
      const like = (column: 'candidates.full_name' | 'candidates.name_latin', text: string) => sql<boolean>`lower(${sql.ref(column)}) like ${`%${likeEscaped(text.toLowerCase())}%`} escape '\\' or ${sql.ref(column)} like ${`%${likeEscaped(text)}%`} escape '\\'`;
      q = q.where((eb) =>
        eb.or([
          like('candidates.full_name', typed),
          like('candidates.name_latin', typed),
          eb('rpl_cases.id', 'like', sql<string>`${`${likeEscaped(typed.toLowerCase())}%`} escape '\\'`),
        ]),
      );
    }
    const { count } = await q.select((eb) => eb.fn.countAll<number | string | bigint>().as('count')).executeTakeFirstOrThrow();
    const rows = await q
      .selectAll('rpl_cases')
      .select(['candidates.full_name as candidate_name', 'candidates.user_id as candidate_user_id'])
      .orderBy('rpl_cases.updated_at', 'desc')
      .orderBy('rpl_cases.id')
      .limit(Math.min(filter.limit ?? 50, 200))
      .offset(filter.offset ?? 0)
      .execute();
    const reason = context.reason?.trim();
    // Only an admin's scope depends on a reason; a listing that used one is audited, with the ids it showed.
    if (reason && caseScope(actor).kind !== caseScope(actor, context).kind) {
      await auditReasonedAccess(tx, ctx.db.dialect, { actorId: actor.id, decision: { auditedReason: reason }, action: 'case.list', subjectId: rows.map((r) => r.id).join(',').slice(0, 2000) || null });
    }
    return {
      cases: rows.map(({ candidate_name, candidate_user_id, ...r }) => caseView(r, { name: candidate_name, userId: candidate_user_id }, actor, ctx.appealDays)),
      total: Number(count),
    };
  });
}

/** The cases the actor may see (one page). */
export async function listCases(ctx: RplContext, actor: Actor, filter: CaseFilter = {}, context: Context = {}): Promise<CaseView[]> {
  return (await listCasesPage(ctx, actor, filter, context)).cases;
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime())) throw new TandaError('validation_failed', `${day} is not a date (YYYY-MM-DD)`);
  return new Date(d.getTime() + 86_400_000).toISOString();
}

export interface TransitionInput {
  event: string;
  /** The version the caller read; a stale one gets `conflict`. */
  version: number;
  /** accept / assign_reassessor: who assesses. */
  assessorId?: string;
  /** appeal: why (required); refer_gap_training: the referral; confirm: the moderator's note; return_to_assessor: why (required). */
  note?: string;
}

/** Facts for the preconditions the event requires (only those are computed). */
async function factsFor(tx: Executor, ctx: RplContext, actor: Actor, row: CaseRow, event: CaseEvent, input: TransitionInput): Promise<Partial<Record<Precondition, boolean>>> {
  const facts: Partial<Record<Precondition, boolean>> = {};
  const needs = new Set<Precondition>(TRANSITIONS[event].requires);
  if (needs.has('assessor_assigned')) facts.assessor_assigned = await qualifiedAssessor(tx, row.issuer_id, input.assessorId ?? (event === 'accept' ? row.assessor_id ?? undefined : undefined));
  if (needs.has('new_assessor_differs')) facts.new_assessor_differs = !!input.assessorId && input.assessorId !== row.assessor_id && input.assessorId !== row.previous_assessor_id;
  if (needs.has('moderator_is_not_assessor')) {
    const assessors = await tx.selectFrom('unit_assessments').select('assessor_id').distinct().where('case_id', '=', row.id).where('round', '=', Number(row.round)).execute();
    facts.moderator_is_not_assessor = actor.id !== row.assessor_id && !assessors.some((a) => a.assessor_id === actor.id);
  }
  if (needs.has('all_core_units_decided') || needs.has('has_competent_units') || needs.has('no_competent_units')) {
    const { qualification, decisions, competentUnitIds } = await caseOutcome(tx, row);
    facts.all_core_units_decided = qualification.units.filter((u) => u.kind === 'core').every((u) => decisions.has(u.unitId));
    facts.has_competent_units = competentUnitIds.length > 0;
    facts.no_competent_units = competentUnitIds.length === 0;
  }
  if (needs.has('within_appeal_period')) facts.within_appeal_period = !!row.decided_at && Date.parse(row.decided_at) + ctx.appealDays * 86_400_000 > Date.now();
  if (needs.has('first_appeal')) facts.first_appeal = row.appealed_at === null;
  return facts;
}

/**
 * Fires one event on a case: visibility, version, the transition table (role and preconditions), the event's own
 * changes, the state change and its audit entry, all in one transaction. `certify` also issues the credential.
 */
export async function transitionCase(ctx: RplContext, actor: Actor, id: string, input: TransitionInput, context: Context = {}): Promise<CaseView> {
  if (input.event === 'certify') return certifyCase(ctx, actor, id, input.version, context);
  const { row: after, candidateName, candidateUserId } = await ctx.db.kysely.transaction().execute((tx) => transitionCaseTx(tx, ctx, actor, id, input, context));
  return caseView(after, { name: candidateName, userId: candidateUserId }, actor, ctx.appealDays);
}

/**
 * `transitionCase` inside the caller's transaction, for a caller that fires the event among other writes (an offline
 * day's `case_decision` after the units it recorded); `certify`, which issues a credential, is not fired this way.
 */
export async function transitionCaseTx(tx: Executor, ctx: RplContext, actor: Actor, id: string, input: TransitionInput, context: Context = {}) {
  if (input.event === 'certify') throw new TandaError('internal', 'certify is fired through transitionCase');
  const { row, candidateUserId: holder } = await loadVisibleCase(tx, actor, id, { context });
  const from = row.state as CaseState;
  if (!CASE_STATES.includes(from)) throw new TandaError('internal', `case ${id} is in an unknown state ${from}`);
  assertVersion(row, input.version);
  // The table first (409 naming the events that apply), then who may fire it here (the policy: role, body,
  // assignment), then the facts for the preconditions.
  const event = assertEventAllowed(from, input.event, actor.role);
  authorize(actor, `transition:${event}`, { kind: 'case', ...caseFacts(row, holder) }, context);
  const to = assertTransition(from, event, actor.role, await factsFor(tx, ctx, actor, row, event, input));
  const patch: Partial<RplCasesTable> = { state: to };
  const now = nowIso();
  switch (event) {
    case 'accept':
      patch.assessor_id = input.assessorId ?? row.assessor_id;
      break;
    case 'decide': {
      const { outcome } = await caseOutcome(tx, row);
      Object.assign(patch, { outcome, decided_at: now, moderator_id: null, moderated_at: null });
      break;
    }
    case 'confirm':
      Object.assign(patch, { moderator_id: actor.id, moderated_at: now, moderation_note: input.note ?? null });
      break;
    case 'return_to_assessor':
      // The assessor must learn what to look at again.
      if (!input.note?.trim()) throw new TandaError('validation_failed', 'returning a decision needs a reason for the assessor (note)');
      Object.assign(patch, { moderator_id: actor.id, moderation_note: input.note });
      break;
    case 'refer_gap_training':
      patch.gap_training_note = input.note ?? null;
      break;
    case 'appeal':
      if (!input.note?.trim()) throw new TandaError('validation_failed', 'an appeal needs a reason (note)');
      Object.assign(patch, { appeal_reason: input.note, appealed_at: now });
      break;
    case 'assign_reassessor':
      Object.assign(patch, { previous_assessor_id: row.assessor_id, assessor_id: input.assessorId, round: Number(row.round) + 1, outcome: null, decided_at: null, moderator_id: null, moderated_at: null });
      break;
    default:
      break;
  }
  const version = await updateCaseVersioned(tx, id, Number(row.version), patch);
  await audit(tx, ctx, {
    actorId: actor.id,
    action: 'case.transition',
    caseId: id,
    data: { event, from, to, version, round: Number(patch.round ?? row.round), ...(patch.assessor_id ? { assessorId: patch.assessor_id } : {}), ...(patch.outcome ? { outcome: patch.outcome } : {}) },
  });
  return loadVisibleCase(tx, actor, id, { context });
}
