import crypto from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../../src/config.js';
import { certifiedReturnee } from '../me/fixtures.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { traceLoggedApp, type TraceLoggedApp } from '../helpers/trace-log.js';
import { createOutboxWorker } from '../../src/outbox/index.js';
import { CapturingTransport, FILES, multipart, rplFixture } from '../rpl/fixtures.js';

const verifyJunk = (app: FastifyInstance, forwardedFor?: string) =>
  app.inject({ method: 'POST', url: '/credentials/verify', headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}, payload: { verifiableCredential: { junk: true } } });

describe(`per-client rate limits on the verify routes on ${testDialect}`, () => {
  const contexts: TestContext[] = [];
  afterAll(async () => Promise.all(contexts.map((c) => c.close())));
  const context = async (env: Record<string, string>) => {
    const t = await createTestContext(env);
    contexts.push(t);
    return t;
  };

  it('behind a trusted proxy, two clients get separate buckets; the limit is configurable and answers 429 rate_limited', async () => {
    const t = await context({ TANDA_TRUST_PROXY: 'true', TANDA_VERIFY_RATE_LIMIT: '3' });
    for (let i = 0; i < 3; i++) expect((await verifyJunk(t.app, '203.0.113.7')).statusCode).not.toBe(429);
    const limited = await verifyJunk(t.app, '203.0.113.7');
    expect([limited.statusCode, limited.json().code]).toEqual([429, 'rate_limited']);
    expect((await verifyJunk(t.app, '198.51.100.20')).statusCode).not.toBe(429);
    for (const url of ['/presentations/verify', '/verify/qr']) {
      const route = (ip: string) => t.app.inject({ method: 'POST', url, headers: { 'x-forwarded-for': ip }, payload: {} });
      for (let i = 0; i < 3; i++) expect((await route('192.0.2.1')).statusCode).not.toBe(429);
      expect((await route('192.0.2.1')).json().code).toBe('rate_limited');
      expect((await route('192.0.2.2')).statusCode).not.toBe(429);
    }
  });

  it('trusts only the listed proxy addresses', async () => {
    const t = await context({ TANDA_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1', TANDA_VERIFY_RATE_LIMIT: '2' });
    for (let i = 0; i < 2; i++) await verifyJunk(t.app, '203.0.113.7');
    expect((await verifyJunk(t.app, '203.0.113.7')).statusCode).toBe(429);
    expect((await verifyJunk(t.app, '198.51.100.20')).statusCode).not.toBe(429);
  });

  it('without TANDA_TRUST_PROXY, X-Forwarded-For is ignored: a client cannot pick a fresh bucket per request', async () => {
    const t = await context({ TANDA_VERIFY_RATE_LIMIT: '2' });
    await verifyJunk(t.app, '203.0.113.1');
    await verifyJunk(t.app, '203.0.113.2');
    expect((await verifyJunk(t.app, '203.0.113.3')).json().code).toBe('rate_limited');
  });

  it('parses TANDA_TRUST_PROXY: false, true, a hop count, addresses and CIDR ranges; refuses anything else', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.1,::1,fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.1', '::1', 'fd00::/8']);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/1']) expect(() => parseTrustProxy(bad)).toThrow(/TANDA_TRUST_PROXY/);
  });
});

describe(`5xx bodies on ${testDialect}`, () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(async () => t.close());

  it('carry the code, the table sentence and the request id, never the cause', async () => {
    const f = await rplFixture(t);
    const c = await f.registerCandidate();
    const me = await f.candidateSession(c.email);
    const caseId = (await f.openCase(me)).id;
    const body = multipart({ kind: 'work_photo', title: 'kitchen' }, { name: 'kitchen.jpg', bytes: FILES.jpeg() });
    const item = (await t.app.inject({ method: 'POST', url: `/cases/${caseId}/evidence`, headers: { ...me, ...body.headers }, payload: body.payload })).json();
    // The stored file disappears (a broken disk, an operator's mistake): the server's fault, and an internal one.
    await t.services.rpl.storage.delete(item.sha256);
    const res = await t.app.inject({ method: 'GET', url: `/cases/${caseId}/evidence/${item.id}/content`, headers: me });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 'internal', message: 'Internal error', requestId: expect.any(String) });
    expect(res.body).not.toContain(item.sha256);
  });
});

