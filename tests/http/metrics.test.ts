import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { badge } from '../helpers/credentials.js';

const METRICS_TOKEN = crypto.randomBytes(24).toString('base64url');
let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ TANDA_METRICS_TOKEN: METRICS_TOKEN });
});
afterAll(async () => t.close());

const scrape = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/metrics', headers });
/** A counter's value from the exposition text (0 when the series is not there yet). */
const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);

describe(`Prometheus metrics on ${testDialect}`, () => {
  it('an admin and the metrics token may scrape; staff, anonymous callers and a wrong token may not', async () => {
    expect((await scrape((await t.login('admin', { issuerId: null })).headers)).statusCode).toBe(200);
    expect((await scrape({ authorization: `Bearer ${METRICS_TOKEN}` })).statusCode).toBe(200);
    const staff = await scrape((await t.login('certifying_officer')).headers);
    expect([staff.statusCode, staff.json().code]).toEqual([403, 'forbidden']);
    expect((await scrape({})).statusCode).toBe(401);
    expect((await scrape({ authorization: `Bearer ${METRICS_TOKEN}x` })).statusCode).toBe(401);
  });

  it('the metrics token is good for /metrics only', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.statusCode).toBe(401);
  });

  it('counts issuances and verifications, and times requests by route pattern, never by the URL sent', async () => {
    const headers = { authorization: `Bearer ${METRICS_TOKEN}` };
    const before = (await scrape(headers)).body;
    const officer = await t.login('certifying_officer');
    const issued = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer.headers, payload: { credential: badge(t.issuer.did) } });
    expect(issued.statusCode).toBe(201);
    const vc = issued.json().verifiableCredential;
    const ok = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc } });
    expect(ok.statusCode).toBe(200);
    await t.app.inject({ method: 'GET', url: `/issuers/no-such-body-${crypto.randomUUID()}/profile` });
    const after = (await scrape(headers)).body;
    expect(value(after, 'tanda_credentials_issued_total{kind="general"}') - value(before, 'tanda_credentials_issued_total{kind="general"}')).toBe(1);
    expect(value(after, 'tanda_verifications_total{outcome="verified"}') - value(before, 'tanda_verifications_total{outcome="verified"}')).toBe(1);
    expect(after).toMatch(/^http_request_duration_seconds_count\{method="POST",route="\/credentials\/verify",status_code="200"\} \d+$/m);
    expect(after).toContain('route="/issuers/:id/profile"');
    expect(after).not.toContain('no-such-body');
    expect(after).toMatch(/^tanda_render_queue \d+$/m);
    expect(after).toContain('nodejs_eventloop_lag_seconds');
  });
});
