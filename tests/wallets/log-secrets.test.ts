import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { traceLoggedApp, type TraceLoggedApp } from '../helpers/trace-log.js';
import { returneeWithAward, walletDid } from './wallet-side.js';

/** The handles a wallet holds are bearer secrets: no log line at trace level may carry one. */
describe(`wallet handles never reach the log on ${testDialect}`, () => {
  let traced: TraceLoggedApp;
  let t: TestContext;
  let app: FastifyInstance;
  beforeAll(async () => {
    traced = await traceLoggedApp();
    ({ t, app } = traced);
  });
  afterAll(() => traced.close());

  it('pre-authorized code, transaction code, access token and exchange id', async () => {
    const r = await returneeWithAward(t);
    const offers = (await app.inject({ method: 'POST', url: `/me/credentials/${encodeURIComponent(r.credentialId)}/wallet-offers`, headers: r.session })).json();
    await r.f.deliver();
    const txCode = r.f.transport.lastCodeFor(r.candidate.email);
    const offerUrl = new URL(new URLSearchParams(offers.oid4vci.credentialOfferUri.split('?')[1]).get('credential_offer_uri')!);
    const code = offerUrl.pathname.split('/').pop()!;
    expect((await app.inject({ url: offerUrl.pathname })).statusCode).toBe(200);
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code, tx_code: txCode }).toString();
    const token = await app.inject({ method: 'POST', url: '/oid4vci/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
    expect(token.statusCode).toBe(200);
    const accessToken = token.json().access_token as string;
    const credential = await app.inject({ method: 'POST', url: '/oid4vci/credential', headers: { authorization: `Bearer ${accessToken}` }, payload: { credential_configuration_id: 'TandaAward_ldp_vc' } });
    expect(credential.statusCode).toBe(200);

    const exchangeUrl = new URL((JSON.parse(new URL(offers.vcapi.deepLink).searchParams.get('request')!) as { protocols: { vcapi: string } }).protocols.vcapi);
    const vpr = (await app.inject({ method: 'POST', url: exchangeUrl.pathname, payload: {} })).json().verifiablePresentationRequest;
    const wallet = await walletDid();
    const done = await app.inject({ method: 'POST', url: exchangeUrl.pathname, payload: { verifiablePresentation: await wallet.didAuth({ challenge: vpr.challenge, domain: vpr.domain }) } });
    expect(done.statusCode).toBe(200);

    expect(traced.log()).toContain('/oid4vci/offers/[redacted]');
    expect(traced.log()).toContain('/exchanges/[redacted]');
    const exchangeId = exchangeUrl.pathname.split('/').pop()!;
    for (const [name, secret] of Object.entries({ code, accessToken, exchangeId, txCode: `"${txCode}"` })) expect(traced.log().includes(secret), `${name} found in the log`).toBe(false);
  });
});