describe(`no secret in the log at trace level on ${testDialect}`, () => {
  let traced: TraceLoggedApp;
  let t: TestContext;
  let app: FastifyInstance;
  beforeAll(async () => {
    traced = await traceLoggedApp();
    ({ t, app } = traced);
  });
  afterAll(() => traced.close());

  it('bearer API and session tokens, a staff password, a sign-in code, cookies and API-key headers never reach it', async () => {
    const f = await rplFixture(t);
    // The outbox worker logs into the same trace-level log as the server.
    const transport = new CapturingTransport();
    const worker = createOutboxWorker(t.services, app.log.child({ component: 'outbox' }), { transports: [transport] });
    const secrets: Record<string, string> = {};
    const admin = await t.login('admin', { issuerId: null });
    const counsellor = await t.login('counsellor');
    secrets.adminToken = admin.headers.authorization.slice('Bearer '.length);
    secrets.counsellorToken = counsellor.headers.authorization.slice('Bearer '.length);
    secrets.password = `correct horse ${crypto.randomBytes(8).toString('hex')}`;
    secrets.cookie = crypto.randomBytes(16).toString('hex');
    secrets.apiKey = crypto.randomBytes(16).toString('hex');
    secrets.proxyAuth = crypto.randomBytes(16).toString('hex');

    const inject = async (opts: InjectOptions, status: number) => {
      const res = await app.inject(opts);
      expect(res.statusCode, `${String(opts.url)}: ${res.body}`).toBe(status);
      return res;
    };
    await inject({ method: 'GET', url: '/auth/me', headers: { ...admin.headers, cookie: `tanda_session=${secrets.cookie}`, 'x-api-key': secrets.apiKey, 'proxy-authorization': `Basic ${secrets.proxyAuth}` } }, 200);
    const email = `officer-${crypto.randomBytes(3).toString('hex')}@example.org`;
    await inject({ method: 'POST', url: '/staff', headers: admin.headers, payload: { name: 'Officer', email, role: 'certifying_officer', issuerId: t.issuer.id, password: secrets.password } }, 201);
    const login = await inject({ method: 'POST', url: '/auth/login', payload: { email, password: secrets.password } }, 200);
    secrets.staffSession = login.json().token;
    await inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${secrets.staffSession}` } }, 200);
    await inject({ method: 'POST', url: '/auth/login', payload: { email, password: `${secrets.password}-wrong` } }, 401);
    await inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer tnd_${secrets.apiKey}` } }, 401);

    const candidate = await f.registerCandidate();
    const asked = await inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: candidate.email } }, 202);
    await worker.runOnce();
    secrets.code = transport.lastCodeFor(candidate.email);
    const verified = await inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code: secrets.code } }, 200);
    secrets.candidateSession = verified.json().token;
    const me = { authorization: `Bearer ${secrets.candidateSession}` };
    const caseId = (await inject({ method: 'POST', url: '/cases', headers: me, payload: { qualificationId: 'https://tanda.example/qualifications/ph-housekeeping-nc2', issuerId: t.issuer.id } }, 201)).json().id;
    const body = multipart({ kind: 'work_photo', title: 'kitchen' }, { name: 'kitchen.jpg', bytes: FILES.jpeg() });
    await inject({ method: 'POST', url: `/cases/${caseId}/evidence`, headers: { ...me, ...body.headers, cookie: `tanda_session=${secrets.cookie}` }, payload: body.payload }, 201);

    // The returnee space: a browser sign-in (the session in a cookie) and a share link (its secret in the path).
    const holder = await certifiedReturnee(t, f);
    const asked2 = await inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: holder.email } }, 202);
    await f.deliver();
    const cookie = await inject({ method: 'POST', url: '/me/session', payload: { challengeId: asked2.json().challengeId, code: f.transport.lastCodeFor(holder.email) } }, 201);
    secrets.meCookie = String(cookie.headers['set-cookie']).split(';')[0]!.split('=')[1]!;
    await inject({ method: 'GET', url: '/me/session', headers: { cookie: `tanda_me=${secrets.meCookie}` } }, 200);
    const link = await inject({ method: 'POST', url: '/me/share-links', headers: holder.bearer, payload: { credentialIds: [holder.credentialId], expiresAt: new Date(Date.now() + 86_400_000).toISOString() } }, 201);
    secrets.shareToken = link.json().url.split('/s/')[1];
    await inject({ method: 'GET', url: `/s/${secrets.shareToken}` }, 200);
    expect(traced.log()).toContain('/s/[redacted]');

    // The log really is at trace level and saw the multipart plugin's header dump.
    expect(traced.log()).toContain('Providing options to busboy');
    expect(traced.log()).toContain('[redacted]');
    for (const [name, secret] of Object.entries(secrets)) expect(traced.log().includes(secret), `${name} found in the log`).toBe(false);
  });
});
