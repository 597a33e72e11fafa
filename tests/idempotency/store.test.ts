import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { IDEMPOTENCY_LEASE_MS, claimIdempotencyKey, completeIdempotencyKey, type Claim } from '../../src/idempotency/store.js';
import { createTestDb, testDialect } from '../helpers/db.js';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.destroy());

describe(`idempotency key store on ${testDialect}`, () => {
  it('an attempt whose claim was taken over cannot complete: its effect rolls back, the new attempt\'s lands', async () => {
    const t0 = new Date();
    const first = (await claimIdempotencyKey(db, 'caller-1', 'k', 'fp', t0)) as Extract<Claim, { kind: 'new' }>;
    expect(first.kind).toBe('new');
    await expect(claimIdempotencyKey(db, 'caller-1', 'k', 'fp', new Date(t0.getTime() + 1000))).rejects.toMatchObject({ code: 'idempotency_key_in_flight' });
    const second = (await claimIdempotencyKey(db, 'caller-1', 'k', 'fp', new Date(t0.getTime() + IDEMPOTENCY_LEASE_MS + 1))) as Extract<Claim, { kind: 'new' }>;
    expect(second.kind).toBe('new');
    expect(second.attempt).not.toBe(first.attempt);

    // The slow first attempt finally commits its effect (a meta row stands in for the credential).
    await expect(db.kysely.transaction().execute(async (tx) => {
      await tx.insertInto('meta').values({ key: 'effect-of-first', value: '1' }).execute();
      await completeIdempotencyKey(tx, first, 201, { from: 'first' });
    })).rejects.toMatchObject({ code: 'idempotency_key_in_flight' });
    expect(await db.kysely.selectFrom('meta').select('key').where('key', '=', 'effect-of-first').executeTakeFirst()).toBeUndefined();

    await db.kysely.transaction().execute(async (tx) => completeIdempotencyKey(tx, second, 201, { from: 'second' }));
    expect(await claimIdempotencyKey(db, 'caller-1', 'k', 'fp')).toEqual({ kind: 'replay', statusCode: 201, body: { from: 'second' } });
    await expect(claimIdempotencyKey(db, 'caller-1', 'k', 'another request')).rejects.toMatchObject({ code: 'idempotency_key_mismatch' });
  });

  it('concurrent claims of one key: exactly one attempt gets it, the others are told it is in flight', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => claimIdempotencyKey(db, 'caller-2', 'race', 'fp')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill('idempotency_key_in_flight'));
  });
});
