import path from 'node:path';
import { createApiTokenRow, createUser, tokenExpiry } from './auth/tokens.js';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { withDeploymentLock } from './db/deployment-lock.js';
import { migrateToLatest } from './db/migrator.js';

export function openConfiguredDatabase(config: Config): Db {
  return config.databaseUrl
    ? openDatabase({ databaseUrl: config.databaseUrl })
    : openDatabase({ sqlitePath: path.join(config.dataDir, 'tanda.db') });
}

/** Shows a new admin token to the operator; called inside the transaction that stores it (see ensureFirstAdmin). */
export type Announce = (token: string) => void;

/**
 * The first admin, created once under the deployment lock (of instances started together, one creates it; the
 * others find it and write nothing), with TANDA_BOOTSTRAP_TOKEN as its API token when given, else a generated one
 * that `announce` prints before the transaction commits. So an admin exists only if its token was printed: a start
 * killed before the print leaves no admin (the next start makes one and prints its token); killed between the print
 * and the commit, the printed token never worked and the next start prints one that does. `tanda admin-token`
 * issues a new token whenever the operator needs one.
 */
export async function ensureFirstAdmin(db: Db, config: Config, announce: Announce = () => {}): Promise<{ created: boolean }> {
  // Read first, lock only if there may be work: see withDeploymentLock on why an instance takes no lock it needn't.
  if (await db.kysely.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst()) return { created: false };
  return withDeploymentLock(db, async (tx) => {
    const admin = await tx.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst();
    if (admin) return { created: false };
    const user = await createUser(tx, { name: 'Administrator', role: 'admin' });
    const token = await createApiTokenRow(tx, user.id, 'bootstrap', { secret: config.bootstrapToken, expiresAt: tokenExpiry(config.tokenTtlDays) });
    if (!config.bootstrapToken) announce(token.secret);
    return { created: true };
  });
}

/**
 * A new admin token for the operator, always: for the first active admin (creating one if there is none), printed
 * by `announce` before it is committed, like the first admin's.
 */
export async function issueAdminToken(db: Db, config: Config, announce: Announce): Promise<{ userId: string; created: boolean }> {
  return withDeploymentLock(db, async (tx) => {
    const existing = await tx
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    const userId = existing?.id ?? (await createUser(tx, { name: 'Administrator', role: 'admin' })).id;
    const token = await createApiTokenRow(tx, userId, 'admin-token (command line)', { expiresAt: tokenExpiry(config.tokenTtlDays) });
    announce(token.secret);
    return { userId, created: !existing };
  });
}

export async function openAndMigrate(config: Config): Promise<Db> {
  const db = openConfiguredDatabase(config);
  try {
    await migrateToLatest(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return db;
}
