import crypto from 'node:crypto';
import canonicalizeCjs from 'canonicalize';
import { nowIso, type Executor } from '../db/database.js';
import { TandaError, isTandaError } from '../errors.js';
import { authorize, can, type Actor } from '../policy/policy.js';
import { recordUnitAssessmentsTx, type AssessmentInput, type UnitAssessmentInput } from '../rpl/assessment.js';
import { caseFacts, caseOutcome } from '../rpl/case-repository.js';
import { transitionCaseTx } from '../rpl/cases.js';
import { audit, type RplContext } from '../rpl/context.js';
import { judgementView, packageOf, unitSignature, type OfflineUnitJudgement, type PackageSnapshot } from './offline-day.js';

// The package is CommonJS while its types declare an ES default export (as in src/rpl/audit.ts).
const canonicalize = canonicalizeCjs as unknown as (input: unknown) => string | undefined;

export const MAX_SYNC_EVENTS = 500;

/** One thing an assessor did on the device, with the id the device gave it. */
export interface UnitDecisionEvent {
  id: string;
  caseId: string;
  /** The case version the device worked from (the package's). */
  baseVersion: number;
  /**
   * The offline day (package) the device holds the case from: its snapshot is what the device knew of each unit.
   * Absent in events recorded before devices said so: those are compared with the first package at baseVersion.
   */
  packageId?: string;
  /** The device's clock: shown to people, never trusted for ordering. */
  recordedAt: string;
  type: 'unit_decision';
  assessedOn: string;
  centreId?: string | null;
  country?: string | null;
  unit: UnitAssessmentInput;
}

/**
 * The assessor closed the assessment on the device once every unit was judged there: the workflow's `decide`,
 * fired at `baseVersion` when it reaches the server, after the unit decisions it rests on.
 */
export interface CaseDecisionEvent {
  id: string;
  caseId: string;
  baseVersion: number;
  packageId?: string;
  recordedAt: string;
  type: 'case_decision';
  /**
   * The device's unit decision events the decision rests on (the last one per unit): it is applied only when the
   * server applied each of them, so a decision never closes a case on judgements the server did not take.
   */
  unitEventIds: string[];
}
export type SyncEvent = UnitDecisionEvent | CaseDecisionEvent;

/**
 * Why an event was not applied:
 * - case_changed: someone moved the case since the device's version (withdrawn, returned, a new round…);
 * - case_reassigned: the case is no longer the assessor's to assess;
 * - unit_judged_by_other: someone else recorded this unit after the package was made;
 * - unit_judged_differently: the assessor recorded this unit otherwise (online, another device) meanwhile;
 * - refused: the recording rules refused it (e.g. Competent without the four rules of evidence met), or for a
 *   case decision the workflow did (`precondition_failed`: a core unit without a decision on the server);
 * - units_not_applied: a case decision whose unit decisions were not all applied (one became a conflict, or never
 *   reached the server): closing the case would rest on judgements the server does not hold.
 */
export type ConflictReason = 'case_changed' | 'case_reassigned' | 'unit_judged_by_other' | 'unit_judged_differently' | 'refused' | 'units_not_applied';

export interface ServerView {
  case: { assignedToYou: boolean; state?: string; version?: number; round?: number };
  unit: OfflineUnitJudgement | null;
  refusal?: { code: string; message: string };
  /**
   * A case decision: the core units of the round without a decision on the server, and how many of the unit
   * decisions it rested on the server did not apply.
   */
  decision?: { undecidedCoreUnitIds: string[]; unitEventsNotApplied: number };
}

export type SyncResultItem =
  | { id: string; status: 'applied' }
  | { id: string; status: 'conflict'; conflictId: string; reason: ConflictReason }
  /** Already synced: `firstStatus` (and for a conflict its id and reason) is what the first sync answered. */
  | { id: string; status: 'duplicate'; firstStatus: 'applied' | 'conflict'; conflictId?: string; reason?: ConflictReason };

export interface SyncResult {
  results: SyncResultItem[];
  /** Where each case of the request stands now; a case no longer the assessor's is left out. */
  cases: Array<{ id: string; version: number; state: string }>;
}

export const eventFingerprint = (e: SyncEvent): string => crypto.createHash('sha256').update(canonicalize(e) ?? '').digest('hex');

