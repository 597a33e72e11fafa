import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Where evidence bytes live, addressed by their SHA-256. The filesystem adapter below is the default; an object
 * store (S3, GCS) implements the same four calls with the hash as the object key.
 */
export interface EvidenceStorage {
  /** Stores the bytes unless already present; idempotent, since the name is the content's hash. */
  put(sha256: string, bytes: Buffer): Promise<void>;
  get(sha256: string): Promise<Buffer | undefined>;
  has(sha256: string): Promise<boolean>;
  delete(sha256: string): Promise<void>;
}

const HEX64 = /^[0-9a-f]{64}$/;

export class FileEvidenceStorage implements EvidenceStorage {
  constructor(private readonly root: string) {}

  private file(sha256: string): string {
    if (!HEX64.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256}`);
    // Two levels of fan-out keep directories small with many files.
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(sha256: string, bytes: Buffer): Promise<void> {
    const file = this.file(sha256);
    if (await this.has(sha256)) return;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename: a reader never sees a half-written file under the final name.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, bytes, { mode: 0o600 });
    await fs.rename(tmp, file);
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
}
