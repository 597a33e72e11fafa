import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { TandaError } from '../errors.js';

/**
 * Where evidence bytes live, addressed by their SHA-256. An upload is written to a staging area first (hashed and
 * size-checked while it streams, never buffered whole) and moved under its hash only inside the transaction that
 * records it, so a refused or failed upload leaves nothing under a hash name. The filesystem adapter below is the
 * default; an object store (S3, GCS) implements the same calls with a temporary key for staging.
 */
export interface EvidenceStorage {
  /** Streams an upload into staging. Throws `payload_too_large` (and removes what it wrote) beyond `maxBytes`. */
  stage(source: AsyncIterable<Uint8Array> | Uint8Array, maxBytes: number): Promise<StagedBlob>;
  /** Moves a staged upload under its hash (idempotent: the same bytes may already be there). */
  promote(staged: StagedBlob): Promise<void>;
  /** Removes a staged upload that was not promoted; a no-op once promoted or already gone. */
  discard(staged: StagedBlob): Promise<void>;
  get(sha256: string): Promise<Buffer | undefined>;
  has(sha256: string): Promise<boolean>;
  delete(sha256: string): Promise<void>;
  /** Stored hashes and staging leftovers last written before `before`: what the orphan sweep looks at. */
  stale(before: Date): Promise<{ blobs: string[]; staging: StagedBlob[] }>;
}

export interface StagedBlob {
  /** Staging name, opaque to callers. */
  readonly id: string;
  readonly sha256: string;
  readonly size: number;
  /** The first bytes, for the content sniffer. */
  readonly head: Buffer;
}

const HEX64 = /^[0-9a-f]{64}$/;
const STAGING_ID = /^[0-9a-f-]{36}$/;
const HEAD_BYTES = 64;
const STAGING = '.staging';

export class FileEvidenceStorage implements EvidenceStorage {
  constructor(private readonly root: string) {}

  private file(sha256: string): string {
    if (!HEX64.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256}`);
    // Two levels of fan-out keep directories small with many files.
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private stagingFile(id: string): string {
    if (!STAGING_ID.test(id)) throw new Error(`not a staging id: ${id}`);
    return path.join(this.root, STAGING, id);
  }

  async stage(source: AsyncIterable<Uint8Array> | Uint8Array, maxBytes: number): Promise<StagedBlob> {
    await fs.mkdir(path.join(this.root, STAGING), { recursive: true, mode: 0o700 });
    const id = crypto.randomUUID();
    const file = this.stagingFile(id);
    const handle = await fs.open(file, 'wx', 0o600);
    const hash = crypto.createHash('sha256');
    const head: Buffer[] = [];
    let size = 0;
    let headSize = 0;
    try {
      for await (const chunk of source instanceof Uint8Array ? [source] : source) {
        size += chunk.length;
        if (size > maxBytes) throw new TandaError('payload_too_large', `evidence files are limited to ${maxBytes} bytes`);
        hash.update(chunk);
        if (headSize < HEAD_BYTES) {
          head.push(Buffer.from(chunk.subarray(0, HEAD_BYTES - headSize)));
          headSize += Math.min(chunk.length, HEAD_BYTES - headSize);
        }
        await handle.write(chunk);
      }
      await handle.close();
    } catch (e) {
      await handle.close().catch(() => undefined);
      await fs.rm(file, { force: true });
      throw e;
    }
    return { id, sha256: hash.digest('hex'), size, head: Buffer.concat(head) };
  }

  async promote(staged: StagedBlob): Promise<void> {
    const file = this.file(staged.sha256);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    if (await this.has(staged.sha256)) {
      // Same name, same bytes. Touch it so the orphan sweep's grace period counts from this upload: a sweep in
      // another process must not take it for an old orphan before this transaction commits its row.
      const now = new Date();
      await fs.utimes(file, now, now);
      await this.discard(staged);
      return;
    }
    // Rename is atomic: a reader never sees a half-written file under the final name.
    await fs.rename(this.stagingFile(staged.id), file);
  }

  async discard(staged: StagedBlob): Promise<void> {
    await fs.rm(this.stagingFile(staged.id), { force: true });
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.file(sha256));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await fs.access(this.file(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async delete(sha256: string): Promise<void> {
    await fs.rm(this.file(sha256), { force: true });
  }

  async stale(before: Date): Promise<{ blobs: string[]; staging: StagedBlob[] }> {
    const blobs: string[] = [];
    const staging: StagedBlob[] = [];
    let entries: string[];
    try {
      entries = await fs.readdir(this.root, { recursive: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { blobs, staging };
      throw e;
    }
    for (const entry of entries) {
      const name = path.basename(entry);
      const isBlob = HEX64.test(name) && entry === path.join(name.slice(0, 2), name.slice(2, 4), name);
      const isStaging = STAGING_ID.test(name) && entry === path.join(STAGING, name);
      if (!isBlob && !isStaging) continue;
      const stat = await fs.stat(path.join(this.root, entry)).catch(() => undefined);
      if (!stat?.isFile() || stat.mtime >= before) continue;
      if (isBlob) blobs.push(name);
      else staging.push({ id: name, sha256: '', size: stat.size, head: Buffer.alloc(0) });
    }
    return { blobs, staging };
  }
}
