import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/tokens.js';
import type { Db } from '../../src/db/database.js';
import { m0011CandidateBodies } from '../../src/db/migrations/0011-candidate-bodies.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { qualificationUrl } from '../../src/frameworks/urls.js';
import { insertIssuer } from '../frameworks/fixtures.js';
import { createTestDb, testDialect } from '../helpers/db.js';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.destroy());

describe(`migration 0011 (which body registered a returnee) on ${testDialect}`, () => {
  it('links existing returnees to the registering account\'s body, else to their first case\'s body, else to none', async () => {
    const migration = m0011CandidateBodies(db.dialect);
    await migration.down!(db.kysely);
    await insertIssuer(db.kysely, 'body-a', 'PH');
    await insertIssuer(db.kysely, 'body-b', 'ID');
    await seedRegistry(db.kysely, { issuers: ['body-a'] });
    const counsellorA = await createUser(db.kysely, { name: 'C', role: 'counsellor', issuerId: 'body-a' });
    const bodiless = await createUser(db.kysely, { name: 'N', role: 'counsellor', issuerId: null });
    const candidate = async (id: string, createdBy: string | null) => {
      const u = await createUser(db.kysely, { name: id, role: 'candidate' });
      await sql`INSERT INTO candidates (id, user_id, full_name, created_by, created_at) VALUES (${id}, ${u.id}, ${id}, ${createdBy}, '2026-01-01T00:00:00.000Z')`.execute(db.kysely);
    };
    await candidate('by-counsellor-of-a', counsellorA.id);
    await candidate('self-with-cases', null);
    await candidate('by-bodiless-with-none', bodiless.id);
    for (const [id, issuer, at] of [['case-2', 'body-a', '2026-03-01'], ['case-1', 'body-b', '2026-02-01']] as const) {
      await sql`INSERT INTO rpl_cases (id, candidate_id, qualification_id, issuer_id, state, version, round, created_at, updated_at)
        VALUES (${id}, 'self-with-cases', ${qualificationUrl('ph-housekeeping-nc2')}, ${issuer}, 'draft', 1, 1, ${at}, ${at})`.execute(db.kysely);
    }
    await migration.up(db.kysely);
    const rows = await db.kysely.selectFrom('candidates').select(['id', 'registered_issuer_id']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'by-bodiless-with-none', registered_issuer_id: null },
      { id: 'by-counsellor-of-a', registered_issuer_id: 'body-a' },
      { id: 'self-with-cases', registered_issuer_id: 'body-b' },
    ]);
  });
});
