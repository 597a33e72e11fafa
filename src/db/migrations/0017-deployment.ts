import { sql } from 'kysely';
import type { MigrationFactory } from './types.js';

/**
 * Facts of the deployment shared by every instance on the database. `deployment` holds one row: the public URL that
 * every status list entry and printed verify link names (before this migration a process started with
 * TANDA_PUBLIC_URL remembered it in `meta`; that value moves here). `rate_limits` holds the counters of the limits
 * that must hold across instances (sign-in), one row per key and fixed window.
 */
export const m0017Deployment: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('deployment')
      .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id = 'deployment'`))
      .addColumn('public_url', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .execute();
    const remembered = await sql<{ value: string }>`select value from meta where key = 'public_url'`.execute(db);
    const url = remembered.rows[0]?.value;
    if (url) {
      await sql`insert into deployment (id, public_url, recorded_at, recorded_by) values ('deployment', ${url}, ${new Date().toISOString()}, 'migration 0017')`.execute(db);
      await sql`delete from meta where key = 'public_url'`.execute(db);
    }
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .addColumn('window_ends_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('rate_limits').execute();
    const row = await sql<{ public_url: string }>`select public_url from deployment`.execute(db);
    if (row.rows[0]) await sql`insert into meta (key, value) values ('public_url', ${row.rows[0].public_url})`.execute(db);
    await db.schema.dropTable('deployment').execute();
  },
});
