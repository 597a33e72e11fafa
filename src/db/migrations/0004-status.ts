import { sql } from 'kysely';
import type { MigrationFactory } from './types.js';

/**
 * Bitstring status lists, the index each credential holds in one, revocations (the audit of who, when, why) and
 * re-issue links. The unique (list_id, idx) constraint is what makes random allocation safe under concurrency; the
 * partial unique index keeps concurrent issuers from opening two lists at once.
 */
export const m0004Status: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('status_lists')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('issuer_did', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('length', 'integer', (c) => c.notNull())
      .addColumn('credential', 'text', (c) => c.notNull())
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('valid_until', 'text', (c) => c.notNull())
      .addColumn('filled_at', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await sql`create unique index status_lists_open on status_lists (issuer_id, issuer_did, purpose) where filled_at is null`.execute(db);

    await db.schema
      .createTable('status_entries')
      .addColumn('list_id', 'text', (c) => c.notNull().references('status_lists.id'))
      .addColumn('idx', 'integer', (c) => c.notNull())
      // No foreign key: the index is allocated before the credential row exists (it is part of what gets signed).
      .addColumn('credential_id', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('status_entries_pk', ['list_id', 'idx'])
      .execute();

    await db.schema
      .createTable('revocations')
      .addColumn('credential_id', 'text', (c) => c.primaryKey().references('credentials.id'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('revoked_by', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('credential_links')
      .addColumn('replaced_id', 'text', (c) => c.primaryKey().references('credentials.id'))
      .addColumn('replacement_id', 'text', (c) => c.notNull().unique().references('credentials.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    for (const t of ['credential_links', 'revocations', 'status_entries', 'status_lists']) await db.schema.dropTable(t).execute();
  },
});
