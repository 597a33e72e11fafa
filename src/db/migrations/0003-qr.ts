import type { MigrationFactory } from './types.js';

/**
 * CBOR-LD type tables for QR payloads. A row is never updated or deleted: printed certificates decode with it
 * forever, and the registry entry id is its version.
 */
export const m0003Qr: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('qr_type_tables')
      .addColumn('registry_entry_id', 'integer', (c) => c.primaryKey())
      .addColumn('qualification_id', 'text', (c) => c.notNull())
      .addColumn('source_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('qr_type_tables_qualification').on('qr_type_tables').columns(['qualification_id', 'registry_entry_id']).execute();
  },
  async down(db) {
    await db.schema.dropTable('qr_type_tables').execute();
  },
});
