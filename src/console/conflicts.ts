import type { Selectable } from 'kysely';
import { nowIso, type Executor } from '../db/database.js';
import { TandaError, isTandaError } from '../errors.js';
import { getQualification } from '../frameworks/catalogue-repository.js';
import type { LocalizedText, Qualification } from '../frameworks/types.js';
import { authorize, can, type Actor, type Context } from '../policy/policy.js';
import { conflictScope, whereConflictInScope } from '../policy/scope.js';
import { recordUnitAssessmentsTx, UNIT_RECORDING_STATES } from '../rpl/assessment.js';
import { transitionCaseTx } from '../rpl/cases.js';
import { auditReasonedAccess } from '../rpl/audit.js';
import { audit, type RplContext } from '../rpl/context.js';
import { TRANSITIONS } from '../rpl/transitions.js';
import type { SyncConflictsTable } from './tables.js';
import { assessmentInputOf, type ConflictReason, type ServerView, type SyncEvent } from './sync.js';

export interface ConflictView {
  id: string;
  caseId: string;
  cohortRef: string | null;
  candidateName: string;
  /** The assessor whose device sent the event. */
  assessorId: string;
  eventId: string;
  event: SyncEvent;
  reason: ConflictReason;
  serverView: ServerView;
  createdAt: string;
  resolvedAt: string | null;
  resolution: 'applied' | 'discarded' | null;
  resolutionNote: string | null;
  resolvedBy: string | null;
  /**
   * What a person judging the conflict needs besides the ids: who the assessor is, who had judged the unit on the
   * server (`serverView.unit`) and who resolved it, by name; the case's qualification and the unit as the catalogue
   * names them (null when no longer in the catalogue).
   */
  assessorName: string;
  serverJudgedByName: string | null;
  resolvedByName: string | null;
  qualification: { id: string; code: string; titles: LocalizedText } | null;
  unit: { code: string; titles: LocalizedText } | null;
  /**
   * A case decision's conflict: the core units without a decision on the server when it arrived, as the catalogue
   * names them (`unit` is null: it names no unit).
   */
  undecidedUnits?: Array<{ unitId: string; code: string; titles: LocalizedText | null }>;
  /**
   * What the asking person may do with it now, as the access policy answers (none once resolved). `apply` only while
   * the case can still take the event: a judgement or decision for a case since moderated, certified or withdrawn
   * would only be refused.
   */
  actions: Array<'apply' | 'discard'>;
}

type Row = Selectable<SyncConflictsTable> & { cohort_ref: string | null; candidate_name: string; qualification_id: string; case_state: string };

const conflictQuery = (ctx: RplContext) =>
  ctx.db.kysely
    .selectFrom('sync_conflicts')
    .innerJoin('rpl_cases', 'rpl_cases.id', 'sync_conflicts.case_id')
    .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
    .selectAll('sync_conflicts')
    .select(['rpl_cases.cohort_ref', 'rpl_cases.qualification_id', 'rpl_cases.state as case_state', 'candidates.full_name as candidate_name']);

/** Whether the case, in the state it is in now, takes the event (the rules `resolveConflict` applies would). */
function applicable(event: SyncEvent, state: string): boolean {
  return event.type === 'unit_decision' ? UNIT_RECORDING_STATES.has(state) : (TRANSITIONS.decide.from as readonly string[]).includes(state);
}

/** The rows as the actor sees them: names of the people named, the catalogue's titles, the actions open to the actor. */
async function views(ctx: RplContext, actor: Actor, rows: Row[]): Promise<ConflictView[]> {
  const parsed = rows.map((r) => ({ r, event: JSON.parse(r.event) as SyncEvent, serverView: JSON.parse(r.server_view) as ServerView }));
  const people = [...new Set(parsed.flatMap(({ r, serverView }) => [r.actor_id, serverView.unit?.assessorId, r.resolved_by]).filter((x): x is string => Boolean(x)))];
  const names = new Map(people.length ? (await ctx.db.kysely.selectFrom('users').select(['id', 'name']).where('id', 'in', people).execute()).map((u) => [u.id, u.name]) : []);
  const qualifications = new Map<string, Qualification | undefined>();
  for (const id of new Set(rows.map((r) => r.qualification_id))) qualifications.set(id, await getQualification(ctx.db.kysely, id));
  return parsed.map(({ r, event, serverView }) => {
    const q = qualifications.get(r.qualification_id);
    const unit = event.type === 'unit_decision' ? q?.units.find((u) => u.unitId === event.unit.unitId) : undefined;
    const resource = { kind: 'sync_conflict', issuerId: r.issuer_id, ownerId: r.actor_id } as const;
    return {
      id: r.id,
      caseId: r.case_id,
      cohortRef: r.cohort_ref,
      candidateName: r.candidate_name,
      assessorId: r.actor_id,
      eventId: r.event_id,
      event,
      reason: r.reason as ConflictReason,
      serverView,
      createdAt: r.created_at,
      resolvedAt: r.resolved_at,
      resolution: r.resolution,
      resolutionNote: r.resolution_note,
      resolvedBy: r.resolved_by,
      assessorName: names.get(r.actor_id) ?? '',
      serverJudgedByName: serverView.unit ? (names.get(serverView.unit.assessorId) ?? null) : null,
      resolvedByName: r.resolved_by ? (names.get(r.resolved_by) ?? null) : null,
      qualification: q ? { id: q.id, code: q.code, titles: q.titles } : null,
      unit: unit ? { code: unit.code, titles: unit.titles } : null,
      ...(serverView.decision
        ? { undecidedUnits: serverView.decision.undecidedCoreUnitIds.map((unitId) => {
            const u = q?.units.find((x) => x.unitId === unitId);
            return { unitId, code: u?.code ?? unitId, titles: u?.titles ?? null };
          }) }
        : {}),
      actions: r.resolved_at ? [] : (['apply', 'discard'] as const).filter((a) => (a !== 'apply' || applicable(event, r.case_state)) && can(actor, a, resource)),
    };
  });
}

