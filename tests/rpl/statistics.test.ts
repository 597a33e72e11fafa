import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseStatistics } from '../../src/rpl/statistics.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { rplFixture, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;
beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

describe(`statistics periods on ${testDialect}`, () => {
  it('a period that ends before it starts is validation_failed, over HTTP and in the domain', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/rpl/statistics?from=2026-06-01&to=2026-01-01', headers: f.officer });
    expect([res.statusCode, res.json().code]).toEqual([400, 'validation_failed']);
    await expect(caseStatistics(t.db.kysely, { from: '2026-06-01', to: '2026-05-31' })).rejects.toMatchObject({ code: 'validation_failed' });
    expect((await t.app.inject({ method: 'GET', url: '/rpl/statistics?from=2026-01-01&to=2026-06-01', headers: f.officer })).statusCode).toBe(200);
  });
});
