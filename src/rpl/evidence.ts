import crypto from 'node:crypto';
import path from 'node:path';
import { sql, type Selectable } from 'kysely';
import { nowIso, type Executor } from '../db/database.js';
import { TandaError } from '../errors.js';
import type { Actor, Context } from '../policy/policy.js';
import { loadVisibleCase } from './case-repository.js';
import { audit, type RplContext } from './context.js';
import type { StagedBlob } from './evidence-storage.js';
import { sniffEvidence } from './sniff.js';
import { authorize } from '../policy/policy.js';
import type { EvidenceBlobsTable, EvidenceItemsTable } from './tables.js';

/**
 * Kinds of evidence. Testimonials, demonstrations and interviews are first-class: many returnees, domestic
 * workers above all, have no contract or pay slip, and the portfolio must not depend on papers they lack.
 */
export const EVIDENCE_KINDS = [
  'employer_testimonial',
  'certificate_of_employment',
  'employment_contract',
  'pay_slip',
  'training_certificate',
  'language_certificate',
  'work_photo',
  'work_video',
  'reference_letter',
  'demonstration_record',
  'interview_record',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export interface EvidenceView {
  id: string;
  caseId: string;
  kind: EvidenceKind;
  title: string;
  description: string | null;
  fileName: string | null;
  sha256: string | null;
  size: number | null;
  contentType: string | null;
  uploadedBy: string;
  createdAt: string;
}

type ItemRow = Selectable<EvidenceItemsTable> & { size: number | null; content_type: string | null };

const view = (r: ItemRow): EvidenceView => ({
  id: r.id,
  caseId: r.case_id,
  kind: r.kind as EvidenceKind,
  title: r.title,
  description: r.description,
  fileName: r.original_name,
  sha256: r.blob_hash,
  size: r.size === null ? null : Number(r.size),
  contentType: r.content_type,
  uploadedBy: r.uploaded_by,
  createdAt: r.created_at,
});

/** States in which the portfolio is open (appealed: new evidence for the reassessment). */
const OPEN_STATES = new Set(['draft', 'submitted', 'screening', 'assessment', 'reassessment', 'appealed']);

/** An upload already streamed to staging and checked from its bytes, waiting for its row. */
export interface StagedEvidence {
  fileName: string;
  staged: StagedBlob;
  contentType: string;
}

export interface EvidenceMeta {
  kind: EvidenceKind;
  title: string;
  description?: string | null;
}

/**
 * May the actor add evidence to this case now? Asked before one byte of an upload is read, and again inside the
 * transaction that records it (the case may have closed, or its returnee been erased, while the bytes streamed).
 */
export async function assertMayAddEvidence(executor: Executor, actor: Actor, caseId: string, options: { portfolioOpen?: boolean } = {}): Promise<void> {
  const kase = await executor
    .selectFrom('rpl_cases')
    .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
    .select(['rpl_cases.issuer_id', 'rpl_cases.assessor_id', 'rpl_cases.state', 'candidates.user_id'])
    .where('rpl_cases.id', '=', caseId)
    .executeTakeFirst();
  if (!kase) throw new TandaError('not_found', 'no such case');
  authorize(actor, 'upload', { kind: 'evidence', issuerId: kase.issuer_id, assessorId: kase.assessor_id, candidateUserId: kase.user_id });
  if (options.portfolioOpen !== false && !OPEN_STATES.has(kase.state)) throw new TandaError('invalid_transition', `the portfolio is closed while the case is ${kase.state}`);
}

/**
 * Streams an upload to staging and checks it from its bytes (empty, size, type on the allow-list, extension
 * agreeing with the type). A refused file is removed before the refusal is thrown.
 */
export async function stageEvidence(ctx: RplContext, fileName: string, source: AsyncIterable<Uint8Array> | Uint8Array): Promise<StagedEvidence> {
  const staged = await ctx.storage.stage(source, ctx.evidenceMaxBytes);
  try {
    if (staged.size === 0) throw new TandaError('evidence_empty');
    const sniffed = sniffEvidence(staged.head);
    if (!sniffed.ok) {
      throw new TandaError('evidence_type_refused', sniffed.reason === 'executable' ? `refused: the file is an ${sniffed.detected ?? 'executable'}` : 'refused: accepted files are PDF, JPEG, PNG, WebP, HEIC, MP4 and MOV');
    }
    const ext = path.extname(fileName).slice(1).toLowerCase();
    if (ext && !sniffed.extensions.includes(ext)) {
      throw new TandaError('evidence_type_refused', `refused: the file is named .${ext} but its content is ${sniffed.contentType}`);
    }
    return { fileName, staged, contentType: sniffed.contentType };
  } catch (e) {
    await ctx.storage.discard(staged);
    throw e;
  }
}

/** Evidence files belong to this lock class on PostgreSQL (the second key is taken from the file's hash). */
const BLOB_LOCK_CLASS = 0x7461_6e64; // "tand"

/**
 * Serialises, per stored file, the transactions that add a reference to it and those that remove an unreferenced
 * one, so a file is never deleted under an upload that is about to commit a row for it. On PostgreSQL an advisory
 * lock held to the end of the transaction; on SQLite kysely runs every transaction of the process on its one
 * connection, one at a time, which already serialises them.
 */
export async function lockBlob(tx: Executor, ctx: RplContext, sha256: string): Promise<void> {
  if (ctx.db.dialect !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(${BLOB_LOCK_CLASS}, ${Buffer.from(sha256, 'hex').readInt32BE(0)})`.execute(tx);
}

/**
 * The candidate row of a case, locked until the transaction ends (PostgreSQL; SQLite transactions are already
 * serial): an upload and the erasure of its returnee each take this lock first, so one of them sees the other's
 * committed result.
 */
async function lockCaseCandidate(tx: Executor, ctx: RplContext, caseId: string): Promise<void> {
  const kase = await tx.selectFrom('rpl_cases').select('candidate_id').where('id', '=', caseId).executeTakeFirst();
  if (!kase) throw new TandaError('not_found', 'no such case');
  const query = tx.selectFrom('candidates').select('erased_at').where('id', '=', kase.candidate_id);
  const candidate = await (ctx.db.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirstOrThrow();
  if (candidate.erased_at) throw new TandaError('conflict', 'this candidate\'s data was erased');
}

/**
 * Adds an evidence item: a record, or a file already staged by `stageEvidence`. Files are stored under their
 * SHA-256, so the same bytes are stored once however often they are uploaded; the same file twice in one case is
 * refused as a duplicate. The staged file moves under its hash inside the transaction that records it; whatever
 * fails, the staging copy is removed and a file this call put in place without a committed row goes with it.
 */
export async function addEvidence(
  ctx: RplContext,
  actor: Actor,
  caseId: string,
  meta: EvidenceMeta,
  file?: StagedEvidence,
  /** Runs in the transaction that records the item (an Idempotency-Key's stored answer commits with it). */
  options: { inTransaction?: (tx: Executor, item: EvidenceView) => Promise<void> } = {},
): Promise<EvidenceView> {
  try {
    await assertMayAddEvidence(ctx.db.kysely, actor, caseId);
    if (!meta.title.trim()) throw new TandaError('validation_failed', 'title is required');
    if (!file && !meta.description?.trim()) throw new TandaError('validation_failed', 'an evidence record without a file needs a description');
    return await ctx.db.kysely.transaction().execute(async (tx) => {
      await lockCaseCandidate(tx, ctx, caseId);
      await assertMayAddEvidence(tx, actor, caseId);
      const blob = file?.staged;
      if (blob && file) {
        const dup = await tx.selectFrom('evidence_items').select('id').where('case_id', '=', caseId).where('blob_hash', '=', blob.sha256).executeTakeFirst();
        if (dup) throw new TandaError('already_exists', `this file is already evidence item ${dup.id} of the case`, { details: { evidenceId: dup.id } });
        await lockBlob(tx, ctx, blob.sha256);
        const known = await tx.selectFrom('evidence_blobs').select('hash').where('hash', '=', blob.sha256).executeTakeFirst();
        if (!known) {
          const b: EvidenceBlobsTable = { hash: blob.sha256, size: blob.size, content_type: file.contentType, created_at: nowIso() };
          await tx.insertInto('evidence_blobs').values(b).execute();
        }
        // Inside the transaction: a crash before the commit leaves a file without a row, which the sweep removes;
        // never a row without its file.
        await ctx.storage.promote(blob);
      }
      const id = crypto.randomUUID();
      await tx
        .insertInto('evidence_items')
        .values({
          id,
          case_id: caseId,
          kind: meta.kind,
          title: meta.title.trim(),
          description: meta.description ?? null,
          blob_hash: blob?.sha256 ?? null,
          original_name: file ? path.basename(file.fileName).slice(0, 200) : null,
          uploaded_by: actor.id,
          created_at: nowIso(),
        })
        .execute();
      await audit(tx, ctx, { actorId: actor.id, action: 'evidence.added', caseId, subjectId: id, data: { kind: meta.kind, sha256: blob?.sha256 ?? null } });
      const item = view(await itemQuery(tx).where('evidence_items.id', '=', id).executeTakeFirstOrThrow());
      await options.inTransaction?.(tx, item);
      return item;
    });
  } catch (e) {
    if (file) {
      await ctx.storage.discard(file.staged);
      await removeUnreferencedFile(ctx, file.staged.sha256);
    }
    throw e;
  }
}

/** Deletes a stored file if no committed row references it (under the file's lock, so no upload is between). */
export async function removeUnreferencedFile(ctx: RplContext, sha256: string): Promise<boolean> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    await lockBlob(tx, ctx, sha256);
    const row = await tx.selectFrom('evidence_blobs').select('hash').where('hash', '=', sha256).executeTakeFirst();
    if (row || !(await ctx.storage.has(sha256))) return false;
    await ctx.storage.delete(sha256);
    return true;
  });
}

/** How long a file may sit without a row before the sweep takes it for an orphan: far longer than any upload. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/**
 * Removes evidence files no row references (left by a crash between the file move and the commit) and staging
 * leftovers (a crash mid-upload), once they are older than the grace period, so an upload in flight is never
 * swept; and resumable uploads past their expiry with their part files (src/me/uploads.ts imports this module, hence
 * the dynamic import). The server runs it periodically; `tanda rpl sweep-evidence` runs it once.
 */
export async function sweepEvidence(ctx: RplContext, graceMs = ORPHAN_GRACE_MS): Promise<{ orphansRemoved: number; stagingRemoved: number; uploadsRemoved: number }> {
  const { blobs, staging } = await ctx.storage.stale(new Date(Date.now() - graceMs));
  let orphansRemoved = 0;
  for (const hash of blobs) if (await removeUnreferencedFile(ctx, hash)) orphansRemoved++;
  for (const s of staging) await ctx.storage.discard(s);
  // Resumable uploads (/me) the returnee abandoned: expired sessions and their part files.
  const { sweepUploads } = await import('../me/uploads.js');
  return { orphansRemoved, stagingRemoved: staging.length, uploadsRemoved: await sweepUploads(ctx, graceMs) };
}

const itemQuery = (ex: Executor) =>
  ex
    .selectFrom('evidence_items')
    .leftJoin('evidence_blobs', 'evidence_blobs.hash', 'evidence_items.blob_hash')
    .selectAll('evidence_items')
    .select(['evidence_blobs.size', 'evidence_blobs.content_type']);

export async function listEvidence(ctx: RplContext, actor: Actor, caseId: string, context: Context = {}): Promise<EvidenceView[]> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    await loadVisibleCase(tx, actor, caseId, { kind: 'evidence', context, audit: { tx, dialect: ctx.db.dialect } });
    const rows = await itemQuery(tx).where('evidence_items.case_id', '=', caseId).orderBy('evidence_items.created_at').execute();
    return rows.map(view);
  });
}

/**
 * The bytes of one evidence file, for someone who can see the case, and only after the read is in the audit log:
 * if the audit entry cannot be written, nothing is served.
 */
export async function readEvidence(ctx: RplContext, actor: Actor, caseId: string, evidenceId: string, context: Context = {}): Promise<{ item: EvidenceView; bytes: Buffer }> {
  const item = await ctx.db.kysely.transaction().execute(async (tx) => {
    await loadVisibleCase(tx, actor, caseId, { kind: 'evidence', context, audit: { tx, dialect: ctx.db.dialect } });
    const row = await itemQuery(tx).where('evidence_items.id', '=', evidenceId).where('evidence_items.case_id', '=', caseId).executeTakeFirst();
    if (!row) throw new TandaError('not_found', 'no such evidence item in this case');
    if (!row.blob_hash) throw new TandaError('not_found', 'this evidence item is a record without a file');
    await audit(tx, ctx, { actorId: actor.id, action: 'evidence.read', caseId, subjectId: evidenceId, data: { sha256: row.blob_hash } });
    return view(row);
  });
  const bytes = await ctx.storage.get(item.sha256!);
  if (!bytes) throw new TandaError('internal', `evidence file ${item.sha256} is missing from storage`);
  return { item, bytes };
}
