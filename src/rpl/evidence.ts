import crypto from 'node:crypto';
import path from 'node:path';
import type { Selectable } from 'kysely';
import { nowIso, type Executor } from '../db/database.js';
import { TandaError } from '../errors.js';
import type { Actor, Context } from '../policy/policy.js';
import { loadVisibleCase } from './case-repository.js';
import { audit, type RplContext } from './context.js';
import { sniffEvidence } from './sniff.js';
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

export interface EvidenceFile {
  fileName: string;
  bytes: Buffer;
}

export interface EvidenceMeta {
  kind: EvidenceKind;
  title: string;
  description?: string | null;
}

/**
 * Adds an evidence item. A file is checked from its bytes (empty, size, type on the allow-list, extension agreeing
 * with the type) and stored under its SHA-256, so the same bytes are stored once however often they are uploaded;
 * the same file twice in one case is refused as a duplicate.
 */
export async function addEvidence(ctx: RplContext, actor: Actor, caseId: string, meta: EvidenceMeta, file?: EvidenceFile): Promise<EvidenceView> {
  await loadVisibleCase(ctx.db.kysely, actor, caseId, { kind: 'evidence', action: 'upload' });
  if (!meta.title.trim()) throw new TandaError('validation_failed', 'title is required');
  if (!file && !meta.description?.trim()) throw new TandaError('validation_failed', 'an evidence record without a file needs a description');
  let blob: { hash: string; contentType: string; size: number } | undefined;
  if (file) {
    if (file.bytes.length === 0) throw new TandaError('evidence_empty');
    if (file.bytes.length > ctx.evidenceMaxBytes) throw new TandaError('payload_too_large', `evidence files are limited to ${ctx.evidenceMaxBytes} bytes`);
    const sniffed = sniffEvidence(file.bytes);
    if (!sniffed.ok) {
      throw new TandaError('evidence_type_refused', sniffed.reason === 'executable' ? `refused: the file is an ${sniffed.detected ?? 'executable'}` : 'refused: accepted files are PDF, JPEG, PNG, WebP, HEIC, MP4 and MOV');
    }
    const ext = path.extname(file.fileName).slice(1).toLowerCase();
    if (ext && !sniffed.extensions.includes(ext)) {
      throw new TandaError('evidence_type_refused', `refused: the file is named .${ext} but its content is ${sniffed.contentType}`);
    }
    blob = { hash: crypto.createHash('sha256').update(file.bytes).digest('hex'), contentType: sniffed.contentType, size: file.bytes.length };
    // Bytes first, row second: a crash in between leaves an unreferenced file, never a row without its file.
    await ctx.storage.put(blob.hash, file.bytes);
  }
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const { row } = await loadVisibleCase(tx, actor, caseId, { kind: 'evidence', action: 'upload' });
    if (!OPEN_STATES.has(row.state)) throw new TandaError('invalid_transition', `the portfolio is closed while the case is ${row.state}`);
    if (blob) {
      const dup = await tx.selectFrom('evidence_items').select('id').where('case_id', '=', caseId).where('blob_hash', '=', blob.hash).executeTakeFirst();
      if (dup) throw new TandaError('already_exists', `this file is already evidence item ${dup.id} of the case`, { details: { evidenceId: dup.id } });
      const known = await tx.selectFrom('evidence_blobs').select('hash').where('hash', '=', blob.hash).executeTakeFirst();
      if (!known) {
        const b: EvidenceBlobsTable = { hash: blob.hash, size: blob.size, content_type: blob.contentType, created_at: nowIso() };
        await tx.insertInto('evidence_blobs').values(b).execute();
      }
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
        blob_hash: blob?.hash ?? null,
        original_name: file ? path.basename(file.fileName).slice(0, 200) : null,
        uploaded_by: actor.id,
        created_at: nowIso(),
      })
      .execute();
    await audit(tx, ctx, { actorId: actor.id, action: 'evidence.added', caseId, subjectId: id, data: { kind: meta.kind, sha256: blob?.hash ?? null } });
    const item = await itemQuery(tx).where('evidence_items.id', '=', id).executeTakeFirstOrThrow();
    return view(item);
  });
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
