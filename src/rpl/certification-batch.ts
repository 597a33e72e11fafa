import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { CertificationBatchesTable, CertificationBatchItemsTable } from '../db/schema.js';
import { TandaError, isTandaError } from '../errors.js';
import { getQualification, getQualificationByCode } from '../frameworks/catalogue-repository.js';
import type { LocalizedText } from '../frameworks/types.js';
import { authorize, can, type Actor } from '../policy/policy.js';
import { caseFacts, type CaseRow } from './case-repository.js';
import { certifyCase } from './certification.js';
import { audit, type RplContext } from './context.js';

/*
 * Certification batches: a certifying officer asks for a set of cases to be certified (named ids, or every moderated
 * case of their body for a qualification, optionally of one cohort import); the request is stored with one item per
 * case, and a background worker certifies the items one by one, each through `certifyCase` (the same policy checks,
 * award, status allocation and audit entry as a single certification) in its own transaction, which also marks the
 * item done. So a process killed at any moment leaves each item either done, with its credential, or pending; the
 * next worker to run (after a restart, or in another instance) resumes it. Exactly one credential per case:
 * - the case write is versioned (`updateCaseVersioned`), so of two workers certifying one case only one commits;
 * - items are claimed with a lease, as outbox messages are (src/outbox/worker.ts), and the item is marked done only
 *   by the worker holding the lease, in the issuing transaction: a worker whose lease was taken over rolls back;
 * - a case found already certified (by hand, or by another batch) is marked done with its credential, not issued
 *   again.
 */

/** Largest batch: the item list comes back in one response. */
export const MAX_BATCH_CASES = 5000;

export interface BatchSelection {
  /** Named cases; each must be one the officer could certify (else the whole request is not_found). */
  caseIds?: string[];
  /** Or every case of the officer's body in the moderated state for this qualification (catalogue id or code)… */
  qualificationId?: string;
  /** …of this cohort import (its reference). */
  cohortRef?: string;
}

export interface BatchItemView {
  caseId: string;
  state: CertificationBatchItemsTable['state'];
  credentialId: string | null;
  error: { code: string; message: string } | null;
}

export interface BatchView {
  id: string;
  issuerId: string;
  requestedBy: string;
  state: CertificationBatchesTable['state'];
  selection: BatchSelection;
  total: number;
  done: number;
  failed: number;
  pending: number;
  createdAt: string;
  completedAt: string | null;
  items?: BatchItemView[];
}

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

async function selectCases(ex: Executor, actor: Actor, issuerId: string, selection: BatchSelection): Promise<{ caseIds: string[]; stored: BatchSelection }> {
  // PostgreSQL refuses a NUL in text with an error of its own; it is the caller's mistake, so say so.
  const texts = [...(selection.caseIds ?? []), selection.qualificationId ?? '', selection.cohortRef ?? ''];
  if (texts.some((x) => x.includes('\u0000'))) throw new TandaError('validation_failed', 'a case id, qualification or cohort reference contains a NUL character');
  if (selection.caseIds?.length) {
    const wanted = [...new Set(selection.caseIds)];
    if (wanted.length > MAX_BATCH_CASES) throw new TandaError('validation_failed', `a batch holds at most ${MAX_BATCH_CASES} cases`);
    const found = new Map<string, CaseRow & { candidate_user_id: string }>();
    for (const part of chunks(wanted, 500)) {
      const rows = await ex
        .selectFrom('rpl_cases')
        .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
        .selectAll('rpl_cases')
        .select('candidates.user_id as candidate_user_id')
        .where('rpl_cases.id', 'in', part)
        .execute();
      for (const r of rows) found.set(r.id, r);
    }
    // A case the officer could not certify is answered like a missing one: its existence is not revealed.
    const unreachable = wanted.filter((id) => {
      const r = found.get(id);
      return !r || !can(actor, 'transition:certify', { kind: 'case', ...caseFacts(r, r.candidate_user_id) });
    });
    if (unreachable.length) throw new TandaError('not_found', `no such case: ${unreachable.slice(0, 5).join(', ')}${unreachable.length > 5 ? ` and ${unreachable.length - 5} more` : ''}`);
    return { caseIds: wanted, stored: { caseIds: wanted } };
  }
  if (!selection.qualificationId) throw new TandaError('validation_failed', 'name the cases (caseIds) or a qualification (qualificationId, optionally cohortRef)');
  const q = (await getQualification(ex, selection.qualificationId)) ?? (await getQualificationByCode(ex, selection.qualificationId));
  if (!q) throw new TandaError('not_found', `no qualification ${selection.qualificationId} in the catalogue`);
  let query = ex.selectFrom('rpl_cases').select('id').where('issuer_id', '=', issuerId).where('qualification_id', '=', q.id).where('state', '=', 'moderated');
  if (selection.cohortRef) query = query.where('cohort_ref', '=', selection.cohortRef);
  const rows = await query.orderBy('created_at').orderBy('id').limit(MAX_BATCH_CASES + 1).execute();
  if (rows.length > MAX_BATCH_CASES) throw new TandaError('validation_failed', `more than ${MAX_BATCH_CASES} cases match: narrow the selection (cohortRef) or name the cases`);
  return { caseIds: rows.map((r) => r.id), stored: { qualificationId: q.id, ...(selection.cohortRef ? { cohortRef: selection.cohortRef } : {}) } };
}

