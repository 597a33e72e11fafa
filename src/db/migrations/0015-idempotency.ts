import type { MigrationFactory } from './types.js';

/**
 * Re-runs that neither lose nor duplicate:
 * - `idempotency_keys`: an `Idempotency-Key` request per caller, in flight (with a lease and a fencing attempt id)
 *   or done (with the response to replay); the response is written in the transaction that issues, so a key is
 *   done exactly when its credential exists.
 * - `cohort_import_rows`: which (file, line) of a cohort file produced which case, written in the row's transaction,
 *   so an import run again after a crash skips the rows that landed.
 * - `cohort_case_keys`: one imported case per candidate, qualification and assessment day, whichever file or line
 *   brings it; a second one is reported as a duplicate row.
 */
export const m0015Idempotency: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('caller_id', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempt', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('response', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['caller_id', 'idempotency_key'])
      .execute();
    await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').column('expires_at').execute();
    await db.schema
      .createTable('cohort_import_rows')
      .addColumn('file_sha256', 'text', (c) => c.notNull())
      .addColumn('line', 'integer', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.notNull().references('rpl_cases.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('cohort_import_rows_pk', ['file_sha256', 'line'])
      .execute();
    await db.schema
      .createTable('cohort_case_keys')
      .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
      .addColumn('qualification_id', 'text', (c) => c.notNull())
      .addColumn('assessed_on', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.notNull().references('rpl_cases.id'))
      .addPrimaryKeyConstraint('cohort_case_keys_pk', ['candidate_id', 'qualification_id', 'assessed_on'])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('cohort_case_keys').execute();
    await db.schema.dropTable('cohort_import_rows').execute();
    await db.schema.dropTable('idempotency_keys').execute();
  },
});
