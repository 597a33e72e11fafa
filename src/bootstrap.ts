import path from 'node:path';
import { createApiTokenRow, createUser, tokenExpiry } from './auth/tokens.js';
import type { Config } from './config.js';
import { openDatabase, type Db, type Executor } from './db/database.js';
import { withDeploymentLock } from './db/deployment-lock.js';
import { migrateToLatest } from './db/migrator.js';

export function openConfiguredDatabase(config: Config): Db {
  return config.databaseUrl
    ? openDatabase({ databaseUrl: config.databaseUrl })
    : openDatabase({ sqlitePath: path.join(config.dataDir, 'tanda.db') });
}

/** `meta` key naming the first admin's token until a start has printed it (see ensureFirstAdmin). */
const UNSHOWN_KEY = 'admin_token_unshown';

export interface FirstAdmin {
  created: boolean;
  /** A token to print now (generated ones only: a TANDA_BOOTSTRAP_TOKEN is the operator's already). */
  token?: string;
  /** Its id, for `adminTokenShown` once it is printed. */
  tokenId?: string;
}

/**
 * The first admin, created once under the deployment lock (instances started together create one admin between
 * them), with TANDA_BOOTSTRAP_TOKEN as its API token when given, else a generated one the caller prints. Printing
 * cannot be part of the transaction, so the token stays marked "unshown" in `meta` until the caller reports it
 * printed (`adminTokenShown`): a start killed between the commit and the print leaves the mark, and the next start
 * issues the admin a fresh token and prints that. The admin never exists without a token someone was shown.
 */
export async function ensureFirstAdmin(db: Db, config: Config): Promise<FirstAdmin> {
  return withDeploymentLock(db, async (tx) => {
    const admin = await tx.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('created_at').orderBy('id').executeTakeFirst();
    if (!admin) {
      const user = await createUser(tx, { name: 'Administrator', role: 'admin' });
      const token = await createApiTokenRow(tx, user.id, 'bootstrap', { secret: config.bootstrapToken, expiresAt: tokenExpiry(config.tokenTtlDays) });
      if (config.bootstrapToken) return { created: true };
      await tx.insertInto('meta').values({ key: UNSHOWN_KEY, value: token.id }).execute();
      return { created: true, token: token.secret, tokenId: token.id };
    }
    const unshown = await tx.selectFrom('meta').select('value').where('key', '=', UNSHOWN_KEY).executeTakeFirst();
    if (!unshown || config.bootstrapToken) return { created: false };
    // The unshown token is not revoked: it may be another instance's, started at the same moment and about to print it.
    const token = await createApiTokenRow(tx, admin.id, 'bootstrap (re-issued: the first was not shown)', { expiresAt: tokenExpiry(config.tokenTtlDays) });
    await tx.updateTable('meta').set({ value: token.id }).where('key', '=', UNSHOWN_KEY).execute();
    return { created: false, token: token.secret, tokenId: token.id };
  });
}

/** The first admin's token was printed: a later start does not issue another. */
export async function adminTokenShown(executor: Executor, tokenId: string | undefined): Promise<void> {
  await executor.deleteFrom('meta').where('key', '=', UNSHOWN_KEY).$if(tokenId !== undefined, (q) => q.where('value', '=', tokenId!)).execute();
}

/**
 * A new admin token for the operator, always: for the first active admin (creating one if there is none). For the
 * operator who lost the printed token, or whose first start died before printing it.
 */
export async function issueAdminToken(db: Db, config: Config): Promise<{ token: string; userId: string; created: boolean }> {
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
    await adminTokenShown(tx, undefined);
    return { token: token.secret, userId, created: !existing };
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

const PUBLIC_URL_KEY = 'public_url';

/**
 * One public URL for the deployment, whichever process asks. A process started with TANDA_PUBLIC_URL remembers it
 * in `meta`; one started without it (a `tanda certificates print` in another shell) takes the remembered URL
 * instead of the localhost default, so a certificate printed from the command line points where the server does.
 */
export async function settlePublicUrl(db: Db, config: Config): Promise<Config> {
  if (config.publicUrlConfigured) {
    await db.kysely
      .insertInto('meta')
      .values({ key: PUBLIC_URL_KEY, value: config.publicUrl })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: config.publicUrl }))
      .execute();
    return config;
  }
  const stored = await db.kysely.selectFrom('meta').select('value').where('key', '=', PUBLIC_URL_KEY).executeTakeFirst();
  return stored ? { ...config, publicUrl: stored.value } : config;
}
