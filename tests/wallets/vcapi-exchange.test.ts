import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledContexts } from '../../src/jsonld/index.js';
import { createSession } from '../../src/rpl/sessions.js';
import { MAX_ATTEMPTS } from '../../src/wallets/offers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import type { RplFixture } from '../rpl/fixtures.js';
import { lcwStyleDid, returneeWithAward, routeFetchTo, walletDid, walletDocumentLoader } from './wallet-side.js';

/*
 * The VC API exchange as the Learner Credential Wallet runs it (app/lib/exchanges.ts there): read the exchange URL
 * from the deep link's `request.protocols.vcapi`, POST `{}`, answer the DID Authentication request with a
 * presentation signed by the wallet's did:key, and take the credential from the returned presentation. The wallet
 * side is @digitalbazaar/vc, @digitalbazaar/ed25519-multikey and plain fetch.
 */

let t: TestContext;
let f: RplFixture;
let restoreFetch: () => void;

beforeAll(async () => {
  t = await createTestContext();
  ({ f } = await returneeWithAward(t));
  restoreFetch = routeFetchTo(t.app, 'https://tanda.test');
});
afterAll(async () => {
  restoreFetch();
  await t.close();
});

/** A fresh offer; returns the exchange URL as the wallet reads it from the deep link. */
async function exchangeFromDeepLink() {
  const r = await returneeWithAward(t, f);
  const res = await t.app.inject({ method: 'POST', url: `/me/credentials/${encodeURIComponent(r.credentialId)}/wallet-offers`, headers: r.session });
  expect(res.statusCode, res.body).toBe(201);
  const deepLink = new URL(res.json().vcapi.deepLink);
  expect(deepLink.origin + deepLink.pathname).toBe('https://lcw.app/request.html');
  const request = JSON.parse(deepLink.searchParams.get('request')!) as { credentialRequestOrigin: string; protocols: { vcapi: string } };
  expect(request.credentialRequestOrigin).toBe('https://tanda.test');
  return { url: request.protocols.vcapi, credential: r.credential, credentialId: r.credentialId };
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

describe('VC API exchange (Learner Credential Wallet)', () => {
  it('DID Authentication by the wallet\'s did:key receives the award as issued, which the wallet verifies', async () => {
    const { url, credential } = await exchangeFromDeepLink();
    const started = await post(url, {});
    expect(started.status).toBe(200);
    const vpr = started.body.verifiablePresentationRequest;
    expect(vpr.query[0].type).toBe('DIDAuthentication');
    expect(vpr.interact.service[0].serviceEndpoint).toBe(url);

    const wallet = await walletDid();
    const verifiablePresentation = await wallet.didAuth({ challenge: vpr.challenge, domain: vpr.domain });
    const done = await post(vpr.interact.service[0].serviceEndpoint, { verifiablePresentation });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const received = done.body.verifiablePresentation.verifiableCredential[0];
    expect(received).toEqual(credential);

    const loader = walletDocumentLoader(new Map([...bundledContexts()].filter(([u]) => !u.startsWith('https://www.w3.org/ns/credentials/'))));
    const checked = await vc.verifyCredential({ credential: received, suite: new DataIntegrityProof({ cryptosuite }), documentLoader: loader, checkStatus: async () => ({ verified: true }) });
    expect(checked.verified).toBe(true);
    const audit = await t.db.kysely.selectFrom('audit_log').select('data').where('action', '=', 'wallet.credential_delivered').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.data as string).walletDid).toBe(wallet.did);
  });

  it('a DID Authentication signed as the Learner Credential Wallet signs it (Ed25519Signature2020, VC 1.1) is accepted too', async () => {
    const { url, credential } = await exchangeFromDeepLink();
    const vpr = (await post(url, {})).body.verifiablePresentationRequest;
    const wallet = await lcwStyleDid();
    const verifiablePresentation = await wallet.didAuth({ challenge: vpr.challenge, domain: vpr.domain });
    expect((verifiablePresentation.proof as { type: string }).type).toBe('Ed25519Signature2020');
    const done = await post(url, { verifiablePresentation });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.verifiablePresentation.verifiableCredential[0]).toEqual(credential);
  });

  it('the exchange is single-use: after delivery it is gone', async () => {
    const { url } = await exchangeFromDeepLink();
    const vpr = (await post(url, {})).body.verifiablePresentationRequest;
    const wallet = await walletDid();
    expect((await post(url, { verifiablePresentation: await wallet.didAuth({ challenge: vpr.challenge, domain: vpr.domain }) })).status).toBe(200);
    expect((await post(url, {})).status).toBe(404);
    expect((await post(url, { verifiablePresentation: await wallet.didAuth({ challenge: vpr.challenge, domain: vpr.domain }) })).status).toBe(404);
  });

  it('a presentation for another challenge, or whose holder is not its signer, is refused', async () => {
    const { url } = await exchangeFromDeepLink();
    const vpr = (await post(url, {})).body.verifiablePresentationRequest;
    const wallet = await walletDid();
    const stranger = await walletDid();
    const wrongChallenge = await post(url, { verifiablePresentation: await wallet.didAuth({ challenge: 'another', domain: vpr.domain }) });
    expect([wrongChallenge.status, wrongChallenge.body.code]).toEqual([400, 'verification_failed']);
    const wrongHolder = await post(url, { verifiablePresentation: await wallet.didAuth({ challenge: vpr.challenge, domain: vpr.domain, holder: stranger.did }) });
    expect([wrongHolder.status, wrongHolder.body.code]).toEqual([400, 'verification_failed']);
    const unsigned = await post(url, { verifiablePresentation: vc.createPresentation({ holder: wallet.did }) });
    expect([unsigned.status, unsigned.body.code]).toEqual([400, 'verification_failed']);
    // Still open for the real wallet after those refusals.
    expect((await post(url, { verifiablePresentation: await wallet.didAuth({ challenge: vpr.challenge, domain: vpr.domain }) })).status).toBe(200);
  });

  it('after the allowed failed authentications the exchange is dead', async () => {
    const { url } = await exchangeFromDeepLink();
    const vpr = (await post(url, {})).body.verifiablePresentationRequest;
    const wallet = await walletDid();
    for (let i = 0; i < MAX_ATTEMPTS; i++) expect((await post(url, { verifiablePresentation: await wallet.didAuth({ challenge: 'wrong', domain: vpr.domain }) })).status).toBe(400);
    expect((await post(url, { verifiablePresentation: await wallet.didAuth({ challenge: vpr.challenge, domain: vpr.domain }) })).status).toBe(404);
  });

  it('an expired exchange is refused', async () => {
    const { url, credentialId } = await exchangeFromDeepLink();
    await t.db.kysely.updateTable('wallet_offers').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('credential_id', '=', credentialId).execute();
    expect((await post(url, {})).status).toBe(404);
  });

  it('erasing the returnee ends their pending exchange', async () => {
    const { url, credentialId } = await exchangeFromDeepLink();
    const holder = (await t.services.credentials.find(credentialId))!.holderUserId!;
    const candidate = await t.db.kysely.selectFrom('candidates').select('id').where('user_id', '=', holder).executeTakeFirstOrThrow();
    const session = { authorization: `Bearer ${(await createSession(t.db.kysely, holder, 10)).token}` };
    const erased = await t.app.inject({ method: 'POST', url: `/candidates/${candidate.id}/erasure`, headers: session });
    expect(erased.statusCode, erased.body).toBeLessThan(300);
    expect((await post(url, {})).status).toBe(404);
  });

  it('an unknown exchange and unknown fields are refused with Tanda\'s errors', async () => {
    expect((await post('https://tanda.test/workflows/credential-delivery/exchanges/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {})).status).toBe(404);
    const { url } = await exchangeFromDeepLink();
    const extra = await post(url, { surprise: true });
    expect([extra.status, extra.body.code]).toEqual([400, 'unknown_field']);
  });
});
