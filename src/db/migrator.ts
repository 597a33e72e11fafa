import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { retryWhileBusy } from './deployment-lock.js';
import { TandaError } from '../errors.js';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';

/** Migrations are compiled into the code (not discovered on disk) so that tsx, a build and tests see the same list. */
class StaticProvider implements MigrationProvider {
  constructor(private readonly db: Db) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, factory] of Object.entries(migrations)) out[name] = factory(this.db.dialect);
    return out;
  }
}

// Kysely looks its bookkeeping tables up across all schemas unless told one: confined to a schema, say which, or
// a sibling schema's tables (parallel test files on one server) are taken for ours.
const migratorFor = (db: Db) =>
  new Migrator({
    db: db.kysely,
    provider: new StaticProvider(db),
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  });

/** Migrations this code has that the database has not run (all of them on an empty database). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  return (await migratorFor(db).getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  if (db.dialect !== 'sqlite') return runMigrations(db);
  // Read first: an instance that finds the schema current takes no write lock (another instance's open SQLite
  // transaction that has read cannot wait for one, and would fail).
  if ((await pendingMigrations(db)).length === 0) return [];
  return withSqliteWriteLock(db, () => runMigrations(db));
}

/**
 * Kysely's migrator neither locks nor wraps migrations in a transaction on SQLite (it assumes one process), so two
 * processes started together on one file would both run the same migration. Here the whole run happens inside
 * BEGIN IMMEDIATE on the one connection kysely's SQLite driver has: whoever takes the file's write lock first
 * migrates; the other waits, then finds nothing left to do. DDL is transactional in SQLite, so a run that fails
 * leaves no half-made schema either. The wait is retried beyond busy_timeout (a first migration on a loaded machine
 * can outlast it).
 */
async function withSqliteWriteLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  await retryWhileBusy(db, () => sql`begin immediate`.execute(db.kysely));
  try {
    const result = await fn();
    await sql`commit`.execute(db.kysely);
    return result;
  } catch (e) {
    await sql`rollback`.execute(db.kysely).catch(() => undefined);
    throw e;
  }
}

async function runMigrations(db: Db): Promise<string[]> {
  const migrator = migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new TandaError('internal', `migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}
