import crypto from 'node:crypto';
import canonicalizeCjs from 'canonicalize';
import { sql } from 'kysely';
import type { Dialect, Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';

// The package is CommonJS (`module.exports = fn`) while its types declare an ES default export; under NodeNext
// the default import is the function itself.
const canonicalize = canonicalizeCjs as unknown as (input: unknown) => string | undefined;

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  actorId: string | null;
  action: string;
  caseId?: string | null;
  subjectId?: string | null;
  /** Ids, states, event names: never personal data (the chain cannot be edited to erase it). */
  data?: Record<string, string | number | boolean | null | string[]>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  caseId: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

type Hashed = Omit<AuditEntry, 'prevHash' | 'hash'>;

/** RFC 8785 (JCS) canonical JSON, so the hash does not depend on key order or on how a dialect returns the row. */
export function entryHash(prevHash: string, entry: Hashed): string {
  const body = canonicalize({ seq: entry.seq, at: entry.at, actorId: entry.actorId, action: entry.action, caseId: entry.caseId, subjectId: entry.subjectId, data: entry.data });
  return crypto.createHash('sha256').update(prevHash, 'utf8').update(body ?? '', 'utf8').digest('hex');
}

/**
 * Appends inside the caller's transaction, so an entry exists exactly when the change it records was committed.
 * Appends are serialised (PostgreSQL: a transaction-scoped advisory lock; SQLite: one writer at a time anyway),
 * and `prev_hash` is unique, so two writers can never fork the chain.
 */
export async function appendAudit(tx: Executor, dialect: Dialect, input: AuditInput): Promise<AuditEntry> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(7401)`.execute(tx);
  const last = await tx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const entry: Hashed = {
    seq: (last ? Number(last.seq) : 0) + 1,
    at: nowIso(),
    actorId: input.actorId,
    action: input.action,
    caseId: input.caseId ?? null,
    subjectId: input.subjectId ?? null,
    data: input.data ?? {},
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = entryHash(prevHash, entry);
  await tx
    .insertInto('audit_log')
    .values({ seq: entry.seq, at: entry.at, actor_id: entry.actorId, action: entry.action, case_id: entry.caseId, subject_id: entry.subjectId, data: canonicalize(entry.data) ?? '{}', prev_hash: prevHash, hash })
    .execute();
  return { ...entry, prevHash, hash };
}

export type ChainBreak = 'sequence_gap' | 'previous_hash_mismatch' | 'hash_mismatch' | 'unreadable_entry';

export interface ChainReport {
  valid: boolean;
  entries: number;
  /** The last entry that checked out (its hash anchors the chain up to there). */
  lastValidSeq: number;
  firstBroken?: { seq: number; reason: ChainBreak; message: string };
}

/**
 * Walks the whole chain in order and reports the first broken link: an edited entry no longer matches its hash,
 * a deleted one leaves a gap in `seq` and a `prev_hash` that no longer matches. Deleting the newest entries leaves a
 * shorter but consistent chain; anchoring the head hash elsewhere (an export, a printout) closes that gap.
 */
export async function verifyAuditChain(executor: Executor, options: { batch?: number } = {}): Promise<ChainReport> {
  const batch = options.batch ?? 1000;
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const rows = await executor.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(batch).execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      const broken = (reason: ChainBreak, message: string): ChainReport => ({ valid: false, entries: count, lastValidSeq: expectedSeq - 1, firstBroken: { seq, reason, message } });
      if (seq !== expectedSeq) return broken('sequence_gap', `entry ${expectedSeq} is missing (next present entry is ${seq})`);
      if (row.prev_hash !== prevHash) return broken('previous_hash_mismatch', `entry ${seq} does not continue from entry ${seq - 1}`);
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(row.data) as Record<string, unknown>;
      } catch {
        return broken('unreadable_entry', `entry ${seq} has unreadable data`);
      }
      const recomputed = entryHash(prevHash, { seq, at: row.at, actorId: row.actor_id, action: row.action, caseId: row.case_id, subjectId: row.subject_id, data });
      if (recomputed !== row.hash) return broken('hash_mismatch', `entry ${seq} was changed after it was written`);
      prevHash = row.hash;
      expectedSeq = seq + 1;
      count++;
    }
    if (rows.length < batch) break;
  }
  return { valid: true, entries: count, lastValidSeq: expectedSeq - 1 };
}

export async function listAudit(executor: Executor, filter: { caseId?: string; limit?: number; afterSeq?: number } = {}): Promise<AuditEntry[]> {
  let q = executor.selectFrom('audit_log').selectAll();
  if (filter.caseId) q = q.where('case_id', '=', filter.caseId);
  if (filter.afterSeq) q = q.where('seq', '>', filter.afterSeq);
  const rows = await q.orderBy('seq').limit(Math.min(filter.limit ?? 200, 1000)).execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    actorId: r.actor_id,
    action: r.action,
    caseId: r.case_id,
    subjectId: r.subject_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}

/**
 * An access that used an admin's stated reason (see src/policy): recorded before the data is served, with the ids
 * and the reason only. A decision without a reason records nothing.
 */
export async function auditReasonedAccess(
  tx: Executor,
  dialect: Dialect,
  input: { actorId: string; decision: { auditedReason?: string | undefined }; action: string; caseId?: string | null; subjectId?: string | null },
): Promise<void> {
  if (!input.decision.auditedReason) return;
  await appendAudit(tx, dialect, { actorId: input.actorId, action: 'access.reasoned', caseId: input.caseId ?? null, subjectId: input.subjectId ?? null, data: { access: input.action, reason: input.decision.auditedReason } });
}
