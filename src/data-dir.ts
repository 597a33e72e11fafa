import fs from 'node:fs';
import path from 'node:path';

/**
 * Everything under the data directory is private to the service's user: the database, the master key, evidence,
 * trust bundles and printed certificates hold personal data or secrets. Files are 0600 and directories 0700
 * whatever the process umask, and a file or directory found wider is narrowed.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if ((fs.statSync(dir).mode & 0o777) !== PRIVATE_DIR) fs.chmodSync(dir, PRIVATE_DIR);
}

/** Writes a file only its owner can read, in a private directory. */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  ensurePrivateDir(path.dirname(file));
  fs.writeFileSync(file, data, { mode: PRIVATE_FILE });
  // `mode` applies only when the file is created; an existing file keeps its own.
  if ((fs.statSync(file).mode & 0o777) !== PRIVATE_FILE) fs.chmodSync(file, PRIVATE_FILE);
}

/** Creates an empty private file if absent (e.g. before SQLite opens it: its -wal and -shm files copy its mode). */
export function touchPrivateFile(file: string): void {
  ensurePrivateDir(path.dirname(file));
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE));
  if ((fs.statSync(file).mode & 0o777) !== PRIVATE_FILE) fs.chmodSync(file, PRIVATE_FILE);
}