/** The conflicts the actor may see (their own; a certifying officer's body's; an admin's with a stated reason), newest first. */
export async function listConflicts(ctx: RplContext, actor: Actor, filter: { state?: 'open' | 'resolved'; limit?: number } = {}, context: Context = {}): Promise<ConflictView[]> {
  const decision = authorize(actor, 'read', { kind: 'sync_conflict', issuerId: actor.issuerId, ownerId: null }, context);
  let q = conflictQuery(ctx).where(whereConflictInScope(conflictScope(actor, context)));
  if (filter.state === 'open') q = q.where('sync_conflicts.resolved_at', 'is', null);
  if (filter.state === 'resolved') q = q.where('sync_conflicts.resolved_at', 'is not', null);
  const rows = await q.orderBy('sync_conflicts.created_at', 'desc').orderBy('sync_conflicts.id').limit(Math.min(filter.limit ?? 200, 500)).execute();
  if (decision.auditedReason) {
    await ctx.db.kysely.transaction().execute((tx) => auditReasonedAccess(tx, ctx.db.dialect, { actorId: actor.id, decision, action: 'sync_conflict.list', subjectId: rows.map((r) => r.id).join(',').slice(0, 2000) || null }));
  }
  return views(ctx, actor, rows);
}

export interface ResolutionInput {
  action: 'apply' | 'discard';
  note?: string | null;
}

/**
 * A person's answer to a conflict. `apply` records the device's judgement now, through the normal rules, or for a
 * case decision fires `decide` at the case's current version through the workflow (refused with 409
 * conflict_not_applicable, the conflict left open, when the case can no longer take it); `discard` closes it. Either way the event and the server's view at the time stay, and the answer is audited.
 */
export async function resolveConflict(ctx: RplContext, actor: Actor, id: string, input: ResolutionInput): Promise<ConflictView> {
  await ctx.db.kysely.transaction().execute(async (tx) => {
    const query = tx.selectFrom('sync_conflicts').selectAll().where('id', '=', id);
    const row = await (ctx.db.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
    if (!row) throw new TandaError('not_found', 'no such sync conflict');
    authorize(actor, input.action, { kind: 'sync_conflict', issuerId: row.issuer_id, ownerId: row.actor_id });
    if (row.resolved_at) throw new TandaError('conflict_resolved', `this conflict was ${row.resolution} at ${row.resolved_at}`);
    if (input.action === 'apply') {
      const event = JSON.parse(row.event) as SyncEvent;
      try {
        if (event.type === 'unit_decision') await recordUnitAssessmentsTx(tx, ctx, actor, row.case_id, assessmentInputOf(event));
        else {
          const now = await tx.selectFrom('rpl_cases').select('version').where('id', '=', row.case_id).executeTakeFirstOrThrow();
          await transitionCaseTx(tx, ctx, actor, row.case_id, { event: 'decide', version: Number(now.version) });
        }
      } catch (e) {
        if (!isTandaError(e) || e.statusCode >= 500) throw e;
        const what = event.type === 'unit_decision' ? 'the judgement cannot be recorded now' : 'the case cannot be decided now';
        throw new TandaError('conflict_not_applicable', `${what}: ${e.message}`, { details: { code: e.code } });
      }
    }
    const resolution = input.action === 'apply' ? 'applied' : 'discarded';
    await tx.updateTable('sync_conflicts').set({ resolved_at: nowIso(), resolution, resolution_note: input.note?.trim() || null, resolved_by: actor.id }).where('id', '=', id).execute();
    // The note may name people; the chain holds ids and the outcome only.
    await audit(tx, ctx, { actorId: actor.id, action: 'case.sync_conflict_resolved', caseId: row.case_id, subjectId: id, data: { resolution, eventId: row.event_id } });
  });
  const row = await conflictQuery(ctx).where('sync_conflicts.id', '=', id).executeTakeFirstOrThrow();
  return (await views(ctx, actor, [row]))[0]!;
}

/**
 * Erasure of a returnee (src/rpl/candidates.ts): their cases' conflicts lose the free text and the evidence named,
 * as their unit judgements do; ids, decisions and reasons stay, so a conflict still reads as what happened.
 */
export async function scrubConflictsOfCases(tx: Executor, caseIds: string[]): Promise<void> {
  if (!caseIds.length) return;
  const rows = await tx.selectFrom('sync_conflicts').select(['id', 'event', 'server_view']).where('case_id', 'in', caseIds).execute();
  for (const r of rows) {
    const event = JSON.parse(r.event) as SyncEvent;
    const serverView = JSON.parse(r.server_view) as ServerView;
    if (event.type === 'unit_decision') event.unit = { ...event.unit, notes: null, evidenceIds: [] };
    if (serverView.unit) serverView.unit = { ...serverView.unit, notes: null, evidenceIds: [] };
    await tx.updateTable('sync_conflicts').set({ event: JSON.stringify(event), server_view: JSON.stringify(serverView), resolution_note: null }).where('id', '=', r.id).execute();
  }
}
