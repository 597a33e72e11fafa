import { createHash, randomBytes } from 'node:crypto';
import { OID4Client, getCredentialOffer, robustDiscoverIssuer } from '@digitalbazaar/oid4-client';
import * as vc from '@digitalbazaar/vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledContexts } from '../../src/jsonld/index.js';
import { MAX_ATTEMPTS } from '../../src/wallets/offers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { officerOf } from '../helpers/credentials.js';
import type { RplFixture } from '../rpl/fixtures.js';
import { returneeWithAward, routeFetchTo, walletDocumentLoader } from './wallet-side.js';

/*
 * OpenID4VCI 1.0 pre-authorized code flow, from the wallet's side, with @digitalbazaar/oid4-client (a wallet library,
 * not Tanda's code): resolve the offer, discover the issuer, get an access token with the transaction code read from
 * the outbox, receive the credential and verify it with @digitalbazaar/vc itself.
 */

const ISSUER = 'https://tanda.test';
let t: TestContext;
let f: RplFixture;
let restoreFetch: () => void;

beforeAll(async () => {
  t = await createTestContext();
  ({ f } = await returneeWithAward(t));
  restoreFetch = routeFetchTo(t.app, ISSUER);
});
afterAll(async () => {
  restoreFetch();
  await t.close();
});

interface Offered {
  email: string;
  credentialId: string;
  credential: Record<string, unknown>;
  offerUri: string;
  txCodeSentTo: string;
  expiresAt: string;
}

/** A returnee with an award asks for wallet offers; the outbox delivers the transaction code. */
async function offered(): Promise<Offered> {
  const r = await returneeWithAward(t, f);
  const res = await t.app.inject({ method: 'POST', url: `/me/credentials/${encodeURIComponent(r.credentialId)}/wallet-offers`, headers: r.session });
  expect(res.statusCode, res.body).toBe(201);
  await f.deliver();
  const body = res.json();
  return { email: r.candidate.email, credentialId: r.credentialId, credential: r.credential, offerUri: body.oid4vci.credentialOfferUri, txCodeSentTo: body.oid4vci.txCodeSentTo, expiresAt: body.oid4vci.expiresAt };
}

/**
 * The token request a wallet sends with the transaction code. @digitalbazaar/oid4-client does not send `tx_code`
 * (its source says so), so this step is the wallet's own plain fetch; discovery and the credential request are the
 * library's.
 */
async function tokenRequest(tokenEndpoint: string, code: string, txCode: string | undefined, details?: unknown[]) {
  const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code });
  if (txCode !== undefined) form.set('tx_code', txCode);
  if (details) form.set('authorization_details', JSON.stringify(details));
  const res = await fetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const preAuthorizedCode = (offer: Record<string, unknown>): string =>
  (offer.grants as Record<string, { 'pre-authorized_code': string }>)['urn:ietf:params:oauth:grant-type:pre-authorized_code']!['pre-authorized_code'];

/** A wallet's loader that also holds the Open Badges and Tanda contexts the credential names. */
const walletLoader = () => walletDocumentLoader(new Map([...bundledContexts()].filter(([url]) => !url.startsWith('https://www.w3.org/ns/credentials/'))));

