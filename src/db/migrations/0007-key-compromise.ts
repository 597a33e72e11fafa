import { sql } from 'kysely';
import type { MigrationFactory } from './types.js';

/**
 * Key compromise: a key's `compromised_at` (its status becomes `compromised`), and one row per reported compromise
 * that records what replaced the key and whether the re-issue of its credentials has finished, so a run stopped
 * half-way resumes instead of starting over. The partial unique index allows one current key per body, so two
 * concurrent rotations cannot both leave a current key behind.
 */
export const m0007KeyCompromise: MigrationFactory = () => ({
  async up(db) {
    await db.schema.alterTable('issuer_keys').addColumn('compromised_at', 'text').execute();
    await sql`create unique index issuer_keys_one_current on issuer_keys (issuer_id) where status = 'current'`.execute(db);
    await db.schema
      .createTable('key_compromises')
      .addColumn('verification_method', 'text', (c) => c.primaryKey().references('issuer_keys.verification_method'))
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('replacement_method', 'text', (c) => c.notNull())
      .addColumn('reported_by', 'text', (c) => c.notNull())
      .addColumn('reported_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('key_compromises').execute();
    await sql`drop index issuer_keys_one_current`.execute(db);
    await db.schema.alterTable('issuer_keys').dropColumn('compromised_at').execute();
  },
});
