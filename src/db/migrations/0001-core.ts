import type { MigrationFactory } from './types.js';

/**
 * Core tables of the Foundation: certifying bodies (issuers) and their keys, staff users and API tokens,
 * issued credentials. Timestamps are ISO-8601 UTC text and JSON is text in both dialects, so rows read the same
 * from SQLite and PostgreSQL.
 */
export const m0001Core: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('issuers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('did', 'text', (c) => c.notNull().unique())
      .addColumn('did_method', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('issuer_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('verification_method', 'text', (c) => c.notNull().unique())
      .addColumn('public_key_multibase', 'text', (c) => c.notNull())
      .addColumn('private_key_encrypted', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('retired_at', 'text')
      .execute();
    await db.schema.createIndex('issuer_keys_issuer').on('issuer_keys').columns(['issuer_id', 'status']).execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.unique())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('issuer_id', 'text', (c) => c.references('issuers.id'))
      .addColumn('password_hash', 'text')
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('issued_by', 'text', (c) => c.references('users.id'))
      .addColumn('qualification_id', 'text')
      .addColumn('case_id', 'text')
      .addColumn('holder_user_id', 'text', (c) => c.references('users.id'))
      .addColumn('holder_name', 'text')
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('valid_from', 'text')
      .addColumn('valid_until', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('credentials_issuer').on('credentials').column('issuer_id').execute();

    await db.schema
      .createTable('meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db) {
    for (const t of ['meta', 'credentials', 'api_tokens', 'users', 'issuer_keys', 'issuers']) {
      await db.schema.dropTable(t).execute();
    }
  },
});
