import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { browserSignIn } from '../me/helpers.js';
import { rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { ME_IDLE_MINUTES } from '../../src/http/app.js';

let t: TestContext;
let f: RplFixture;
beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

describe(`the returnee's browser session on ${testDialect}`, () => {
  it('is an HttpOnly SameSite=Strict cookie that signs the returnee in to existing routes as a bearer token would', async () => {
    const r = await f.registerCandidate();
    const { jar, setCookie } = await browserSignIn(t, f, r.email);
    const cookie = setCookie.find((c) => c.startsWith('tanda_me='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    // Plain http in the test: no Secure flag (it is set when the request came over https).
    expect(cookie).not.toMatch(/Secure/i);
    const own = await t.app.inject({ method: 'GET', url: '/candidates/me', headers: jar.header });
    expect([own.statusCode, own.json().id]).toEqual([200, r.id]);
  });

  it('sets Secure when the request came over https (here through a trusted proxy)', async () => {
    const behindProxy = await createTestContext({ TANDA_TRUST_PROXY: 'true' });
    try {
      const g = await rplFixture(behindProxy);
      const r = await g.registerCandidate();
      const asked = await behindProxy.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: r.email } });
      await g.deliver();
      const res = await behindProxy.app.inject({
        method: 'POST',
        url: '/me/session',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { challengeId: asked.json().challengeId, code: g.transport.lastCodeFor(r.email) },
      });
      expect(res.statusCode).toBe(201);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('tanda_me='));
      expect(cookie).toMatch(/; Secure/);
    } finally {
      await behindProxy.close();
    }
  });

  it('refuses a change without the anti-forgery token (csrf_failed), accepts it with the token', async () => {
    const r = await f.registerCandidate();
    const { jar, csrf } = await browserSignIn(t, f, r.email);
    const without = await t.app.inject({ method: 'POST', url: `/candidates/${r.id}/consent/withdraw`, headers: jar.header });
    expect([without.statusCode, without.json().code]).toEqual([403, 'csrf_failed']);
    const forged = await t.app.inject({ method: 'POST', url: `/candidates/${r.id}/consent/withdraw`, headers: { ...jar.header, 'x-csrf-token': 'forged' } });
    expect([forged.statusCode, forged.json().code]).toEqual([403, 'csrf_failed']);
    const withToken = await t.app.inject({ method: 'POST', url: `/candidates/${r.id}/consent/withdraw`, headers: { ...jar.header, 'x-csrf-token': csrf } });
    expect(withToken.statusCode).toBe(200);
  });

  it('ends after the idle limit, and on sign-out', async () => {
    const r = await f.registerCandidate();
    const a = await browserSignIn(t, f, r.email);
    await t.db.kysely.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - (ME_IDLE_MINUTES + 1) * 60_000).toISOString() }).where('idle_minutes', 'is not', null).execute();
    const idle = await t.app.inject({ method: 'GET', url: '/me/session', headers: a.jar.header });
    expect([idle.statusCode, idle.json().code]).toEqual([401, 'unauthenticated']);

    const b = await browserSignIn(t, f, r.email);
    const out = await t.app.inject({ method: 'DELETE', url: '/me/session', headers: { ...b.jar.header, 'x-csrf-token': b.csrf } });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/candidates/me', headers: b.jar.header });
    expect(after.statusCode).toBe(401);
  });

  it('ends at its absolute expiry even while in use', async () => {
    const r = await f.registerCandidate();
    const a = await browserSignIn(t, f, r.email);
    await t.db.kysely.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('idle_minutes', 'is not', null).execute();
    expect((await t.app.inject({ method: 'GET', url: '/me/session', headers: a.jar.header })).statusCode).toBe(401);
  });

  it('a wrong code gives no cookie', async () => {
    const r = await f.registerCandidate();
    const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: r.email } });
    await f.deliver();
    const right = f.transport.lastCodeFor(r.email);
    const wrong = right === '000000' ? '111111' : '000000';
    const res = await t.app.inject({ method: 'POST', url: '/me/session', payload: { challengeId: asked.json().challengeId, code: wrong } });
    expect([res.statusCode, res.json().code, res.headers['set-cookie']]).toEqual([401, 'invalid_credentials', undefined]);
  });
});