/**
 * Stores a batch of the officer's body (items pending); the worker certifies them. `inTransaction` runs in the
 * transaction that stores it (the route completes its Idempotency-Key there, so a key is done exactly when its batch
 * exists).
 */
export async function createCertificationBatch(
  ctx: RplContext,
  actor: Actor,
  selection: BatchSelection,
  options: { inTransaction?: (tx: Executor, batch: BatchView) => Promise<void> } = {},
): Promise<BatchView> {
  authorize(actor, 'certify', { kind: 'cohort', issuerId: actor.issuerId });
  const issuerId = actor.issuerId!;
  const { caseIds, stored } = await selectCases(ctx.db.kysely, actor, issuerId, selection);
  if (!caseIds.length) throw new TandaError('precondition_failed', 'no case of your body in the moderated state matches: nothing to certify');
  const id = crypto.randomUUID();
  const now = nowIso();
  const view: BatchView = {
    id, issuerId, requestedBy: actor.id, state: 'running', selection: stored, total: caseIds.length, done: 0, failed: 0, pending: caseIds.length,
    createdAt: now, completedAt: null, items: caseIds.map((caseId) => ({ caseId, state: 'pending', credentialId: null, error: null })),
  };
  await ctx.db.kysely.transaction().execute(async (tx) => {
    await tx.insertInto('certification_batches').values({ id, issuer_id: issuerId, requested_by: actor.id, state: 'running', selection: JSON.stringify(stored), total: caseIds.length, created_at: now, completed_at: null }).execute();
    for (const part of chunks(caseIds.map((caseId, position) => ({ caseId, position })), 500)) {
      await tx
        .insertInto('certification_batch_items')
        .values(part.map(({ caseId, position }) => ({ batch_id: id, position, case_id: caseId, state: 'pending' as const, credential_id: null, error_code: null, error_message: null, attempts: 0, lease_owner: null, lease_until: null, updated_at: now })))
        .execute();
    }
    await audit(tx, ctx, { actorId: actor.id, action: 'certification_batch.created', subjectId: id, data: { total: caseIds.length, ...(stored.qualificationId ? { qualificationId: stored.qualificationId } : {}), ...(stored.cohortRef ? { cohortRef: stored.cohortRef } : {}) } });
    await options.inTransaction?.(tx, view);
  });
  return view;
}

