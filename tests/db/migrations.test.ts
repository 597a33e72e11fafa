import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { migrations } from '../../src/db/migrations/index.js';
import { createTestDb, testDialect } from '../helpers/db.js';

describe(`migrations on ${testDialect}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db.destroy());

  it('applies every migration and is idempotent on a second run', async () => {
    const again = await migrateToLatest(db);
    expect(again).toEqual([]);
    const rows = await db.kysely.selectFrom('kysely_migration' as never).selectAll().execute();
    expect(rows).toHaveLength(Object.keys(migrations).length);
  });

  it('creates the core tables', async () => {
    await db.kysely.insertInto('meta').values({ key: 'k', value: 'v' }).execute();
    const row = await db.kysely.selectFrom('meta').selectAll().where('key', '=', 'k').executeTakeFirst();
    expect(row).toEqual({ key: 'k', value: 'v' });
  });
});
