import { sql } from 'kysely';
import type { MigrationFactory } from './types.js';

/**
 * Which certifying body registered a returnee, so staff see a returnee only through their own body (the one that
 * registered them or holds a case of theirs). Existing rows take the body of the account that registered them, or
 * else the body of their first case; a returnee with neither stays unlinked (visible to no body's staff).
 */
export const m0011CandidateBodies: MigrationFactory = () => ({
  async up(db) {
    await db.schema.alterTable('candidates').addColumn('registered_issuer_id', 'text', (c) => c.references('issuers.id')).execute();
    await sql`
      UPDATE candidates SET registered_issuer_id = COALESCE(
        (SELECT users.issuer_id FROM users WHERE users.id = candidates.created_by),
        (SELECT rpl_cases.issuer_id FROM rpl_cases WHERE rpl_cases.candidate_id = candidates.id ORDER BY rpl_cases.created_at, rpl_cases.id LIMIT 1)
      )`.execute(db);
    await db.schema.createIndex('candidates_registered_issuer').on('candidates').column('registered_issuer_id').execute();
  },
  async down(db) {
    await db.schema.dropIndex('candidates_registered_issuer').execute();
    await db.schema.alterTable('candidates').dropColumn('registered_issuer_id').execute();
  },
});
