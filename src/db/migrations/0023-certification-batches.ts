import type { MigrationFactory } from './types.js';

/**
 * Certification batches (src/rpl/certification-batch.ts): an officer's request to certify a set of cases, and one
 * item per case. Items are claimed with a lease (like the outbox) and each is certified in its own transaction,
 * which also marks the item done, so a killed process leaves every item either done (credential and audit entry)
 * or still pending; whichever worker runs next resumes it.
 */
export const m0023CertificationBatches: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('certification_batches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('selection', 'text', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      .execute();
    await db.schema.createIndex('certification_batches_issuer').on('certification_batches').columns(['issuer_id', 'created_at']).execute();
    await db.schema.createIndex('certification_batches_state').on('certification_batches').column('state').execute();
    await db.schema
      .createTable('certification_batch_items')
      .addColumn('batch_id', 'text', (c) => c.notNull().references('certification_batches.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('credential_id', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('certification_batch_items_pk', ['batch_id', 'position'])
      .execute();
    await db.schema.createIndex('certification_batch_items_state').on('certification_batch_items').columns(['state', 'batch_id']).execute();
  },
  async down(db) {
    await db.schema.dropTable('certification_batch_items').execute();
    await db.schema.dropTable('certification_batches').execute();
  },
});
