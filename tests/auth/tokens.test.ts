import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiTokenRow, tokenExpiry } from '../../src/auth/tokens.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ TANDA_TOKEN_TTL_DAYS: '30' });
});
afterAll(async () => t.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (token: string) => t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });

describe(`API tokens expire, are listed and revoked on ${testDialect}`, () => {
  it('a token past its expiry is refused with 401 token_expired; one before it works', async () => {
    const { userId } = await t.login('certifying_officer');
    const past = await createApiTokenRow(t.db.kysely, userId, 'old', { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const future = await createApiTokenRow(t.db.kysely, userId, 'new', { expiresAt: tokenExpiry(1) });
    const refused = await me(past.secret);
    expect([refused.statusCode, refused.json().code]).toEqual([401, 'token_expired']);
    expect((await me(future.secret)).statusCode).toBe(200);
  });

  it('a token made over HTTP expires within TANDA_TOKEN_TTL_DAYS even when asked for longer, and its secret is shown only once', async () => {
    const { headers } = await t.login('assessor');
    const made = await t.app.inject({ method: 'POST', url: '/tokens', headers, payload: { label: 'laptop', expiresInDays: 400 } });
    expect(made.statusCode).toBe(201);
    const { id, token, expiresAt } = made.json() as { id: string; token: string; expiresAt: string };
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    expect((await me(token)).statusCode).toBe(200);
    const listed = await t.app.inject({ method: 'GET', url: '/tokens', headers });
    expect(listed.body).not.toContain(token);
    expect((listed.json() as { tokens: Array<{ id: string; label: string }> }).tokens.find((x) => x.id === id)).toMatchObject({ label: 'laptop', expired: false, revokedAt: null });
  });

  it('a staff member lists only their own tokens; an admin lists everyone\'s', async () => {
    const a = await t.login('counsellor');
    const b = await t.login('counsellor');
    const own = (await t.app.inject({ method: 'GET', url: '/tokens', headers: a.headers })).json() as { tokens: Array<{ userId: string }> };
    expect(own.tokens.length).toBeGreaterThan(0);
    expect(own.tokens.every((x) => x.userId === a.userId)).toBe(true);
    const others = await t.app.inject({ method: 'GET', url: `/tokens?userId=${b.userId}`, headers: a.headers });
    expect([others.statusCode, others.json().code]).toEqual([404, 'not_found']);
    const admin = await t.login('admin', { issuerId: null });
    const all = (await t.app.inject({ method: 'GET', url: '/tokens?all=true', headers: admin.headers })).json() as { tokens: Array<{ userId: string }> };
    expect(all.tokens.some((x) => x.userId === a.userId) && all.tokens.some((x) => x.userId === b.userId)).toBe(true);
  });

  it('a revoked token is refused at once; a staff member cannot revoke another\'s token, an admin can', async () => {
    const a = await t.login('moderator');
    const b = await t.login('moderator');
    const spare = await createApiTokenRow(t.db.kysely, b.userId, 'spare');
    const refused = await t.app.inject({ method: 'DELETE', url: `/tokens/${spare.id}`, headers: a.headers });
    expect([refused.statusCode, refused.json().code]).toEqual([404, 'not_found']);
    expect((await me(spare.secret)).statusCode).toBe(200);
    const admin = await t.login('admin', { issuerId: null });
    expect((await t.app.inject({ method: 'DELETE', url: `/tokens/${spare.id}`, headers: admin.headers })).statusCode).toBe(204);
    const after = await me(spare.secret);
    expect([after.statusCode, after.json().code]).toEqual([401, 'invalid_credentials']);
    // Revoking one's own current token ends it too.
    const self = b.headers.authorization.slice('Bearer '.length);
    const ownList = (await t.app.inject({ method: 'GET', url: '/tokens', headers: b.headers })).json() as { tokens: Array<{ id: string; revokedAt: string | null }> };
    const current = ownList.tokens.find((x) => x.revokedAt === null)!;
    expect((await t.app.inject({ method: 'DELETE', url: `/tokens/${current.id}`, headers: b.headers })).statusCode).toBe(204);
    expect((await me(self)).statusCode).toBe(401);
  });
});
