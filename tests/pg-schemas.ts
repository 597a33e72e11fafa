import crypto from 'node:crypto';
import pg from 'pg';

/**
 * Vitest global setup: on PostgreSQL every test file migrates a schema of its own (tests/helpers/db.ts), and the
 * schemas are dropped here, once every file has finished, not as each file ends. Kysely's migrator lists tables
 * across every schema of the database (has_schema_privilege, pg_get_serial_sequence per schema name), so a sibling
 * file's schema dropped in the middle of that listing fails the migration with "schema … does not exist". The run's
 * own prefix keeps a second suite running against the same database (a helper's, a bench's) out of the clean-up.
 */
export default function setup(): () => Promise<void> {
  const run = crypto.randomBytes(4).toString('hex');
  process.env.TANDA_TEST_SCHEMA_PREFIX = `t_${run}_`;
  return async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) return;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ nspname: string }>('select nspname from pg_namespace where starts_with(nspname, $1)', [`t_${run}_`]);
      for (const { nspname } of rows) await c.query(`drop schema ${nspname} cascade`);
    } finally {
      await c.end();
    }
  };
}
