import type { MigrationFactory } from './types.js';

/**
 * Offers of a returnee's credential to a standard wallet: an OpenID4VCI pre-authorized code offer or a VC API
 * exchange (the Learner Credential Wallet's way). Every handle a wallet holds (pre-authorized code, exchange id,
 * access token) is stored as its SHA-256 only; the transaction code as a salted scrypt hash (6 digits are guessable
 * from a plain hash). One row per offer; `redeemed_at` makes the code single-use.
 */
export const m0019WalletOffers: MigrationFactory = () => ({
  async up(db) {
    await db.schema
      .createTable('wallet_offers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('protocol', 'text', (c) => c.notNull())
      .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
      .addColumn('holder_user_id', 'text', (c) => c.notNull())
      .addColumn('tx_code_hash', 'text')
      .addColumn('tx_code_salt', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('access_token_hash', 'text', (c) => c.unique())
      .addColumn('access_expires_at', 'text')
      .addColumn('credential_identifiers', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('challenge', 'text')
      .addColumn('wallet_did', 'text')
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('redeemed_at', 'text')
      .addColumn('delivered_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('wallet_offers_credential').on('wallet_offers').column('credential_id').execute();
  },
  async down(db) {
    await db.schema.dropTable('wallet_offers').execute();
  },
});
