import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge } from '../helpers/credentials.js';
import { testDialect } from '../helpers/db.js';

type Vc = Record<string, unknown> & { id: string };

/** The attack of issue #16 as it was sent: ~0.9 MB, 38,000 credentialSubject entries. */
const asSent = (credential: Record<string, unknown>): Record<string, unknown> => ({ ...credential, credentialSubject: Array.from({ length: 38_000 }, (_, i) => ({ id: `urn:x:${String(i).padStart(8, '0')}` })) });
/** The same 38,000 entries packed small enough to pass every body limit (~120 KB): only the bounds stop it. */
const hostile = (credential: Record<string, unknown>): Record<string, unknown> => ({ ...credential, credentialSubject: Array.from({ length: 38_000 }, () => ({})) });

/** A checkStatus hook that holds every verification at the status step until released, counting arrivals. */
function holdStatus(t: TestContext) {
  const original = t.services.credentials.hooks.checkStatus!;
  let arrived = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  t.services.credentials.hooks.checkStatus = async (credential) => {
    arrived += 1;
    await released;
    return original(credential);
  };
  return {
    arrived: async (n: number) => {
      while (arrived < n) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    release: () => {
      release();
      t.services.credentials.hooks.checkStatus = original;
    },
  };
}

describe(`limits on the verify routes on ${testDialect}`, () => {
  const contexts: TestContext[] = [];
  afterAll(async () => Promise.all(contexts.map((c) => c.close())));
  const context = async (env: Record<string, string> = {}) => {
    const t = await createTestContext(env);
    contexts.push(t);
    const officer = (await t.login('certifying_officer')).headers;
    const issue = async (name: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: badge(t.issuer.did, { name }) } });
      expect(res.statusCode).toBe(201);
      return res.json().verifiableCredential as Vc;
    };
    return { t, officer, issue };
  };
  const verify = (t: TestContext, verifiableCredential: unknown) => t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential } });

  let shared: Awaited<ReturnType<typeof context>>;
  beforeAll(async () => {
    shared = await context();
  });

  it('refuse the 0.9 MB 38,000-subject request with 413 from its size, and a compact one with 400 document_too_complex on verify, presentation verify and issue; real ones still verify', async () => {
    const { t, officer, issue } = shared;
    const vc = await issue('Ana Reyes');
    const attack = hostile(vc);
    expect(JSON.stringify({ verifiableCredential: attack }).length).toBeLessThan(200 * 1024);
    const sent = JSON.stringify({ verifiableCredential: asSent(vc) });
    expect(sent.length).toBeGreaterThan(900 * 1000);
    const tooLarge = await t.app.inject({ method: 'POST', url: '/credentials/verify', headers: { 'content-type': 'application/json' }, payload: sent });
    expect([tooLarge.statusCode, tooLarge.json().code]).toEqual([413, 'payload_too_large']);

    const refused = await verify(t, attack);
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'document_too_complex']);
    expect(refused.json().details).toMatchObject({ limit: 'maxArrayLength', path: '/credentialSubject' });
    const inPresentation = await t.app.inject({
      method: 'POST',
      url: '/presentations/verify',
      payload: { verifiablePresentation: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [vc, attack] } },
    });
    expect([inPresentation.statusCode, inPresentation.json().code]).toEqual([400, 'document_too_complex']);
    const { proof: _proof, credentialStatus: _status, ...unsigned } = attack;
    const issued = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: unsigned } });
    expect([issued.statusCode, issued.json().code]).toEqual([400, 'document_too_complex']);

    const fine = await verify(t, vc);
    expect([fine.statusCode, fine.json().verified]).toEqual([200, true]);
    const presentation = await t.app.inject({
      method: 'POST',
      url: '/presentations/verify',
      payload: { verifiablePresentation: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [vc, await issue('Ben Cruz'), await issue('Cita Lim')] } },
    });
    expect([presentation.statusCode, presentation.json().credentials.map((c: { verified: boolean }) => c.verified)]).toEqual([200, [true, true, true]]);
  });

  it('answer 503 verification_busy with Retry-After when the pool queue is full, and verify again once it drains', async () => {
    const { t } = await context({ TANDA_VERIFY_WORKERS: '1', TANDA_VERIFY_QUEUE: '0' });
    // A did:web body: a worker asks the main thread for its DID document, where the test holds the answer back.
    const web = await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: 'web-body', name: 'Web Body', country: 'PH', didMethod: 'web' });
    const officer = (await t.login('certifying_officer', { issuerId: web.id })).headers;
    const issued = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: badge(web.did) } });
    expect(issued.statusCode).toBe(201);
    const vc = issued.json().verifiableCredential as Vc;
    const keys = t.services.keys;
    const publicKeys = keys.publicKeys.bind(keys);
    let asked = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    keys.publicKeys = async (...args) => {
      asked += 1;
      await released;
      return publicKeys(...args);
    };
    try {
      // One worker runs four jobs at once; with no queue the fifth is refused.
      const running = Array.from({ length: 4 }, () => verify(t, vc));
      while (asked < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      const busy = await verify(t, vc);
      expect([busy.statusCode, busy.json().code, busy.headers['retry-after']]).toEqual([503, 'verification_busy', '1']);
      release();
      expect((await Promise.all(running)).map((r) => [r.statusCode, r.json().verified])).toEqual(Array(4).fill([200, true]));
      expect((await verify(t, vc)).statusCode).toBe(200);
    } finally {
      release();
      keys.publicKeys = publicKeys;
    }
  });

  it('answer 503 verification_busy with Retry-After beyond TANDA_VERIFY_CONCURRENCY requests in flight, all clients together, on every public verify route', async () => {
    const { t, issue } = await context({ TANDA_VERIFY_CONCURRENCY: '1' });
    const vc = await issue('Eko Prasetyo');
    const held = holdStatus(t);
    const first = verify(t, vc);
    await held.arrived(1);
    for (const [url, payload] of [
      ['/credentials/verify', { verifiableCredential: vc }],
      ['/presentations/verify', { verifiablePresentation: { type: ['VerifiablePresentation'] } }],
      ['/verify/qr', { payload: 'VP1-RX' }],
    ] as const) {
      const busy = await t.app.inject({ method: 'POST', url, payload, headers: { 'x-forwarded-for': '198.51.100.9' } });
      expect([url, busy.statusCode, busy.json().code, busy.headers['retry-after']]).toEqual([url, 503, 'verification_busy', '1']);
    }
    held.release();
    expect((await first).statusCode).toBe(200);
    expect((await verify(t, vc)).statusCode).toBe(200);
  });
});
