import type { MigrationFactory } from './types.js';

/**
 * What a certifying body's certificates show of it beyond its name: logo, seal, the signatory's name and title, and
 * the signature image. Images are base64 text (PNG or JPEG, validated by content before they are stored), which
 * reads and writes the same on SQLite and PostgreSQL; each is at most 512 KiB.
 */
export const m0014IssuerProfiles: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('issuer_profiles')
      .addColumn('issuer_id', 'text', (c) => c.primaryKey().references('issuers.id'))
      .addColumn('signatory_name', 'text', (c) => c.notNull())
      .addColumn('signatory_title', 'text', (c) => c.notNull())
      .addColumn('logo', 'text')
      .addColumn('seal', 'text')
      .addColumn('signature', 'text')
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('issuer_profiles').execute();
  },
});
