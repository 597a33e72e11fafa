import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openAndMigrate } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { backupSqlite, restoreSqlite } from '../db/backup.js';
import { loadMasterKey } from '../keys/master-key.js';
import { OPERATOR, authorize } from '../policy/policy.js';
import type { Services } from '../services.js';

export const BACKUP_HELP = 'backup <file> [--include-master-key]  a consistent copy of the SQLite database (keys stay sealed; the master key only if asked)';
export const RESTORE_HELP = 'restore <file> [--force]          replace the SQLite database with a backup (server stopped; checks the master key)';

/** `tanda backup <file>`: safe while the server runs. */
export async function backupCommand(argv: string[], services: Services): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'include-master-key': { type: 'boolean', default: false } } });
  if (positionals.length !== 1) {
    process.stderr.write(`usage: tanda ${BACKUP_HELP}\n`);
    return 2;
  }
  authorize(OPERATOR, 'run', { kind: 'deployment' });
  const file = path.resolve(positionals[0]!);
  const key = loadMasterKey({ masterKey: services.config.masterKey, dataDir: services.config.dataDir });
  await backupSqlite(services.db, key, file, { includeMasterKey: values['include-master-key'] });
  process.stdout.write(`backup written to ${file}${values['include-master-key'] ? ' (WITH the master key in clear: keep it as secret as the key itself)' : ' (without the master key: keep TANDA_MASTER_KEY or master.key safe separately)'}\n`);
  return 0;
}

/** `tanda restore <file>`: works on the files, so it runs before the database is opened (and migrates after). */
export async function restoreCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) {
    process.stderr.write(`usage: tanda ${RESTORE_HELP}\n`);
    return 2;
  }
  authorize(OPERATOR, 'run', { kind: 'deployment' });
  const config = loadConfig();
  if (config.databaseUrl) {
    process.stderr.write('tanda restore: DATABASE_URL is set; restore PostgreSQL with pg_restore (docs/operations.md)\n');
    return 2;
  }
  const keyFile = path.join(config.dataDir, 'master.key');
  const masterKey = (config.masterKey || fs.existsSync(keyFile)) ? loadMasterKey({ masterKey: config.masterKey, dataDir: config.dataDir }) : undefined;
  const report = restoreSqlite(path.resolve(positionals[0]!), { dataDir: config.dataDir, masterKey, force: values.force });
  // A backup of an older version is brought up to this one now, not at the next start.
  const db = await openAndMigrate(config);
  await db.destroy();
  process.stdout.write(`restored the backup made ${report.madeAt}${report.masterKeyWritten ? '; its master key was written to master.key' : ''}\n`);
  return 0;
}
