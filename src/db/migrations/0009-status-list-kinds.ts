import { sql } from 'kysely';
import type { MigrationFactory } from './types.js';

/**
 * Registry awards and VC API credentials get their status entries from separate lists, so a verifier (online or
 * offline, from the trust bundle) can tell an award from a credential the VC API signed: only the awarding
 * transaction allocates in an `award` list, and no caller chooses a list. Lists opened before this migration held
 * both; they become `award` lists, and the entries in them without an award record are published as exceptions.
 */
export const m0009StatusListKinds: MigrationFactory = () => ({
  async up(db) {
    await db.schema.alterTable('status_lists').addColumn('kind', 'text', (c) => c.notNull().defaultTo('award')).execute();
    await sql`drop index status_lists_open`.execute(db);
    await sql`create unique index status_lists_open on status_lists (issuer_id, issuer_did, purpose, kind) where filled_at is null`.execute(db);
  },
  async down(db) {
    await sql`drop index status_lists_open`.execute(db);
    await db.schema.alterTable('status_lists').dropColumn('kind').execute();
    await sql`create unique index status_lists_open on status_lists (issuer_id, issuer_did, purpose) where filled_at is null`.execute(db);
  },
});
