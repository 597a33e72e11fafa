import type { MigrationFactory } from './types.js';

/**
 * A returnee's consent to be counted in statistics, apart from the consent to process their application (withdrawing
 * that one withdraws their open cases; withdrawing this one only leaves them out of the counts). Opt-in: nobody
 * registered before this migration said yes to statistics, so every existing returnee starts as not consented.
 */
export const m0024StatisticsConsent: MigrationFactory = () => ({
  async up(db) {
    await db.schema.alterTable('candidates').addColumn('statistics_consent_at', 'text').execute();
    await db.schema.alterTable('candidates').addColumn('statistics_consent_withdrawn_at', 'text').execute();
  },
  async down(db) {
    await db.schema.alterTable('candidates').dropColumn('statistics_consent_withdrawn_at').execute();
    await db.schema.alterTable('candidates').dropColumn('statistics_consent_at').execute();
  },
});
