import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => t.close());

describe(`liveness and readiness on ${testDialect}`, () => {
  it('/health and /ready answer 200 on a reachable, migrated database', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('/ready answers 503 not_ready while a migration of this version has not run; /health stays 200', async () => {
    const table = t.db.schema ? sql.id(t.db.schema, 'kysely_migration') : sql.id('kysely_migration');
    const row = await sql<{ name: string; timestamp: string }>`select name, timestamp from ${table} where name = '0016-token-expiry'`.execute(t.db.kysely);
    await sql`delete from ${table} where name = '0016-token-expiry'`.execute(t.db.kysely);
    try {
      const ready = await t.app.inject({ method: 'GET', url: '/ready' });
      expect([ready.statusCode, ready.json().code]).toEqual([503, 'not_ready']);
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      const { name, timestamp } = row.rows[0]!;
      await sql`insert into ${table} (name, timestamp) values (${name}, ${timestamp})`.execute(t.db.kysely);
    }
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  });
});

describe(`readiness without a database on ${testDialect}`, () => {
  it('/ready answers 503 not_ready once the database is gone; /health still 200', async () => {
    const c = await createTestContext();
    try {
      await c.db.destroy();
      const ready = await c.app.inject({ method: 'GET', url: '/ready' });
      expect([ready.statusCode, ready.json().code]).toEqual([503, 'not_ready']);
      expect((await c.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await c.app.close();
    }
  });
});

describe(`readiness while the verification workers start on ${testDialect}`, () => {
  it('/ready answers 503 not_ready until a warm-up has loaded every worker, then 200; /health is 200 throughout', async () => {
    const c = await createTestContext({ TANDA_VERIFY_WORKERS: '2' });
    try {
      const pool = c.services.credentials.pool!;
      const warmed = pool.warmUp();
      expect(pool.stats().workers).toBe(2);
      const during = await c.app.inject({ method: 'GET', url: '/ready' });
      expect([during.statusCode, during.json().code]).toEqual([503, 'not_ready']);
      expect((await c.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      await warmed;
      expect(pool.isWarming).toBe(false);
      expect((await c.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    } finally {
      await c.close();
    }
  });
});
