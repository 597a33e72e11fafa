import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiTokenRow, createUser } from '../../src/auth/tokens.js';
import type { TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { traceLoggedApp, type TraceLoggedApp } from '../helpers/trace-log.js';

describe(`writing down a token's use never fails its request, on ${testDialect}`, () => {
  let traced: TraceLoggedApp;
  let t: TestContext;
  let app: FastifyInstance;
  beforeAll(async () => {
    traced = await traceLoggedApp();
    ({ t, app } = traced);
  });
  afterAll(() => traced.close());

  it('a write the database refuses is logged with the token\'s id and not its secret; the request is answered as usual', async () => {
    const user = await createUser(t.db.kysely, { name: 'Auditor', role: 'admin' });
    const made = await createApiTokenRow(t.db.kysely, user.id, 'ci');
    // The database refuses this one write (as a full disk or a dropped connection would); everything else works.
    const db = t.services.db;
    const working = db.writeUnlessBusy;
    db.writeUnlessBusy = () => Promise.reject(new Error('the database refused the write'));
    try {
      const response = await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${made.secret}` } });
      expect(response.statusCode).toBe(200);
      await app.tokenUses.settled();
    } finally {
      db.writeUnlessBusy = working;
    }
    const warning = traced.log().split('\n').find((line) => line.includes('could not write down an API token'));
    expect(warning).toContain(made.id);
    expect(traced.log()).not.toContain(made.secret);
    const row = await t.db.kysely.selectFrom('api_tokens').select('last_used_at').where('id', '=', made.id).executeTakeFirstOrThrow();
    expect(row.last_used_at).toBeNull();
  });
});