async function counts(ex: Executor, batchIds: readonly string[]): Promise<Map<string, { done: number; failed: number; pending: number }>> {
  const result = new Map(batchIds.map((id) => [id, { done: 0, failed: 0, pending: 0 }]));
  if (!batchIds.length) return result;
  const rows = await ex
    .selectFrom('certification_batch_items')
    .select(['batch_id', 'state', (eb) => eb.fn.countAll().as('n')])
    .where('batch_id', 'in', batchIds)
    .groupBy(['batch_id', 'state'])
    .execute();
  for (const r of rows) result.get(r.batch_id)![r.state] = Number(r.n);
  return result;
}

const toView = (b: CertificationBatchesTable, c: { done: number; failed: number; pending: number }): BatchView => ({
  id: b.id, issuerId: b.issuer_id, requestedBy: b.requested_by, state: b.state, selection: JSON.parse(b.selection) as BatchSelection,
  total: Number(b.total), ...c, createdAt: b.created_at, completedAt: b.completed_at,
});

/** A batch's progress and per-case results, for the certifying officers of its body. */
export async function getCertificationBatch(ctx: RplContext, actor: Actor, id: string): Promise<BatchView> {
  const ex = ctx.db.kysely;
  // No batch id holds a NUL (PostgreSQL would refuse the query itself).
  const batch = id.includes('\u0000') ? undefined : await ex.selectFrom('certification_batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!batch) throw new TandaError('not_found', 'no such certification batch');
  authorize(actor, 'read', { kind: 'cohort', issuerId: batch.issuer_id });
  const items = await ex.selectFrom('certification_batch_items').selectAll().where('batch_id', '=', id).orderBy('position').execute();
  return {
    ...toView(batch, (await counts(ex, [id])).get(id)!),
    items: items.map((i) => ({ caseId: i.case_id, state: i.state, credentialId: i.credential_id, error: i.error_code ? { code: i.error_code, message: i.error_message ?? '' } : null })),
  };
}

export interface ReadyQualification {
  qualificationId: string;
  /** As the catalogue has it (null for a qualification no longer in it). */
  code: string | null;
  titles: LocalizedText | null;
  /** The body's moderated cases for it: what a batch by this qualification would take. */
  cases: number;
  /** The same by cohort import, most cases first; cases opened one by one belong to no cohort and are not listed. */
  cohorts: Array<{ cohortRef: string; cases: number }>;
}

/**
 * What a batch by qualification can take now: every qualification with moderated cases of the officer's body (all of
 * them, however many cases wait), and their cohorts, most cases first.
 */
export async function readyForBatch(ctx: RplContext, actor: Actor): Promise<ReadyQualification[]> {
  authorize(actor, 'certify', { kind: 'cohort', issuerId: actor.issuerId });
  const ex = ctx.db.kysely;
  const rows = await ex
    .selectFrom('rpl_cases')
    .select(['qualification_id', 'cohort_ref', (eb) => eb.fn.countAll().as('n')])
    .where('issuer_id', '=', actor.issuerId!)
    .where('state', '=', 'moderated')
    .groupBy(['qualification_id', 'cohort_ref'])
    .execute();
  const byQualification = new Map<string, ReadyQualification>();
  for (const r of rows) {
    let q = byQualification.get(r.qualification_id);
    if (!q) {
      const known = await getQualification(ex, r.qualification_id);
      q = { qualificationId: r.qualification_id, code: known?.code ?? null, titles: known?.titles ?? null, cases: 0, cohorts: [] };
      byQualification.set(r.qualification_id, q);
    }
    q.cases += Number(r.n);
    if (r.cohort_ref) q.cohorts.push({ cohortRef: r.cohort_ref, cases: Number(r.n) });
  }
  const most = <T extends { cases: number }>(key: (x: T) => string) => (a: T, b: T) => b.cases - a.cases || key(a).localeCompare(key(b));
  const ready = [...byQualification.values()].sort(most((q) => q.code ?? q.qualificationId));
  for (const q of ready) q.cohorts.sort(most((c) => c.cohortRef));
  return ready;
}

/** The batches of the officer's body, newest first, without their items. */
export async function listCertificationBatches(ctx: RplContext, actor: Actor, page: { limit?: number; offset?: number } = {}): Promise<BatchView[]> {
  authorize(actor, 'read', { kind: 'cohort', issuerId: actor.issuerId });
  const ex = ctx.db.kysely;
  const batches = await ex
    .selectFrom('certification_batches')
    .selectAll()
    .where('issuer_id', '=', actor.issuerId!)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(page.limit ?? 50)
    .offset(page.offset ?? 0)
    .execute();
  const c = await counts(ex, batches.map((b) => b.id));
  return batches.map((b) => toView(b, c.get(b.id)!));
}

/** pino's shape, without importing it. Never given personal data: ids, codes and counts. */
export interface BatchWorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BatchWorkerOptions {
  log: BatchWorkerLog;
  /** Poll period when idle. */
  intervalMs?: number;
  /**
   * How long a claim holds: longer than one certification (a signature and a few writes) ever takes. An item whose
   * worker was killed waits this long before another takes it; the rest of the batch goes on meanwhile.
   */
  leaseMs?: number;
  /** Claims per item before it is failed (conflicts and database errors are retried). */
  maxAttempts?: number;
  /** Items claimed per round. */
  batchSize?: number;
  /** Tests move time instead of waiting. */
  clock?: () => Date;
  id?: string;
  /** Work on this batch only (the CLI's `--wait`, which should not take other batches' items). */
  batchId?: string;
}

export type ItemOutcome = 'done' | 'failed' | 'retrying';

/**
 * Works through the pending items of every running batch, in any number of processes: each item is taken with a
 * conditional UPDATE on its lease (one winner on PostgreSQL and SQLite alike), so several instances share the work.
 */
export class CertificationBatchWorker {
  readonly id: string;
  private readonly log: BatchWorkerLog;
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly batchSize: number;
  private readonly clock: () => Date;
  private readonly onlyBatch: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** stop() was called: the round in progress ends after its current item. */
  private halting = false;

  constructor(
    private readonly ctx: RplContext,
    options: BatchWorkerOptions,
  ) {
    this.id = options.id ?? `batch-worker-${crypto.randomUUID()}`;
    this.log = options.log;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.batchSize = options.batchSize ?? 20;
    this.clock = options.clock ?? (() => new Date());
    this.onlyBatch = options.batchId;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halting = false;
    this.schedule(0);
  }

  /** Stops after the item in progress: a graceful shutdown never leaves one to its lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((e: unknown) => {
          this.log.error({ worker: this.id, error: (e as Error)?.name }, 'certification batch round failed');
          return { processed: 0, full: false };
        })
        .then((r) => this.schedule(r.full ? 0 : this.intervalMs))
        .finally(() => (this.running = undefined));
    }, ms);
    this.timer.unref();
  }

  /** One round: up to batchSize due items, oldest batch first. `full`: more may be due. */
  async runOnce(): Promise<{ processed: number; full: boolean; outcomes: Record<ItemOutcome, number> }> {
    const now = this.clock().toISOString();
    // A process killed between its last item and closing the batch leaves it running with nothing pending.
    let settled = this.ctx.db.kysely
      .selectFrom('certification_batches')
      .select('id')
      .where('state', '=', 'running')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('certification_batch_items').select('position').whereRef('certification_batch_items.batch_id', '=', 'certification_batches.id').where('certification_batch_items.state', '=', 'pending'))));
    if (this.onlyBatch) settled = settled.where('id', '=', this.onlyBatch);
    for (const { id } of await settled.execute()) await this.completeIfDone(id);
    let query = this.ctx.db.kysely
      .selectFrom('certification_batch_items')
      .innerJoin('certification_batches', 'certification_batches.id', 'certification_batch_items.batch_id')
      .select(['certification_batch_items.batch_id', 'certification_batch_items.position'])
      .where('certification_batches.state', '=', 'running')
      .where('certification_batch_items.state', '=', 'pending')
      .where((eb) => eb.or([eb('certification_batch_items.lease_until', 'is', null), eb('certification_batch_items.lease_until', '<', now)]))
      .orderBy('certification_batches.created_at')
      .orderBy('certification_batch_items.batch_id')
      .orderBy('certification_batch_items.position')
      .limit(this.batchSize);
    if (this.onlyBatch) query = query.where('certification_batch_items.batch_id', '=', this.onlyBatch);
    const due = await query.execute();
    const outcomes: Record<ItemOutcome, number> = { done: 0, failed: 0, retrying: 0 };
    const batches = new Set<string>();
    for (const item of due) {
      if (this.halting) break;
      const outcome = await this.processItem(item.batch_id, Number(item.position));
      if (outcome) outcomes[outcome]++;
      batches.add(item.batch_id);
    }
    for (const b of batches) await this.completeIfDone(b);
    return { processed: due.length, full: due.length === this.batchSize, outcomes };
  }

  /** Rounds until nothing is due (items leased by a live worker elsewhere are left to it). */
  async drain(): Promise<void> {
    while ((await this.runOnce()).processed > 0);
  }

  private async claim(batchId: string, position: number): Promise<boolean> {
    const now = this.clock();
    const claimed = await this.ctx.db.kysely
      .updateTable('certification_batch_items')
      .set((eb) => ({ lease_owner: this.id, lease_until: new Date(now.getTime() + this.leaseMs).toISOString(), attempts: eb('attempts', '+', 1), updated_at: now.toISOString() }))
      .where('batch_id', '=', batchId)
      .where('position', '=', position)
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString())]))
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  }

  /** Ends the item, if this worker still holds it; returns whether it did. */
  private async finish(ex: Executor, batchId: string, position: number, patch: Partial<CertificationBatchItemsTable>): Promise<boolean> {
    const r = await ex
      .updateTable('certification_batch_items')
      .set({ ...patch, lease_owner: null, lease_until: null, updated_at: this.clock().toISOString() })
      .where('batch_id', '=', batchId)
      .where('position', '=', position)
      .where('state', '=', 'pending')
      .where('lease_owner', '=', this.id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Claims and certifies one item; undefined when another worker has it. */
  async processItem(batchId: string, position: number): Promise<ItemOutcome | undefined> {
    if (!(await this.claim(batchId, position))) return undefined;
    const ex = this.ctx.db.kysely;
    const item = await ex.selectFrom('certification_batch_items').selectAll().where('batch_id', '=', batchId).where('position', '=', position).executeTakeFirstOrThrow();
    const batch = await ex.selectFrom('certification_batches').select(['requested_by']).where('id', '=', batchId).executeTakeFirstOrThrow();
    const fail = async (code: string, message: string): Promise<ItemOutcome> => {
      await this.finish(ex, batchId, position, { state: 'failed', error_code: code, error_message: message });
      return 'failed';
    };
    // Certified as the officer who asked, as they are now: one disabled since (or moved) certifies nothing more.
    const user = await ex.selectFrom('users').select(['id', 'role', 'issuer_id', 'disabled']).where('id', '=', batch.requested_by).executeTakeFirst();
    if (!user || Number(user.disabled)) return fail('forbidden', 'the officer who asked for this batch is no longer active');
    const actor: Actor = { id: user.id, role: user.role, issuerId: user.issuer_id };
    const row = await ex.selectFrom('rpl_cases').select(['state', 'version', 'credential_id']).where('id', '=', item.case_id).executeTakeFirst();
    if (!row) return fail('not_found', 'no such case');
    if (row.state === 'certified' && row.credential_id) {
      // Certified already (by hand, by another batch): its credential is the result; no second one.
      return (await this.finish(ex, batchId, position, { state: 'done', credential_id: row.credential_id })) ? 'done' : undefined;
    }
    try {
      await certifyCase(this.ctx, actor, item.case_id, Number(row.version), {}, {
        afterStore: async (tx, credentialId) => {
          // Fencing: if the lease ran out and another worker took the item, this whole certification rolls back.
          if (!(await this.finish(tx, batchId, position, { state: 'done', credential_id: credentialId }))) {
            throw new TandaError('conflict', 'the batch item was taken over by another worker');
          }
        },
      });
      return 'done';
    } catch (e) {
      const attempts = Number(item.attempts);
      if (isTandaError(e) && e.statusCode < 500 && e.code !== 'conflict') return fail(e.code, e.message);
      // A conflict (the case changed meanwhile, or the item was taken over) or a database error: try again later.
      if (attempts >= this.maxAttempts) return fail(isTandaError(e) ? e.code : 'internal', isTandaError(e) ? e.message : 'certification kept failing');
      if (!isTandaError(e)) this.log.warn({ worker: this.id, batchId, position, attempt: attempts, error: (e as Error)?.name }, 'certification batch item will be retried');
      await ex
        .updateTable('certification_batch_items')
        .set({ lease_owner: null, lease_until: new Date(this.clock().getTime() + (isTandaError(e) ? 0 : 1000 * attempts)).toISOString() })
        .where('batch_id', '=', batchId)
        .where('position', '=', position)
        .where('lease_owner', '=', this.id)
        .execute();
      return 'retrying';
    }
  }

  /** The worker that ends the last item closes the batch (once: the state changes from running exactly one time). */
  async completeIfDone(batchId: string): Promise<boolean> {
    return this.ctx.db.kysely.transaction().execute(async (tx) => {
      const closed = await tx
        .updateTable('certification_batches')
        .set({ state: 'completed', completed_at: this.clock().toISOString() })
        .where('id', '=', batchId)
        .where('state', '=', 'running')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('certification_batch_items').select('position').where('batch_id', '=', batchId).where('state', '=', 'pending'))))
        .executeTakeFirst();
      if (Number(closed.numUpdatedRows) !== 1) return false;
      const c = (await counts(tx, [batchId])).get(batchId)!;
      const batch = await tx.selectFrom('certification_batches').select('requested_by').where('id', '=', batchId).executeTakeFirstOrThrow();
      await audit(tx, this.ctx, { actorId: batch.requested_by, action: 'certification_batch.completed', subjectId: batchId, data: { done: c.done, failed: c.failed } });
      this.log.info({ worker: this.id, batchId, done: c.done, failed: c.failed }, 'certification batch completed');
      return true;
    });
  }
}

