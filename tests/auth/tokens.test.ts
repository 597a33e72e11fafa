import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateToken, createApiTokenRow, recordTokenUse, TOKEN_USE_INTERVAL_MS, tokenExpiry } from '../../src/auth/tokens.js';
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

describe(`an API token's last use is written down, at most once a minute, on ${testDialect}`, () => {
  const lastUsed = async (id: string) => (await t.db.kysely.selectFrom('api_tokens').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;
  const setLastUsed = (id: string, at: string) => t.db.kysely.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  /** A request signed in with the token, and the write it started done. */
  const use = async (token: string) => {
    const response = await me(token);
    await t.app.tokenUses.settled();
    return response.statusCode;
  };
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  it('the first use writes it down and the token list shows it; a use within the minute writes nothing; one after it writes again', async () => {
    const { userId } = await t.login('assessor');
    const made = await createApiTokenRow(t.db.kysely, userId, 'ci');
    const admin = await t.login('admin', { issuerId: null });
    const listed = async () => ((await t.app.inject({ method: 'GET', url: `/tokens?userId=${userId}`, headers: admin.headers })).json() as { tokens: Array<{ id: string; lastUsedAt: string | null }> }).tokens.find((x) => x.id === made.id)!.lastUsedAt;
    expect(await listed()).toBeNull();

    const before = new Date().toISOString();
    expect(await use(made.secret)).toBe(200);
    const first = await lastUsed(made.id);
    expect(first! >= before && first! <= new Date().toISOString()).toBe(true);
    expect(await listed()).toBe(first);

    // Written half a minute ago: a use now is within the minute, and the time stays as it was.
    const recent = ago(TOKEN_USE_INTERVAL_MS / 2);
    await setLastUsed(made.id, recent);
    expect(await use(made.secret)).toBe(200);
    expect(await lastUsed(made.id)).toBe(recent);

    // Written just over a minute ago: this use is written down.
    const old = ago(TOKEN_USE_INTERVAL_MS + 1000);
    await setLastUsed(made.id, old);
    const again = new Date().toISOString();
    expect(await use(made.secret)).toBe(200);
    expect((await lastUsed(made.id))! >= again).toBe(true);
    expect(await listed()).toBe(await lastUsed(made.id));
  });

  it('an expired or revoked token is refused and its last use is never written', async () => {
    const { userId } = await t.login('assessor');
    const expired = await createApiTokenRow(t.db.kysely, userId, 'old', { expiresAt: ago(1000) });
    expect(await use(expired.secret)).toBe(401);
    expect(await lastUsed(expired.id)).toBeNull();

    const revoked = await createApiTokenRow(t.db.kysely, userId, 'gone');
    const admin = await t.login('admin', { issuerId: null });
    expect((await t.app.inject({ method: 'DELETE', url: `/tokens/${revoked.id}`, headers: admin.headers })).statusCode).toBe(204);
    expect(await use(revoked.secret)).toBe(401);
    expect(await lastUsed(revoked.id)).toBeNull();
  });

  it('the write is conditional: within the minute, back in time, or after a revocation or expiry that came between sign-in and write, nothing is written', async () => {
    const { userId } = await t.login('assessor');
    const t0 = new Date();
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const made = await createApiTokenRow(t.db.kysely, userId, 'clock', { expiresAt: at(10 * TOKEN_USE_INTERVAL_MS).toISOString() });
    expect((await authenticateToken(t.db.kysely, made.secret, t0))?.lastUsedAt).toBeNull();
    expect(await recordTokenUse(t.db.kysely, made.id, t0)).toBe(true);
    expect((await authenticateToken(t.db.kysely, made.secret, at(1)))?.lastUsedAt).toBe(t0.toISOString());
    expect(await recordTokenUse(t.db.kysely, made.id, at(TOKEN_USE_INTERVAL_MS - 1))).toBe(false);
    expect(await lastUsed(made.id)).toBe(t0.toISOString());
    expect(await recordTokenUse(t.db.kysely, made.id, at(TOKEN_USE_INTERVAL_MS))).toBe(true);
    expect(await lastUsed(made.id)).toBe(at(TOKEN_USE_INTERVAL_MS).toISOString());
    // A write arriving late (its request signed in earlier) does not move the time back.
    expect(await recordTokenUse(t.db.kysely, made.id, t0)).toBe(false);
    expect(await lastUsed(made.id)).toBe(at(TOKEN_USE_INTERVAL_MS).toISOString());
    // Past its expiry nothing is written, nor once revoked.
    expect(await recordTokenUse(t.db.kysely, made.id, at(10 * TOKEN_USE_INTERVAL_MS))).toBe(false);
    await t.db.kysely.updateTable('api_tokens').set({ revoked_at: at(3 * TOKEN_USE_INTERVAL_MS).toISOString() }).where('id', '=', made.id).execute();
    expect(await recordTokenUse(t.db.kysely, made.id, at(5 * TOKEN_USE_INTERVAL_MS))).toBe(false);
    expect(await lastUsed(made.id)).toBe(at(TOKEN_USE_INTERVAL_MS).toISOString());
  });

  it('uses of a fresh token at the same moment write it once between them; a burst of requests with it is answered in full and writes it', async () => {
    const { userId } = await t.login('assessor');
    const made = await createApiTokenRow(t.db.kysely, userId, 'burst');
    const now = new Date();
    const wrote = await Promise.all(Array.from({ length: 8 }, () => recordTokenUse(t.db.kysely, made.id, now)));
    expect(wrote.filter(Boolean)).toHaveLength(1);
    // Through HTTP as well: a burst of requests, every one answered, the token written down.
    const burst = await createApiTokenRow(t.db.kysely, userId, 'burst-http');
    const answers = await Promise.all(Array.from({ length: 8 }, () => me(burst.secret)));
    await t.app.tokenUses.settled();
    expect(answers.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(await lastUsed(burst.id)).not.toBeNull();
  });
});
