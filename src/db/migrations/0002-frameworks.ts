import type { MigrationFactory } from './types.js';

/**
 * Qualification frameworks registry: frameworks and levels, versioned national → AQRF mapping tables, the
 * qualification catalogue, and accreditations and assessment centres of the certifying bodies (core `issuers`).
 */
export const m0002Frameworks: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('frameworks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('acronym', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('country', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('descriptor_domains', 'text', (c) => c.notNull())
      .addColumn('referencing_status', 'text', (c) => c.notNull())
      .addColumn('sources', 'text', (c) => c.notNull())
      .addColumn('confidence', 'text', (c) => c.notNull())
      .addColumn('gaps', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('framework_levels')
      .addColumn('framework_id', 'text', (c) => c.notNull().references('frameworks.id'))
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('descriptors', 'text')
      .addColumn('source', 'text')
      .addColumn('confidence', 'text')
      .addPrimaryKeyConstraint('framework_levels_pk', ['framework_id', 'level'])
      .execute();

    await db.schema
      .createTable('mapping_tables')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('framework_id', 'text', (c) => c.notNull().references('frameworks.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('citation', 'text')
      .addColumn('valid_from', 'text', (c) => c.notNull())
      .addColumn('valid_until', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .execute();
    await db.schema.createIndex('mapping_tables_framework').on('mapping_tables').columns(['framework_id', 'valid_from']).execute();

    await db.schema
      .createTable('mapping_entries')
      .addColumn('table_id', 'text', (c) => c.notNull().references('mapping_tables.id'))
      .addColumn('national_level', 'integer', (c) => c.notNull())
      .addColumn('aqrf_level', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('mapping_entries_pk', ['table_id', 'national_level'])
      .execute();

    await db.schema
      .createTable('units')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('titles', 'text', (c) => c.notNull())
      .addColumn('scheme', 'text', (c) => c.notNull())
      .addColumn('source', 'text')
      .addColumn('confidence', 'text', (c) => c.notNull())
      .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('qualifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('titles', 'text', (c) => c.notNull())
      .addColumn('descriptions', 'text')
      .addColumn('framework_id', 'text', (c) => c.notNull().references('frameworks.id'))
      .addColumn('national_level', 'integer', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('sector', 'text', (c) => c.notNull())
      .addColumn('occupation', 'text')
      .addColumn('award_rule', 'text', (c) => c.notNull())
      .addColumn('validity_years', 'integer')
      .addColumn('languages', 'text', (c) => c.notNull())
      .addColumn('search_text', 'text', (c) => c.notNull())
      .addColumn('source', 'text')
      .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('qualifications_framework').on('qualifications').columns(['framework_id', 'national_level']).execute();

    await db.schema
      .createTable('qualification_units')
      .addColumn('qualification_id', 'text', (c) => c.notNull().references('qualifications.id'))
      .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('qualification_units_pk', ['qualification_id', 'unit_id'])
      .execute();
    await db.schema.createIndex('qualification_units_unit').on('qualification_units').column('unit_id').execute();

    await db.schema
      .createTable('accreditations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('framework_id', 'text', (c) => c.references('frameworks.id'))
      .addColumn('qualification_ids', 'text', (c) => c.notNull())
      .addColumn('sectors', 'text', (c) => c.notNull())
      .addColumn('valid_from', 'text', (c) => c.notNull())
      .addColumn('valid_until', 'text')
      .addColumn('accredited_by', 'text')
      .addColumn('reference', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('accreditations_issuer').on('accreditations').column('issuer_id').execute();

    await db.schema
      .createTable('assessment_centres')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('city', 'text')
      .addColumn('address', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('assessment_centres_issuer').on('assessment_centres').column('issuer_id').execute();
  },
  async down(db) {
    for (const t of [
      'assessment_centres',
      'accreditations',
      'qualification_units',
      'qualifications',
      'units',
      'mapping_entries',
      'mapping_tables',
      'framework_levels',
      'frameworks',
    ]) {
      await db.schema.dropTable(t).execute();
    }
  },
});