function sameJudgement(cur: OfflineUnitJudgement, u: UnitAssessmentInput): boolean {
  const sorted = (a: readonly string[]) => [...a].sort().join(',');
  return (
    cur.decision === u.decision &&
    sorted(cur.methods) === sorted(u.methods) &&
    sorted(cur.evidenceIds) === sorted(u.evidenceIds) &&
    cur.quality.valid === u.quality.valid && cur.quality.authentic === u.quality.authentic && cur.quality.current === u.quality.current && cur.quality.sufficient === u.quality.sufficient &&
    (cur.notes ?? null) === (u.notes ?? null)
  );
}

export const assessmentInputOf = (e: UnitDecisionEvent): AssessmentInput => ({ units: [e.unit], assessedOn: e.assessedOn, centreId: e.centreId ?? null, country: e.country ?? null });

/**
 * Applies a device's events: idempotent by event id (per account), each case's events in order in one
 * transaction. An event is applied through the same rules and audit as `POST /cases/:id/assessments`, unless the
 * case or the unit changed on the server since the device's base in a way a person must look at: then it is kept
 * as a conflict (with the server's view) and nothing is overwritten. The whole request is refused, with nothing
 * applied, when an event id was used before for another event or names a case the assessor never had.
 */
export async function syncEvents(ctx: RplContext, actor: Actor, events: SyncEvent[]): Promise<SyncResult> {
  authorize(actor, 'sync', { kind: 'offline_day', issuerId: actor.issuerId, ownerId: null });
  if (!events.length || events.length > MAX_SYNC_EVENTS) throw new TandaError('validation_failed', `a sync holds 1 to ${MAX_SYNC_EVENTS} events`);
  const db = ctx.db.kysely;
  const fingerprints = new Map<string, string>();
  const mismatched = new Set<string>();
  for (const e of events) {
    const fp = eventFingerprint(e);
    const seen = fingerprints.get(e.id);
    if (seen !== undefined && seen !== fp) mismatched.add(e.id);
    fingerprints.set(e.id, fp);
  }
  const ids = [...fingerprints.keys()];
  const known = await db.selectFrom('console_sync_events').select(['event_id', 'fingerprint']).where('actor_id', '=', actor.id).where('event_id', 'in', ids).execute();
  for (const k of known) if (k.fingerprint !== fingerprints.get(k.event_id)) mismatched.add(k.event_id);
  if (mismatched.size) {
    throw new TandaError('sync_event_mismatch', `event ids already used for other events: ${[...mismatched].join(', ')}`, { details: { eventIds: [...mismatched] } });
  }

  const caseIds = [...new Set(events.map((e) => e.caseId))];
  const rows = await db
    .selectFrom('rpl_cases')
    .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
    .select(['rpl_cases.id', 'rpl_cases.issuer_id', 'rpl_cases.assessor_id', 'candidates.user_id as candidate_user_id'])
    .where('rpl_cases.id', 'in', caseIds)
    .execute();
  const packaged = new Set(
    (await db.selectFrom('offline_package_cases').select('case_id').distinct().where('actor_id', '=', actor.id).where('case_id', 'in', caseIds).execute()).map((r) => r.case_id),
  );
  // A case the assessor may assess now, or took offline before it was taken from them; anything else is answered
  // like a missing case, so the sync route cannot probe for other bodies' cases.
  const unknown = caseIds.filter((id) => {
    const r = rows.find((x) => x.id === id);
    return !r || (!packaged.has(id) && !can(actor, 'record', { kind: 'assessment', issuerId: r.issuer_id, assessorId: r.assessor_id, candidateUserId: r.candidate_user_id }));
  });
  if (unknown.length) throw new TandaError('not_found', `no such case to sync: ${unknown.join(', ')}`, { details: { caseIds: unknown } });

  // The days the events name, as far as the policy lets this actor sync against them: another's day, an unknown
  // one, or one that does not hold the event's case are all refused alike, so no one learns which ids exist.
  const named = new Map<string, PackageSnapshot>();
  const packageIds = [...new Set(events.flatMap((e) => (e.packageId ? [e.packageId] : [])))];
  if (packageIds.length) {
    const held = await db
      .selectFrom('offline_package_cases')
      .innerJoin('offline_packages', 'offline_packages.id', 'offline_package_cases.package_id')
      .select(['offline_packages.issuer_id', 'offline_packages.actor_id', 'offline_package_cases.package_id', 'offline_package_cases.case_id', 'offline_package_cases.round', 'offline_package_cases.units', 'offline_package_cases.created_at'])
      .where('offline_package_cases.package_id', 'in', packageIds)
      .where('offline_package_cases.case_id', 'in', caseIds)
      .execute();
    for (const r of held) {
      if (!can(actor, 'sync', { kind: 'offline_day', issuerId: r.issuer_id, ownerId: r.actor_id })) continue;
      named.set(`${r.package_id}|${r.case_id}`, { round: Number(r.round), units: JSON.parse(r.units) as Record<string, string>, createdAt: r.created_at });
    }
    const stray = [...new Set(events.filter((e) => e.packageId && !named.has(`${e.packageId}|${e.caseId}`)).map((e) => e.id))];
    if (stray.length) throw new TandaError('sync_package_unknown', `events naming no offline day of yours that holds their case: ${stray.join(', ')}`, { details: { eventIds: stray } });
  }

  const results = new Map<SyncEvent, SyncResultItem>();
  const cases: SyncResult['cases'] = [];
  for (const caseId of caseIds) {
    const mine = events.filter((e) => e.caseId === caseId);
    const run = () => db.transaction().execute(async (tx) => applyCaseEvents(tx, ctx, actor, caseId, mine, fingerprints, named, results));
    let now: Awaited<ReturnType<typeof run>>;
    try {
      now = await run();
    } catch (e) {
      // Another request recorded one of these event ids for another case at the same moment (PostgreSQL's unique
      // violation): once more, and the check inside the transaction names the id.
      if ((e as { code?: string }).code !== '23505') throw e;
      now = await run();
    }
    if (now) cases.push(now);
  }
  return { results: events.map((e) => results.get(e)!), cases };
}

