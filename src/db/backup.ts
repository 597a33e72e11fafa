import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import { PRIVATE_FILE, touchPrivateFile, writePrivateFile } from '../data-dir.js';
import { TandaError } from '../errors.js';
import type { Db } from './database.js';

/*
 * A backup of the embedded deployment is one SQLite file: a consistent snapshot of the database (VACUUM INTO reads
 * one transaction's view while the server keeps writing), which holds the issuers' private keys sealed under the
 * master key. The master key itself stays out unless the operator asks (`--include-master-key`): a stolen backup
 * then holds no usable signing key. Either way the backup records a fingerprint of the master key, so a restore
 * refuses a key that cannot open the sealed keys instead of bringing up a deployment that cannot sign.
 */

/** Rows only a backup file has; a restore reads and removes them. */
const FINGERPRINT = 'backup_master_key_fingerprint';
const INCLUDED_KEY = 'backup_master_key';
const MADE_AT = 'backup_made_at';

/** Names the key without revealing it (a keyed hash: the fingerprint says nothing of the key's bits). */
export const masterKeyFingerprint = (key: Buffer): string => crypto.createHmac('sha256', key).update('tanda master key fingerprint').digest('hex').slice(0, 32);

export const sqliteFile = (dataDir: string): string => path.join(dataDir, 'tanda.db');

export async function backupSqlite(db: Db, masterKey: Buffer, file: string, options: { includeMasterKey: boolean }): Promise<void> {
  if (db.dialect !== 'sqlite') {
    throw new TandaError('invalid_config', 'tanda backup copies the embedded SQLite database; on PostgreSQL use pg_dump (docs/operations.md)');
  }
  if (fs.existsSync(file)) throw new TandaError('already_exists', `${file} exists: name a new file`);
  const tmp = `${file}.partial-${process.pid}`;
  touchPrivateFile(tmp);
  fs.rmSync(tmp);
  try {
    await sql`vacuum into ${tmp}`.execute(db.kysely);
    fs.chmodSync(tmp, PRIVATE_FILE);
    const copy = new Sqlite(tmp);
    try {
      const put = copy.prepare('insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value');
      put.run(FINGERPRINT, masterKeyFingerprint(masterKey));
      put.run(MADE_AT, new Date().toISOString());
      if (options.includeMasterKey) put.run(INCLUDED_KEY, masterKey.toString('base64'));
    } finally {
      copy.close();
    }
    // Renamed into place only when complete: a backup file that exists is a whole one.
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export interface RestoreReport {
  madeAt: string;
  /** The master key came from the backup and was written to the data directory's master.key. */
  masterKeyWritten: boolean;
}

/**
 * Replaces the data directory's database with a backup. Run with the server stopped. Refuses a file that is not a
 * Tanda backup or fails SQLite's integrity check, a master key that does not match the backup's (given in
 * TANDA_MASTER_KEY or master.key, or carried by the backup), and an existing database unless `force`.
 */
export function restoreSqlite(file: string, options: { dataDir: string; masterKey: Buffer | undefined; force: boolean }): RestoreReport {
  if (!fs.existsSync(file)) throw new TandaError('not_found', `no backup file ${file}`);
  const target = sqliteFile(options.dataDir);
  if (fs.existsSync(target) && fs.statSync(target).size > 0 && !options.force) {
    throw new TandaError('already_exists', `${target} exists: stop the server, then restore with --force to replace it`);
  }
  const tmp = `${target}.restoring-${process.pid}`;
  touchPrivateFile(tmp);
  fs.copyFileSync(file, tmp);
  fs.chmodSync(tmp, PRIVATE_FILE);
  let report: RestoreReport;
  try {
    const copy = new Sqlite(tmp);
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new TandaError('validation_failed', `${file} fails SQLite's integrity check: ${String(check)}`);
      const meta = (key: string): string | undefined => {
        try {
          return (copy.prepare('select value from meta where key = ?').get(key) as { value: string } | undefined)?.value;
        } catch {
          return undefined;
        }
      };
      const fingerprint = meta(FINGERPRINT);
      if (!fingerprint) throw new TandaError('validation_failed', `${file} is not a backup made by tanda backup`);
      const included = meta(INCLUDED_KEY);
      const key = options.masterKey ?? (included ? Buffer.from(included, 'base64') : undefined);
      if (!key) throw new TandaError('invalid_config', 'the backup holds no master key: give the one it was made with (TANDA_MASTER_KEY, or master.key in the data directory)');
      if (masterKeyFingerprint(key) !== fingerprint) throw new TandaError('invalid_config', 'the master key in effect is not the one this backup was made with: its signing keys could not be opened');
      report = { madeAt: meta(MADE_AT) ?? 'unknown', masterKeyWritten: !options.masterKey && included !== undefined };
      copy.prepare('delete from meta where key in (?, ?, ?)').run(FINGERPRINT, INCLUDED_KEY, MADE_AT);
      if (report.masterKeyWritten) writePrivateFile(path.join(options.dataDir, 'master.key'), `${included}\n`);
    } finally {
      copy.close();
    }
    // The old database's WAL must not be replayed onto the restored file.
    for (const suffix of ['-wal', '-shm', '']) fs.rmSync(`${target}${suffix}`, { force: true });
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return report;
}
