import type { MigrationFactory } from './types.js';

/**
 * What a credential was awarded for, beyond what the lean signed credential carries: the units by catalogue id,
 * where it was assessed, the language to print, the QR type table it encodes with, and the short code printed for
 * the online check.
 */
export const m0006Awards: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('awards')
      .addColumn('credential_id', 'text', (c) => c.primaryKey().references('credentials.id'))
      .addColumn('qualification_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('unit_ids', 'text', (c) => c.notNull())
      .addColumn('assessment_centre', 'text')
      .addColumn('assessment_country', 'text')
      .addColumn('assessment_date', 'text')
      .addColumn('print_lang', 'text')
      .addColumn('registry_entry_id', 'integer', (c) => c.notNull())
      .addColumn('verify_code', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('awards').execute();
  },
});
