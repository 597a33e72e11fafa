import type { MigrationFactory } from './types.js';

/**
 * Real delivery of notifications and off-request sign-in work:
 * - the outbox gets a lease (`lease_owner`, `lease_until`) so that of several workers (or instances on one
 *   PostgreSQL) exactly one sends a message, a retry time (`available_at`) for backoff, a give-up time
 *   (`failed_at`) after the attempt cap, and an expiry (`expires_at`) after which a message is pointless (a code);
 * - `sign_in_requests` queues a returnee's code request, so the request handler does the same work whether or not
 *   the contact is registered and the lookup happens in the worker;
 * - `contact_changes` holds a change of a returnee's e-mail or phone until the code sent to the new contact is
 *   confirmed (the row goes when it is confirmed, expires unused or is replaced).
 */
export const m0008Outbox: MigrationFactory = () => ({
  async up(db) {
    await db.schema.alterTable('notifications').addColumn('available_at', 'text').execute();
    await db.schema.alterTable('notifications').addColumn('lease_owner', 'text').execute();
    await db.schema.alterTable('notifications').addColumn('lease_until', 'text').execute();
    await db.schema.alterTable('notifications').addColumn('failed_at', 'text').execute();
    await db.schema.alterTable('notifications').addColumn('expires_at', 'text').execute();

    await db.schema
      .createTable('sign_in_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('contact', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sign_in_requests_created').on('sign_in_requests').column('created_at').execute();

    await db.schema
      .createTable('contact_changes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('new_value', 'text', (c) => c.notNull())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('salt', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('contact_changes_candidate').on('contact_changes').columns(['candidate_id', 'field']).execute();
  },
  async down(db) {
    await db.schema.dropTable('contact_changes').execute();
    await db.schema.dropTable('sign_in_requests').execute();
    for (const c of ['expires_at', 'failed_at', 'lease_until', 'lease_owner', 'available_at']) await db.schema.alterTable('notifications').dropColumn(c).execute();
  },
});
