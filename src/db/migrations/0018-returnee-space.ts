import type { MigrationFactory } from './types.js';

/**
 * The returnee space (/me): share links, their opening log and resumable evidence uploads; browser sessions get an
 * idle limit next to their absolute expiry (bearer sessions keep none: `idle_minutes` null).
 */
export const m0018ReturneeSpace: MigrationFactory = () => ({
  async up(db) {
    await db.schema.alterTable('sessions').addColumn('idle_minutes', 'integer').execute();
    await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text').execute();
    await db.schema
      .createTable('share_links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      // SHA-256 of the link's secret (256 random bits); the URL carries the secret, the database only its hash.
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('label', 'text')
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('share_links_user').on('share_links').column('user_id').execute();
    await db.schema
      .createTable('share_link_credentials')
      .addColumn('link_id', 'text', (c) => c.notNull().references('share_links.id'))
      .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('share_link_credentials_pk', ['link_id', 'credential_id'])
      .execute();
    await db.schema
      .createTable('share_link_opens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('link_id', 'text', (c) => c.notNull().references('share_links.id'))
      .addColumn('opened_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('share_link_opens_link').on('share_link_opens').column('link_id').execute();
    await db.schema
      .createTable('upload_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('case_id', 'text', (c) => c.notNull().references('rpl_cases.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('received', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('upload_sessions').execute();
    await db.schema.dropTable('share_link_opens').execute();
    await db.schema.dropTable('share_link_credentials').execute();
    await db.schema.dropTable('share_links').execute();
    await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute();
    await db.schema.alterTable('sessions').dropColumn('idle_minutes').execute();
  },
});
