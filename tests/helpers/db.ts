import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';

/** Which database the suite runs against: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const testDialect = TEST_DATABASE_URL ? 'postgres' : 'sqlite';

/**
 * A fresh, migrated database for one test file: an in-memory SQLite database, or on PostgreSQL a schema of its own
 * (dropped when the whole run ends) so test files can run in parallel against one server.
 */
export async function createTestDb(): Promise<Db> {
  if (!TEST_DATABASE_URL) {
    const db = openDatabase({ sqlitePath: ':memory:' });
    await migrateToLatest(db);
    return db;
  }
  // The global setup (tests/pg-schemas.ts) drops the run's schemas when every file is done.
  const schema = `${process.env.TANDA_TEST_SCHEMA_PREFIX ?? 't_'}${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = openDatabase({ databaseUrl: TEST_DATABASE_URL, pgSchema: schema });
  await migrateToLatest(db);
  return {
    kysely: db.kysely,
    dialect: db.dialect,
    schema,
    destroy: () => db.destroy(),
    writeUnlessBusy: (write) => db.writeUnlessBusy(write),
  };
}
