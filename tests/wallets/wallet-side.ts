import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { Ed25519Signature2020, suiteContext } from '@digitalbazaar/ed25519-signature-2020';
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import type { FastifyInstance } from 'fastify';
import { JsonLdDocumentLoader } from 'jsonld-document-loader';
import { issueAward } from '../../src/awards/award-service.js';
import type { TestContext } from '../helpers/app.js';
import { officerOf } from '../helpers/credentials.js';
import { HOUSEKEEPING, HOUSEKEEPING_UNITS, rplFixture, type RplFixture } from '../rpl/fixtures.js';

/*
 * The wallet side of the wallet tests, written only with outside libraries (@digitalbazaar/vc, ed25519-multikey,
 * jsonld-document-loader, the context packages, plain fetch), never Tanda's code: what a real wallet would have.
 */

/**
 * Sends the wallet's fetch calls for `origin` into the app (app.inject) instead of onto the network, so a wallet
 * library runs unchanged against the real routes while tests stay hermetic. Returns the function that restores fetch.
 */
export function routeFetchTo(app: FastifyInstance, origin: string): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = input instanceof Request && !init ? input : new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== origin) return original(input, init);
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : Buffer.from(await request.arrayBuffer());
    const res = await app.inject({
      method: request.method as 'GET' | 'POST',
      url: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(request.headers),
      ...(body?.length ? { payload: body } : {}),
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : String(v));
    return new Response(res.rawPayload.length ? new Uint8Array(res.rawPayload) : null, { status: res.statusCode, headers });
  }) as typeof fetch;
  return () => {
    globalThis.fetch = original;
  };
}

/** A wallet's document loader: the W3C contexts from their packages and did:key documents made from the key. */
export function walletDocumentLoader(extra: ReadonlyMap<string, object> = new Map()) {
  const loader = new JsonLdDocumentLoader();
  for (const [url, doc] of [...credentialsContexts, ...dataIntegrityContexts, ...extra]) loader.addStatic(url, structuredClone(doc));
  loader.setProtocolHandler({
    protocol: 'did',
    handler: {
      async get({ url }: { url: string }) {
        const fp = url.slice('did:key:'.length).split('#')[0]!;
        const vm = { id: `did:key:${fp}#${fp}`, type: 'Multikey', controller: `did:key:${fp}`, publicKeyMultibase: fp };
        return url.includes('#')
          ? { '@context': 'https://w3id.org/security/multikey/v1', ...vm }
          : { '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id: `did:key:${fp}`, verificationMethod: [vm], authentication: [vm.id], assertionMethod: [vm.id] };
      },
    },
  });
  return loader.build();
}

/** The wallet's own did:key and a DID Authentication presentation for a VC API request's challenge and domain. */
export async function walletDid() {
  const pair = await Ed25519Multikey.generate();
  const e = await pair.export({ publicKey: true, includeContext: false });
  const did = `did:key:${e.publicKeyMultibase}`;
  const key = await Ed25519Multikey.from({ ...(await pair.export({ publicKey: true, secretKey: true, includeContext: false })), id: `${did}#${e.publicKeyMultibase}`, controller: did });
  return {
    did,
    async didAuth(options: { challenge: string; domain: string; holder?: string }) {
      const presentation = vc.createPresentation({ holder: options.holder ?? did });
      const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 });
      return vc.signPresentation({ presentation, suite, challenge: options.challenge, domain: options.domain, documentLoader: walletDocumentLoader() });
    },
  };
}

/**
 * A wallet that signs as the Learner Credential Wallet does (its `ExchangeCredentials` screen): an
 * Ed25519VerificationKey2020 did:key, the legacy Ed25519Signature2020 suite, a VC 1.1 presentation.
 */
export async function lcwStyleDid() {
  const key = await Ed25519VerificationKey2020.generate();
  const did = `did:key:${key.fingerprint()}`;
  key.controller = did;
  key.id = `${did}#${key.fingerprint()}`;
  return {
    did,
    async didAuth(options: { challenge: string; domain: string }) {
      const presentation = vc.createPresentation({ holder: did, version: 1.0 });
      const loader = walletDocumentLoader(new Map([[suiteContext.CONTEXT_URL, suiteContext.CONTEXT]]));
      return vc.signPresentation({ presentation, suite: new Ed25519Signature2020({ key }), challenge: options.challenge, domain: options.domain, documentLoader: loader });
    },
  };
}

/** A returnee with an e-mail on file, signed in, holding a freshly issued award. */
export async function returneeWithAward(t: TestContext, f?: RplFixture) {
  const fixture = f ?? (await rplFixture(t));
  const candidate = await fixture.registerCandidate();
  const session = await fixture.candidateSession(candidate.email);
  const award = await issueAward(t.services, await officerOf(t), {
    issuerId: t.issuer.id, qualificationId: HOUSEKEEPING, achievedUnitIds: HOUSEKEEPING_UNITS, holder: { name: 'Maricel Dela Cruz' }, holderUserId: candidate.userId,
  });
  return { f: fixture, candidate, session, credentialId: String(award.credential.id), credential: award.credential as Record<string, unknown> };
}

/**
 * A wallet takes an OID4VCI offer URI and the transaction code the returnee typed in: @digitalbazaar/oid4-client
 * resolves the offer, discovers the issuer and asks for the credential; the token request is plain fetch (that
 * library does not send `tx_code`). Returns the credential the wallet received.
 */
export async function walletTakesOffer(offerUri: string, txCode: string): Promise<Record<string, unknown>> {
  const { OID4Client, getCredentialOffer, robustDiscoverIssuer } = await import('@digitalbazaar/oid4-client');
  const offer = await getCredentialOffer({ url: offerUri });
  const grant = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
  const { issuerConfig, metadata } = await robustDiscoverIssuer({ issuer: offer.credential_issuer });
  const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': grant['pre-authorized_code'], tx_code: txCode });
  form.set('authorization_details', JSON.stringify([{ type: 'openid_credential', credential_configuration_id: offer.credential_configuration_ids[0] }]));
  const res = await fetch(issuerConfig.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const token = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`token request refused: ${res.status} ${JSON.stringify(token)}`);
  const client = new OID4Client({ accessToken: String(token.access_token), issuerConfig, metadata, offer, authorizationDetails: token.authorization_details });
  const result = await client.requestCredentials();
  return result.credential as Record<string, unknown>;
}