describe('OID4VCI pre-authorized code flow with an independent wallet client', () => {
  it('takes the offer, enters the transaction code from the outbox, receives the award as issued and verifies it', async () => {
    const o = await offered();
    expect(o.offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=https%3A%2F%2Ftanda\.test%2Foid4vci%2Foffers%2F/);
    expect(o.txCodeSentTo).toBe(`${o.email.slice(0, 1)}***@example.org`);

    const offer = await getCredentialOffer({ url: o.offerUri });
    const grant = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
    expect(grant.tx_code).toEqual({ input_mode: 'numeric', length: 6, description: expect.any(String) });
    const { issuerConfig, metadata } = await robustDiscoverIssuer({ issuer: offer.credential_issuer });
    expect(metadata.issuer.credential_configurations_supported.TandaAward_ldp_vc.format).toBe('ldp_vc');

    const txCode = f.transport.lastCodeFor(o.email);
    const token = await tokenRequest(issuerConfig.token_endpoint, grant['pre-authorized_code'], txCode, [{ type: 'openid_credential', credential_configuration_id: 'TandaAward_ldp_vc' }]);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(token.body.authorization_details).toEqual([{ type: 'openid_credential', credential_configuration_id: 'TandaAward_ldp_vc', credential_identifiers: [o.credentialId] }]);

    const client = new OID4Client({ accessToken: String(token.body.access_token), issuerConfig, metadata, offer, authorizationDetails: token.body.authorization_details });
    const result = await client.requestCredentials();
    expect(result.format).toBe('ldp_vc');
    expect(result.credential).toEqual(o.credential);
    expect((result.credential.proof as { cryptosuite: string }).cryptosuite).toBe('eddsa-rdfc-2022');

    // The wallet's own check, with @digitalbazaar/vc and its own loader: the issuer's signature holds.
    const { DataIntegrityProof } = await import('@digitalbazaar/data-integrity');
    const { cryptosuite } = await import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
    const checked = await vc.verifyCredential({ credential: result.credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: walletLoader(), checkStatus: async () => ({ verified: true }) });
    expect(checked.verified, JSON.stringify(checked.error ?? checked.results)).toBe(true);
    // ...and Tanda's verifier gives the same credential its full verdict.
    expect((await t.services.credentials.verify(result.credential)).verified).toBe(true);
  });

  it('a second wallet library (the @openid4vc client) enters the transaction code itself and receives the award', async () => {
    const o = await offered();
    const { Openid4vciClient } = await import('@openid4vc/openid4vci');
    const { clientAuthenticationNone } = await import('@openid4vc/oauth2');
    const unused = () => {
      throw new Error('no JWT in this flow');
    };
    const client = new Openid4vciClient({
      callbacks: {
        fetch: (input, init) => globalThis.fetch(input, init),
        hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
        generateRandom: (n) => randomBytes(n),
        clientAuthentication: clientAuthenticationNone({ clientId: 'test-wallet' }),
        signJwt: unused,
      },
    });
    const offer = await client.resolveCredentialOffer(o.offerUri);
    const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: offer, issuerMetadata, txCode: f.transport.lastCodeFor(o.email) });
    const { credentialResponse } = await client.retrieveCredentials({ issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId: 'TandaAward_ldp_vc' });
    expect((credentialResponse.credentials?.[0] as { credential?: unknown } | undefined)?.credential).toEqual(o.credential);
  });

  it('without authorization_details the credential is asked for by credential_configuration_id', async () => {
    const o = await offered();
    const offer = await getCredentialOffer({ url: o.offerUri });
    const { issuerConfig } = await robustDiscoverIssuer({ issuer: offer.credential_issuer });
    const token = await tokenRequest(issuerConfig.token_endpoint, preAuthorizedCode(offer), f.transport.lastCodeFor(o.email));
    expect(token.status).toBe(200);
    expect(token.body.authorization_details).toBeUndefined();
    const asked = (json: unknown) => fetch(issuerConfig.credential_endpoint, { method: 'POST', headers: { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const wrongId = await asked({ credential_identifier: o.credentialId });
    expect([wrongId.status, ((await wrongId.json()) as { error: string }).error]).toEqual([400, 'invalid_credential_request']);
    const unknown = await asked({ credential_configuration_id: 'Other' });
    expect([unknown.status, ((await unknown.json()) as { error: string }).error]).toEqual([400, 'unknown_credential_configuration']);
    const ok = await asked({ credential_configuration_id: 'TandaAward_ldp_vc' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { credentials: Array<{ credential: unknown }> }).credentials[0]!.credential).toEqual(o.credential);
  });

  it('the wallet library alone (no transaction code) is refused with invalid_request', async () => {
    const o = await offered();
    const offer = await getCredentialOffer({ url: o.offerUri });
    const error = await OID4Client.fromCredentialOffer({ offer }).then(() => undefined, (e: { cause?: { data?: unknown; status?: number } }) => e.cause);
    expect(error?.status).toBe(400);
    expect((error?.data as { error: string }).error).toBe('invalid_request');
  });

  it('a wrong transaction code is invalid_grant; the right one still works after it', async () => {
    const o = await offered();
    const offer = await getCredentialOffer({ url: o.offerUri });
    const right = f.transport.lastCodeFor(o.email);
    const wrong = right === '000000' ? '000001' : '000000';
    const refused = await tokenRequest('https://tanda.test/oid4vci/token', preAuthorizedCode(offer), wrong);
    expect([refused.status, refused.body.error]).toEqual([400, 'invalid_grant']);
    expect(await tokenRequest('https://tanda.test/oid4vci/token', preAuthorizedCode(offer), right)).toMatchObject({ status: 200 });
  });

  it('after the last allowed wrong code even the right one is refused', async () => {
    const o = await offered();
    const offer = await getCredentialOffer({ url: o.offerUri });
    const right = f.transport.lastCodeFor(o.email);
    const wrong = right === '000000' ? '000001' : '000000';
    for (let i = 0; i < MAX_ATTEMPTS; i++) expect((await tokenRequest('https://tanda.test/oid4vci/token', preAuthorizedCode(offer), wrong)).body.error).toBe('invalid_grant');
    const late = await tokenRequest('https://tanda.test/oid4vci/token', preAuthorizedCode(offer), right);
    expect([late.status, late.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('a used pre-authorized code is refused, and so is its offer', async () => {
    const o = await offered();
    const offer = await getCredentialOffer({ url: o.offerUri });
    const code = f.transport.lastCodeFor(o.email);
    expect((await tokenRequest('https://tanda.test/oid4vci/token', preAuthorizedCode(offer), code)).status).toBe(200);
    const again = await tokenRequest('https://tanda.test/oid4vci/token', preAuthorizedCode(offer), code);
    expect([again.status, again.body.error]).toEqual([400, 'invalid_grant']);
    expect((await fetch(new URLSearchParams(o.offerUri.split('?')[1]).get('credential_offer_uri')!)).status).toBe(404);
  });

  it('an expired offer is refused: its URI answers 404 and its code invalid_grant', async () => {
    const o = await offered();
    const offer = await getCredentialOffer({ url: o.offerUri });
    await t.db.kysely.updateTable('wallet_offers').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('credential_id', '=', o.credentialId).execute();
    expect((await fetch(new URLSearchParams(o.offerUri.split('?')[1]).get('credential_offer_uri')!)).status).toBe(404);
    const late = await tokenRequest('https://tanda.test/oid4vci/token', preAuthorizedCode(offer), f.transport.lastCodeFor(o.email));
    expect([late.status, late.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('the credential endpoint wants a live access token: none or an unknown one is invalid_token (401)', async () => {
    const none = await fetch('https://tanda.test/oid4vci/credential', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"credential_configuration_id":"TandaAward_ldp_vc"}' });
    expect([none.status, ((await none.json()) as { error: string }).error, none.headers.get('www-authenticate')]).toEqual([401, 'invalid_token', 'Bearer error="invalid_token"']);
    const unknown = await fetch('https://tanda.test/oid4vci/credential', { method: 'POST', headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' }, body: '{}' });
    expect([unknown.status, ((await unknown.json()) as { error: string }).error]).toEqual([401, 'invalid_token']);
  });

  it('only the holder starts an offer, for a credential that is not revoked', async () => {
    const r = await returneeWithAward(t, f);
    const other = await returneeWithAward(t, f);
    const url = `/me/credentials/${encodeURIComponent(r.credentialId)}/wallet-offers`;
    expect((await t.app.inject({ method: 'POST', url, headers: other.session })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url, headers: f.officer })).json().code).toBe('forbidden');
    await t.services.status.revoke({ credentialId: r.credentialId, actor: await officerOf(t), reason: 'error' });
    const res = await t.app.inject({ method: 'POST', url, headers: r.session });
    expect([res.statusCode, res.json().code]).toEqual([409, 'already_revoked']);
  });

  it('malformed token requests get OAuth error bodies, never Tanda\'s', async () => {
    const post = (body: string, type = 'application/x-www-form-urlencoded') => t.app.inject({ method: 'POST', url: '/oid4vci/token', headers: { 'content-type': type }, payload: body });
    for (const [body, error] of [
      ['grant_type=authorization_code&code=x', 'unsupported_grant_type'],
      ['grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code', 'invalid_request'],
      ['grant_type=a&grant_type=b', 'invalid_request'],
      ['grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code&pre-authorized_code=x&tx_code=1&authorization_details=%5B', 'invalid_authorization_details'],
    ] as const) {
      const res = await post(body);
      expect([res.statusCode, res.json().error], body).toEqual([400, error]);
    }
    const json = await post('{"grant_type":"urn:ietf:params:oauth:grant-type:pre-authorized_code","pre-authorized_code":"x"}', 'application/json');
    expect([json.statusCode, json.json().error]).toEqual([400, 'invalid_request']);
    const text = await post('x', 'text/plain');
    expect([text.statusCode, text.json().error]).toEqual([400, 'invalid_request']);
  });
});