/** Certificates printed in one request from a batch: a page each, so a request's work stays bounded. */
export const MAX_PRINTED_PER_REQUEST = 100;

/**
 * The credentials a batch has certified so far, in the batch's order (one page of them), for printing: a
 * certifying officer of the batch's body, who may print each one (the policy's `print` on the credential).
 */
export async function batchCredentialIds(ctx: RplContext, actor: Actor, id: string, page: { limit?: number; offset?: number } = {}): Promise<{ ids: string[]; certified: number }> {
  const batch = await getCertificationBatch(ctx, actor, id);
  const certified = (batch.items ?? []).filter((i) => i.state === 'done' && i.credentialId).map((i) => i.credentialId!);
  const offset = page.offset ?? 0;
  const ids = certified.slice(offset, offset + Math.min(page.limit ?? MAX_PRINTED_PER_REQUEST, MAX_PRINTED_PER_REQUEST));
  if (ids.length === 0) throw new TandaError('precondition_failed', certified.length ? `the batch has ${certified.length} certificate(s): offset ${offset} is past them` : 'no case of this batch is certified yet');
  for (const credentialId of ids) {
    const stored = await ctx.credentials.find(credentialId);
    if (!stored) throw new TandaError('not_found', `no credential ${credentialId}`);
    authorize(actor, 'print', { kind: 'credential', issuerId: stored.issuerId, holderUserId: stored.holderUserId });
  }
  return { ids, certified: certified.length };
}
