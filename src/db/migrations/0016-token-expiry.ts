import type { MigrationFactory } from './types.js';

/**
 * API tokens expire: `expires_at` (ISO 8601, UTC) is set from TANDA_TOKEN_TTL_DAYS when a token is made. Tokens made
 * before this migration keep null (no expiry) — they were handed out as permanent, and cutting them off on upgrade
 * would lock operators out; `tanda tokens list` shows them and `tanda tokens revoke` ends them.
 */
export const m0016TokenExpiry: MigrationFactory = () => ({
  async up(db) {
    await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
    await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();
  },
  async down(db) {
    await db.schema.dropIndex('api_tokens_user').execute();
    await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  },
});
