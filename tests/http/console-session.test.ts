import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_IDLE_MINUTES } from '../../src/http/app.js';
import { createStaffUser } from '../../src/rpl/staff.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { browserSignIn, Jar } from '../me/helpers.js';
import { rplFixture, type RplFixture } from '../rpl/fixtures.js';

let t: TestContext;
let f: RplFixture;
beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

const PASSWORD = 'correct horse battery staple';

async function staff(role: 'assessor' | 'moderator' | 'certifying_officer' | 'admin', issuerId: string | null = t.issuer.id) {
  const email = `${role}-${crypto.randomBytes(4).toString('hex')}@body.example`;
  const user = await createStaffUser(t.db.kysely, { name: `Staff ${role}`, email, role, issuerId, password: PASSWORD });
  return { ...user, email };
}

/** Signs in as the console page does: the form, then GET /console/session for the anti-forgery token. */
async function consoleSignIn(email: string, context = t) {
  const jar = new Jar();
  const res = await context.app.inject({ method: 'POST', url: '/console/session', payload: { email, password: PASSWORD } });
  if (res.statusCode !== 201) throw new Error(`sign in: ${res.statusCode} ${res.body}`);
  jar.take(res);
  const session = await context.app.inject({ method: 'GET', url: '/console/session', headers: jar.header });
  jar.take(session);
  return { jar, session: session.json(), setCookie: ([] as string[]).concat(res.headers['set-cookie'] ?? []) };
}

describe(`the staff console's session on ${testDialect}`, () => {
  it('serves the page, its script, styles and service worker without signing in', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/console' });
    expect([page.statusCode, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body).toContain('/console/app.js');
    for (const [url, type] of [['/console/app.js', 'text/javascript'], ['/console/app.css', 'text/css'], ['/console/sw.js', 'text/javascript']] as const) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([url, res.statusCode, String(res.headers['content-type']).split(';')[0]]).toEqual([url, 200, type]);
    }
    expect((await t.app.inject({ method: 'GET', url: '/console/sw.js' })).headers['service-worker-allowed']).toBe('/console');
  });

  it('signs staff in with an HttpOnly, SameSite=Strict cookie for the whole API, and says what the policy lets them do', async () => {
    const a = await staff('assessor');
    const { jar, session, setCookie } = await consoleSignIn(a.email);
    const cookie = setCookie.find((c) => c.startsWith('tanda_console='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);
    expect(session.user).toEqual({ id: a.id, name: 'Staff assessor', email: a.email, role: 'assessor' });
    expect(session.body).toEqual({ id: t.issuer.id, name: expect.any(String) });
    expect(session.abilities).toMatchObject({ cases: true, assess: true, moderate: false, certify: false, manageRegistry: false, manageAccounts: false });
    expect(session.csrfToken).toEqual(expect.any(String));
    expect(session.idleMinutes).toBe(CONSOLE_IDLE_MINUTES);
    const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: jar.header });
    expect([me.statusCode, me.json().id]).toEqual([200, a.id]);
  });

  it('sets Secure when the request came over https (through a trusted proxy)', async () => {
    const behindProxy = await createTestContext({ TANDA_TRUST_PROXY: 'true' });
    try {
      const email = `officer-${crypto.randomBytes(4).toString('hex')}@body.example`;
      await createStaffUser(behindProxy.db.kysely, { name: 'Officer', email, role: 'certifying_officer', issuerId: behindProxy.issuer.id, password: PASSWORD });
      const res = await behindProxy.app.inject({ method: 'POST', url: '/console/session', headers: { 'x-forwarded-proto': 'https' }, payload: { email, password: PASSWORD } });
      expect(res.statusCode).toBe(201);
      expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('tanda_console='))).toMatch(/; Secure/);
    } finally {
      await behindProxy.close();
    }
  });

  it('answers a wrong password with 401 invalid_credentials and sets no cookie', async () => {
    const a = await staff('moderator');
    const res = await t.app.inject({ method: 'POST', url: '/console/session', payload: { email: a.email, password: 'not it' } });
    expect([res.statusCode, res.json().code]).toEqual([401, 'invalid_credentials']);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('limits sign-in attempts per address and account (429 rate_limited)', async () => {
    const a = await staff('moderator');
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await t.app.inject({ method: 'POST', url: '/console/session', payload: { email: a.email, password: `guess ${i}` } })).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });

  it('needs the anti-forgery token for every change made with the cookie', async () => {
    const a = await staff('assessor');
    const { jar, session } = await consoleSignIn(a.email);
    const without = await t.app.inject({ method: 'DELETE', url: '/console/session', headers: jar.header });
    expect([without.statusCode, without.json().code]).toEqual([403, 'csrf_failed']);
    const caseWithout = await t.app.inject({ method: 'POST', url: '/cases/x/transitions', headers: jar.header, payload: { event: 'decide', version: 1 } });
    expect([caseWithout.statusCode, caseWithout.json().code]).toEqual([403, 'csrf_failed']);
    const out = await t.app.inject({ method: 'DELETE', url: '/console/session', headers: { ...jar.header, 'x-csrf-token': session.csrfToken } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/console/session', headers: jar.header })).statusCode).toBe(401);
  });

  it('ends after the idle limit', async () => {
    const a = await staff('assessor');
    const { jar } = await consoleSignIn(a.email);
    await t.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - (CONSOLE_IDLE_MINUTES + 1) * 60_000).toISOString() })
      .where('user_id', '=', a.id)
      .execute();
    const idle = await t.app.inject({ method: 'GET', url: '/console/session', headers: jar.header });
    expect([idle.statusCode, idle.json().code]).toEqual([401, 'unauthenticated']);
  });

  it('ends at its absolute expiry even while in use', async () => {
    const a = await staff('assessor');
    const { jar } = await consoleSignIn(a.email);
    await t.db.kysely.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', a.id).execute();
    expect((await t.app.inject({ method: 'GET', url: '/console/session', headers: jar.header })).statusCode).toBe(401);
  });

  it('signs out everywhere: every session of the account ends (another browser, an API session), API tokens stay', async () => {
    const a = await staff('certifying_officer');
    const here = await consoleSignIn(a.email);
    const elsewhere = await consoleSignIn(a.email);
    const api = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: a.email, password: PASSWORD } });
    const bearer = { authorization: `Bearer ${api.json().token}` };
    const other = await staff('certifying_officer');
    const colleague = await consoleSignIn(other.email);

    const out = await t.app.inject({ method: 'POST', url: '/console/session/everywhere', headers: { ...here.jar.header, 'x-csrf-token': here.session.csrfToken } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/console/session', headers: here.jar.header })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/console/session', headers: elsewhere.jar.header })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/console/session', headers: colleague.jar.header })).statusCode).toBe(200);
  });

  it('refuses a returnee (403): the console is for staff', async () => {
    const r = await f.registerCandidate();
    const { jar } = await browserSignIn(t, f, r.email);
    const res = await t.app.inject({ method: 'GET', url: '/console/session', headers: jar.header });
    expect([res.statusCode, res.json().code]).toEqual([403, 'forbidden']);
  });
});
