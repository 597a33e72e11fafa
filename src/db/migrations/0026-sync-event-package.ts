import type { MigrationFactory } from './types.js';

/**
 * The offline day (package) a synced event named, kept with its result: what a device knew of a unit is its
 * package's snapshot and its own events sent since, not events another device of the same assessor sent. Events
 * synced before this migration, and events that name no package, keep null.
 */
export const m0026SyncEventPackage: MigrationFactory = () => ({
  async up(db) {
    await db.schema.alterTable('console_sync_events').addColumn('package_id', 'text').execute();
  },
  async down(db) {
    await db.schema.alterTable('console_sync_events').dropColumn('package_id').execute();
  },
});
