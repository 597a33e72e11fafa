import path from 'node:path';
import { createApiToken, createUser } from './auth/tokens.js';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';

export function openConfiguredDatabase(config: Config): Db {
  return config.databaseUrl
    ? openDatabase({ databaseUrl: config.databaseUrl })
    : openDatabase({ sqlitePath: path.join(config.dataDir, 'tanda.db') });
}

/**
 * The first admin: created once, with TANDA_BOOTSTRAP_TOKEN as its API token when given, else a generated one that
 * is returned exactly once (the caller prints it; only its hash is stored).
 */
export async function ensureFirstAdmin(db: Db, config: Config): Promise<{ created: boolean; token?: string }> {
  const admin = await db.kysely.selectFrom('users').select('id').where('role', '=', 'admin').executeTakeFirst();
  if (admin) return { created: false };
  return db.kysely.transaction().execute(async (tx) => {
    const user = await createUser(tx, { name: 'Administrator', role: 'admin' });
    const token = await createApiToken(tx, user.id, 'bootstrap', config.bootstrapToken);
    return { created: true, token };
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
