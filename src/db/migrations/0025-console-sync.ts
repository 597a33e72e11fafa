import type { MigrationFactory } from './types.js';

/**
 * The staff console's offline assessment day (src/console/):
 * - `offline_packages` and `offline_package_cases`: which cases an assessor took off the server, at which version,
 *   and what each unit's judgement was then. Sync compares against this snapshot to tell "I changed my own unit on
 *   the device" from "someone else judged it while I was away" (recording a unit does not bump the case version).
 * - `console_sync_events`: every event a device sent, by the device's id, with its result, so a retry answers the
 *   first result and never applies twice.
 * - `sync_conflicts`: events that were not applied because the case changed meanwhile, for a person to resolve;
 *   rows are closed (resolved_at), never deleted.
 * Plain text and integer columns only, so the same statements run on SQLite and PostgreSQL.
 */
export const m0025ConsoleSync: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('offline_packages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('case_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('offline_package_cases')
      .addColumn('package_id', 'text', (c) => c.notNull().references('offline_packages.id'))
      .addColumn('case_id', 'text', (c) => c.notNull().references('rpl_cases.id'))
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('units', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('offline_package_cases_pk', ['package_id', 'case_id'])
      .execute();
    await db.schema.createIndex('offline_package_cases_lookup').on('offline_package_cases').columns(['actor_id', 'case_id', 'version']).execute();
    await db.schema
      .createTable('console_sync_events')
      .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('unit_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer')
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('conflict_id', 'text')
      .addColumn('reason', 'text')
      .addColumn('written', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('console_sync_events_pk', ['actor_id', 'event_id'])
      .execute();
    await db.schema.createIndex('console_sync_events_unit').on('console_sync_events').columns(['actor_id', 'case_id', 'unit_id']).execute();
    await db.schema
      .createTable('sync_conflicts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('case_id', 'text', (c) => c.notNull().references('rpl_cases.id'))
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('server_view', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('resolved_at', 'text')
      .addColumn('resolution', 'text')
      .addColumn('resolution_note', 'text')
      .addColumn('resolved_by', 'text', (c) => c.references('users.id'))
      .execute();
    await db.schema.createIndex('sync_conflicts_actor').on('sync_conflicts').columns(['actor_id', 'created_at']).execute();
    await db.schema.createIndex('sync_conflicts_issuer').on('sync_conflicts').columns(['issuer_id', 'created_at']).execute();
  },
  async down(db) {
    await db.schema.dropTable('sync_conflicts').execute();
    await db.schema.dropTable('console_sync_events').execute();
    await db.schema.dropTable('offline_package_cases').execute();
    await db.schema.dropTable('offline_packages').execute();
  },
});
