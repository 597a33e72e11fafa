import type { Selectable } from 'kysely';
import { nowIso, type Executor } from '../db/database.js';
import { TandaError, isTandaError } from '../errors.js';
import { authorize, type Actor, type Context } from '../policy/policy.js';
import { conflictScope, whereConflictInScope } from '../policy/scope.js';
import { recordUnitAssessmentsTx } from '../rpl/assessment.js';
import { auditReasonedAccess } from '../rpl/audit.js';
import { audit, type RplContext } from '../rpl/context.js';
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
}

type Row = Selectable<SyncConflictsTable> & { cohort_ref: string | null; candidate_name: string };

const view = (r: Row): ConflictView => ({
  id: r.id,
  caseId: r.case_id,
  cohortRef: r.cohort_ref,
  candidateName: r.candidate_name,
  assessorId: r.actor_id,
  eventId: r.event_id,
  event: JSON.parse(r.event) as SyncEvent,
  reason: r.reason as ConflictReason,
  serverView: JSON.parse(r.server_view) as ServerView,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
  resolution: r.resolution,
  resolutionNote: r.resolution_note,
  resolvedBy: r.resolved_by,
});

const conflictQuery = (ctx: RplContext) =>
  ctx.db.kysely
    .selectFrom('sync_conflicts')
    .innerJoin('rpl_cases', 'rpl_cases.id', 'sync_conflicts.case_id')
    .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
    .selectAll('sync_conflicts')
    .select(['rpl_cases.cohort_ref', 'candidates.full_name as candidate_name']);

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
  return rows.map(view);
}

export interface ResolutionInput {
  action: 'apply' | 'discard';
  note?: string | null;
}

/**
 * A person's answer to a conflict. `apply` records the device's judgement now, through the normal rules (refused
 * with 409 conflict_not_applicable, the conflict left open, when the case can no longer take it); `discard` closes
 * it. Either way the event and the server's view at the time stay, and the answer is audited.
 */
export async function resolveConflict(ctx: RplContext, actor: Actor, id: string, input: ResolutionInput): Promise<ConflictView> {
  await ctx.db.kysely.transaction().execute(async (tx) => {
    const query = tx.selectFrom('sync_conflicts').selectAll().where('id', '=', id);
    const row = await (ctx.db.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
    if (!row) throw new TandaError('not_found', 'no such sync conflict');
    authorize(actor, input.action, { kind: 'sync_conflict', issuerId: row.issuer_id, ownerId: row.actor_id });
    if (row.resolved_at) throw new TandaError('conflict_resolved', `this conflict was ${row.resolution} at ${row.resolved_at}`);
    if (input.action === 'apply') {
      try {
        await recordUnitAssessmentsTx(tx, ctx, actor, row.case_id, assessmentInputOf(JSON.parse(row.event) as SyncEvent));
      } catch (e) {
        if (!isTandaError(e) || e.statusCode >= 500) throw e;
        throw new TandaError('conflict_not_applicable', `the judgement cannot be recorded now: ${e.message}`, { details: { code: e.code } });
      }
    }
    const resolution = input.action === 'apply' ? 'applied' : 'discarded';
    await tx.updateTable('sync_conflicts').set({ resolved_at: nowIso(), resolution, resolution_note: input.note?.trim() || null, resolved_by: actor.id }).where('id', '=', id).execute();
    // The note may name people; the chain holds ids and the outcome only.
    await audit(tx, ctx, { actorId: actor.id, action: 'case.sync_conflict_resolved', caseId: row.case_id, subjectId: id, data: { resolution, eventId: row.event_id } });
  });
  const row = await conflictQuery(ctx).where('sync_conflicts.id', '=', id).executeTakeFirstOrThrow();
  return view(row);
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
    event.unit = { ...event.unit, notes: null, evidenceIds: [] };
    if (serverView.unit) serverView.unit = { ...serverView.unit, notes: null, evidenceIds: [] };
    await tx.updateTable('sync_conflicts').set({ event: JSON.stringify(event), server_view: JSON.stringify(serverView), resolution_note: null }).where('id', '=', r.id).execute();
  }
}
