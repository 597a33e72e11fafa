import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { authorize, type Actor } from '../policy/policy.js';
import { addEvidence, assertMayAddEvidence, EVIDENCE_KINDS, stageEvidence, type EvidenceKind, type EvidenceView } from '../rpl/evidence.js';
import type { RplContext } from '../rpl/context.js';

/**
 * Resumable evidence uploads for phones on patchy data: the file goes up in chunks, each appended at the offset the
 * server says it has; after a dropped connection the page asks for that offset and carries on from there. The last
 * chunk hands the whole file to the ordinary evidence path (type sniffing, size limit, policy, audit), so a resumed
 * upload is accepted or refused exactly like a one-shot multipart upload. A chunk-offset protocol this small is
 * simpler than pulling in a tus server whose extensions we would not use.
 */
export const UPLOAD_TTL_HOURS = 24;
export const MAX_CHUNK_BYTES = 512 * 1024;

export interface UploadView {
  id: string;
  caseId: string;
  size: number;
  received: number;
  evidence: EvidenceView | null;
}

const partFile = (dir: string, id: string) => path.join(dir, `${id}.part`);

export async function createUpload(
  ctx: RplContext,
  dir: string,
  actor: Actor,
  input: { caseId: string; kind: EvidenceKind; title: string; fileName: string; size: number },
): Promise<UploadView> {
  authorize(actor, 'use', { kind: 'returnee_space', userId: actor.id });
  await assertMayAddEvidence(ctx.db.kysely, actor, input.caseId);
  if (!(EVIDENCE_KINDS as readonly string[]).includes(input.kind)) throw new TandaError('validation_failed', 'unknown evidence kind');
  if (input.size > ctx.evidenceMaxBytes) throw new TandaError('payload_too_large', `evidence files are limited to ${ctx.evidenceMaxBytes} bytes`);
  const id = crypto.randomUUID();
  fs.mkdirSync(dir, { recursive: true });
  await fs.promises.writeFile(partFile(dir, id), new Uint8Array(0));
  await ctx.db.kysely
    .insertInto('upload_sessions')
    .values({
      id,
      user_id: actor.id,
      case_id: input.caseId,
      kind: input.kind,
      title: input.title,
      file_name: input.fileName,
      size: input.size,
      received: 0,
      expires_at: new Date(Date.now() + UPLOAD_TTL_HOURS * 3_600_000).toISOString(),
      created_at: nowIso(),
    })
    .execute();
  return { id, caseId: input.caseId, size: input.size, received: 0, evidence: null };
}

/** The caller's own upload (someone else's is "not found"), still open. */
async function ownUpload(ctx: RplContext, actor: Actor, id: string) {
  authorize(actor, 'use', { kind: 'returnee_space', userId: actor.id });
  const row = await ctx.db.kysely.selectFrom('upload_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.user_id !== actor.id || row.expires_at <= nowIso()) throw new TandaError('not_found', 'no such upload');
  // The case may have moved on (or consent been withdrawn) since the upload began.
  await assertMayAddEvidence(ctx.db.kysely, actor, row.case_id);
  return row;
}

export async function uploadStatus(ctx: RplContext, actor: Actor, id: string): Promise<UploadView> {
  const row = await ownUpload(ctx, actor, id);
  return { id, caseId: row.case_id, size: Number(row.size), received: Number(row.received), evidence: null };
}

export async function appendChunk(ctx: RplContext, dir: string, actor: Actor, id: string, offset: number, chunk: Buffer): Promise<UploadView> {
  const row = await ownUpload(ctx, actor, id);
  const size = Number(row.size);
  const received = Number(row.received);
  if (offset !== received) throw new TandaError('upload_offset_mismatch', `the upload stands at ${received}`, { details: { received } });
  if (offset + chunk.length > size) throw new TandaError('payload_too_large', 'the chunk goes past the declared size');
  // Claim the range first, so two parallel chunks at the same offset cannot both be appended.
  const claimed = await ctx.db.kysely.updateTable('upload_sessions').set({ received: offset + chunk.length }).where('id', '=', id).where('received', '=', offset).executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) throw new TandaError('upload_offset_mismatch', 'another chunk arrived first', { details: { received } });
  try {
    await fs.promises.appendFile(partFile(dir, id), chunk);
  } catch (e) {
    await ctx.db.kysely.updateTable('upload_sessions').set({ received: offset }).where('id', '=', id).execute();
    throw e;
  }
  if (offset + chunk.length < size) return { id, caseId: row.case_id, size, received: offset + chunk.length, evidence: null };
  const staged = await stageEvidence(ctx, row.file_name, fs.createReadStream(partFile(dir, id)));
  try {
    const evidence = await addEvidence(ctx, actor, row.case_id, { kind: row.kind as EvidenceKind, title: row.title, description: null }, staged);
    return { id, caseId: row.case_id, size, received: size, evidence };
  } finally {
    // Done or refused (type, size, the case closed): either way this upload is over; a refusal says why.
    await ctx.db.kysely.deleteFrom('upload_sessions').where('id', '=', id).execute();
    await ctx.storage.discard(staged.staged);
    await fs.promises.rm(partFile(dir, id), { force: true });
  }
}

/**
 * Abandoned uploads: sessions past their expiry (the page gave up, or never came back within UPLOAD_TTL_HOURS) lose
 * their row and part file; a part file with no row at all (a crash between the file and the row) goes once it is
 * older than `graceMs`, so an upload being created is never taken. Run by the evidence sweep.
 */
export async function sweepUploads(ctx: RplContext, graceMs: number, now = new Date()): Promise<number> {
  const expired = await ctx.db.kysely.deleteFrom('upload_sessions').where('expires_at', '<=', now.toISOString()).returning('id').execute();
  let removed = 0;
  for (const { id } of expired) {
    await fs.promises.rm(partFile(ctx.uploadDir, id), { force: true });
    removed++;
  }
  const names = await fs.promises.readdir(ctx.uploadDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.part')) continue;
    const id = name.slice(0, -'.part'.length);
    const stat = await fs.promises.stat(path.join(ctx.uploadDir, name)).catch(() => null);
    if (!stat || stat.mtimeMs > now.getTime() - graceMs) continue;
    const row = await ctx.db.kysely.selectFrom('upload_sessions').select('id').where('id', '=', id).executeTakeFirst();
    if (row) continue;
    await fs.promises.rm(path.join(ctx.uploadDir, name), { force: true });
    removed++;
  }
  return removed;
}