async function applyCaseEvents(
  tx: Executor,
  ctx: RplContext,
  actor: Actor,
  caseId: string,
  events: SyncEvent[],
  fingerprints: Map<string, string>,
  named: Map<string, PackageSnapshot>,
  results: Map<SyncEvent, SyncResultItem>,
): Promise<SyncResult['cases'][number] | undefined> {
  // One sync of a case at a time (PostgreSQL; SQLite transactions are serial already): a retry racing its first
  // attempt waits, then finds the events recorded and answers them as duplicates.
  const lock = tx.selectFrom('rpl_cases').select('id').where('id', '=', caseId);
  await (ctx.db.dialect === 'postgres' ? lock.forUpdate() : lock).execute();
  const firsts = new Map(
    (await tx.selectFrom('console_sync_events').selectAll().where('actor_id', '=', actor.id).where('event_id', 'in', events.map((e) => e.id)).execute()).map((r) => [r.event_id, r]),
  );
  // Checked again here: a request that raced this one may have recorded an id since the check before any case.
  const reused = events.filter((e) => firsts.has(e.id) && firsts.get(e.id)!.fingerprint !== fingerprints.get(e.id)).map((e) => e.id);
  if (reused.length) throw new TandaError('sync_event_mismatch', `event ids already used for other events: ${reused.join(', ')}`, { details: { eventIds: reused } });
  const firstPackages = new Map<number, PackageSnapshot | undefined>();
  /**
   * The snapshot the device started from: the day it names, also when a sync answer has since moved the device's
   * version on (its copy of the units is still the snapshot's); else the first day at the event's version.
   */
  const packageFor = async (e: SyncEvent): Promise<PackageSnapshot | undefined> => {
    if (e.packageId) return named.get(`${e.packageId}|${caseId}`);
    if (!firstPackages.has(e.baseVersion)) firstPackages.set(e.baseVersion, await packageOf(tx, actor.id, caseId, e.baseVersion));
    return firstPackages.get(e.baseVersion);
  };

  const record = async (e: SyncEvent, status: 'applied' | 'conflict', extra: { conflictId?: string; reason?: ConflictReason; round?: number | null; written?: string | null }) => {
    const row = {
      // A case decision names no unit: '' keeps it out of every unit's history (the column predates decisions).
      actor_id: actor.id, event_id: e.id, case_id: caseId, unit_id: e.type === 'unit_decision' ? e.unit.unitId : '', round: extra.round ?? null, fingerprint: fingerprints.get(e.id)!, status,
      conflict_id: extra.conflictId ?? null, reason: extra.reason ?? null, written: extra.written ?? null, package_id: e.packageId ?? null, created_at: nowIso(),
    };
    await tx.insertInto('console_sync_events').values(row).execute();
    firsts.set(e.id, row);
  };

  const conflict = async (e: SyncEvent, reason: ConflictReason, serverView: ServerView, issuerId: string, round: number | null) => {
    const id = crypto.randomUUID();
    await tx
      .insertInto('sync_conflicts')
      .values({ id, actor_id: actor.id, issuer_id: issuerId, case_id: caseId, event_id: e.id, event: JSON.stringify(e), reason, server_view: JSON.stringify(serverView), created_at: nowIso(), resolved_at: null, resolution: null, resolution_note: null, resolved_by: null })
      .execute();
    await audit(tx, ctx, { actorId: actor.id, action: 'case.sync_conflict', caseId, subjectId: id, data: { eventId: e.id, reason, ...(e.type === 'unit_decision' ? { unitId: e.unit.unitId } : { type: e.type }) } });
    await record(e, 'conflict', { conflictId: id, reason, round });
    results.set(e, { id: e.id, status: 'conflict', conflictId: id, reason });
  };

  /**
   * A case decision: the workflow's `decide` through the same function and policy as online, once the case is where
   * the device left it and the unit decisions it rests on were applied; otherwise a conflict with its own reason.
   */
  const decide = async (e: CaseDecisionEvent, kase: Awaited<ReturnType<typeof loadCase>>) => {
    const round = Number(kase.round);
    const notApplied = e.unitEventIds.length ? await unitEventsNotApplied(tx, actor.id, caseId, e.unitEventIds) : 0;
    const view = async (refusal?: ServerView['refusal']): Promise<ServerView> => {
      const { qualification, decisions } = await caseOutcome(tx, kase);
      return {
        case: { assignedToYou: true, state: kase.state, version: Number(kase.version), round },
        unit: null,
        ...(refusal ? { refusal } : {}),
        decision: { undecidedCoreUnitIds: qualification.units.filter((u) => u.kind === 'core' && !decisions.has(u.unitId)).map((u) => u.unitId), unitEventsNotApplied: notApplied },
      };
    };
    if (Number(kase.version) !== e.baseVersion) return conflict(e, 'case_changed', await view(), kase.issuer_id, round);
    if (notApplied) return conflict(e, 'units_not_applied', await view(), kase.issuer_id, round);
    try {
      await transitionCaseTx(tx, ctx, actor, caseId, { event: 'decide', version: e.baseVersion });
    } catch (err) {
      // The workflow refuses before its first write (precondition_failed: a core unit without a decision).
      if (!isTandaError(err) || err.statusCode >= 500) throw err;
      return conflict(e, 'refused', await view({ code: err.code, message: err.message }), kase.issuer_id, round);
    }
    await record(e, 'applied', { round });
    results.set(e, { id: e.id, status: 'applied' });
  };

  const loadCase = () =>
    tx
      .selectFrom('rpl_cases')
      .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
      .selectAll('rpl_cases')
      .select('candidates.user_id as candidate_user_id')
      .where('rpl_cases.id', '=', caseId)
      .executeTakeFirstOrThrow();

  for (const e of events) {
    const first = firsts.get(e.id);
    if (first) {
      results.set(e, { id: e.id, status: 'duplicate', firstStatus: first.status, ...(first.conflict_id ? { conflictId: first.conflict_id, reason: first.reason as ConflictReason } : {}) });
      continue;
    }
    const kase = await loadCase();
    // Whether the case is still this assessor's to work on: recording a unit, or firing decide, as the event is.
    const facts = caseFacts(kase, kase.candidate_user_id);
    if (e.type === 'unit_decision' ? !can(actor, 'record', { kind: 'assessment', ...facts }) : !can(actor, 'transition:decide', { kind: 'case', ...facts })) {
      // The case is someone else's now: the old assessor learns only that.
      await conflict(e, 'case_reassigned', { case: { assignedToYou: false }, unit: null }, kase.issuer_id, null);
      continue;
    }
    if (e.type === 'case_decision') {
      await decide(e, kase);
      continue;
    }
    const round = Number(kase.round);
    const current = await tx.selectFrom('unit_assessments').selectAll().where('case_id', '=', caseId).where('round', '=', round).where('unit_id', '=', e.unit.unitId).executeTakeFirst();
    const view = (refusal?: ServerView['refusal']): ServerView => ({
      case: { assignedToYou: true, state: kase.state, version: Number(kase.version), round },
      unit: current ? judgementView(current) : null,
      ...(refusal ? { refusal } : {}),
    });
    if (Number(kase.version) !== e.baseVersion) {
      await conflict(e, 'case_changed', view(), kase.issuer_id, round);
      continue;
    }
    if (current) {
      // What the device last knew of this unit: the judgement its own last applied event wrote, else the package's.
      // Its own: sent under the same package, when the event names one (another device of the assessor holds
      // another package); an event naming none cannot tell devices apart, so any of the assessor's counts.
      const pkg = await packageFor(e);
      let ownQuery = tx
        .selectFrom('console_sync_events')
        .select(['written', 'created_at'])
        .where('actor_id', '=', actor.id)
        .where('case_id', '=', caseId)
        .where('unit_id', '=', e.unit.unitId)
        .where('round', '=', round)
        .where('status', '=', 'applied');
      if (e.packageId) ownQuery = ownQuery.where('package_id', '=', e.packageId);
      const own = await ownQuery.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
      // A snapshot of an earlier round (the case went to reassessment since) knew no judgement of this one.
      const baseline = own && (!pkg || own.created_at >= pkg.createdAt) ? own.written : pkg ? (pkg.round === round ? (pkg.units[e.unit.unitId] ?? null) : null) : undefined;
      // Without a package (a client that never made one), only someone else's judgement is known to be a change.
      const changed = baseline === undefined ? current.assessor_id !== actor.id : unitSignature(current) !== baseline;
      if (changed) {
        if (current.assessor_id !== actor.id) {
          await conflict(e, 'unit_judged_by_other', view(), kase.issuer_id, round);
          continue;
        }
        if (!sameJudgement(judgementView(current), e.unit)) {
          await conflict(e, 'unit_judged_differently', view(), kase.issuer_id, round);
          continue;
        }
      }
    }
    try {
      await recordUnitAssessmentsTx(tx, ctx, actor, caseId, assessmentInputOf(e));
    } catch (err) {
      // Every refusal is thrown before the first write, so the transaction is clean and the next event goes on.
      if (!isTandaError(err) || err.statusCode >= 500) throw err;
      await conflict(e, 'refused', view({ code: err.code, message: err.message }), kase.issuer_id, round);
      continue;
    }
    const written = await tx.selectFrom('unit_assessments').selectAll().where('case_id', '=', caseId).where('round', '=', round).where('unit_id', '=', e.unit.unitId).executeTakeFirstOrThrow();
    await record(e, 'applied', { round, written: unitSignature(written) });
    results.set(e, { id: e.id, status: 'applied' });
  }

  const after = await loadCase();
  return can(actor, 'read', { kind: 'case', ...caseFacts(after, after.candidate_user_id) }) ? { id: caseId, version: Number(after.version), state: after.state } : undefined;
}

/**
 * How many of the named unit decision events of this assessor on this case the server did not apply: never received,
 * or kept as a conflict that no person has since applied.
 */
async function unitEventsNotApplied(tx: Executor, actorId: string, caseId: string, eventIds: string[]): Promise<number> {
  const rows = await tx
    .selectFrom('console_sync_events')
    .leftJoin('sync_conflicts', 'sync_conflicts.id', 'console_sync_events.conflict_id')
    .select(['console_sync_events.event_id', 'console_sync_events.status', 'sync_conflicts.resolution'])
    .where('console_sync_events.actor_id', '=', actorId)
    .where('console_sync_events.case_id', '=', caseId)
    .where('console_sync_events.unit_id', '!=', '')
    .where('console_sync_events.event_id', 'in', eventIds)
    .execute();
  const applied = new Set(rows.filter((r) => r.status === 'applied' || r.resolution === 'applied').map((r) => r.event_id));
  return new Set(eventIds).size - applied.size;
}
