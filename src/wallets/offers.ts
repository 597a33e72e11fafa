import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { Ed25519Signature2020, suiteContext } from '@digitalbazaar/ed25519-signature-2020';
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { CredentialService } from '../credentials/service.js';
import { verifyPresentation } from '../credentials/presentation.js';
import { TandaError } from '../errors.js';
import type { DocumentLoader } from '../jsonld/loader.js';
import { VC_V2 } from '../jsonld/urls.js';
import { authorize, type Actor } from '../policy/policy.js';
import { appendAudit } from '../rpl/audit.js';
import { newOneTimeCode } from '../rpl/candidate-login.js';
import { maskRecipient, type Outbox } from '../rpl/notifications.js';
import {
  CONFIGURATION_ID,
  OFFER_PATH,
  Oauth2ErrorCodes,
  Oauth2ServerErrorResponseError,
  authorizationServerLibrary,
  issuerLibrary,
  oauthError,
  oid4vciMetadata,
  preAuthorizedCodeGrantIdentifier,
} from './oid4vci.js';
import type { WalletOffersTable } from './tables.js';

/** How long an offer, its transaction code and an exchange stay usable: enough to install a wallet, not a day. */
export const OFFER_TTL_MINUTES = 15;
/** An access token is spent within seconds by a wallet; ten minutes covers a slow connection. */
export const ACCESS_TOKEN_SECONDS = 600;
/** Wrong transaction codes (or failed DID Authentications) before the offer is dead. */
export const MAX_ATTEMPTS = 5;
/** The exchange endpoint's path: a VC API workflow with one step (DID Authentication, then delivery). */
export const EXCHANGE_PATH = '/workflows/credential-delivery/exchanges';
/** The Learner Credential Wallet's universal link; it reads `request` as `{credentialRequestOrigin, protocols}`. */
export const LCW_REQUEST_URL = 'https://lcw.app/request.html';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: string, keylen: number) => Promise<Buffer>;
const sha256 = (value: string): string => crypto.createHash('sha256').update(value).digest('hex');
/** 256 bits, URL-safe: what a wallet holds (pre-authorized code, exchange id, access token). */
const handle = (): string => crypto.randomBytes(32).toString('base64url');

export interface WalletDeps {
  db: Db;
  credentials: CredentialService;
  outbox: Outbox;
  documentLoader: DocumentLoader;
  publicUrl: string;
}

/** What POST /me/credentials/:id/wallet-offers answers (the returnee's page codes against it). */
export interface WalletOffers {
  oid4vci: { credentialOfferUri: string; txCodeSentTo: string; expiresAt: string };
  vcapi: { deepLink: string; expiresAt: string };
}

/**
 * Both ways into a wallet for one credential, made at once: an OID4VCI offer whose transaction code goes to the
 * returnee's e-mail (or phone) on file through the outbox, and a VC API exchange for the Learner Credential Wallet.
 * Only the credential's holder may ask (the policy's `offer_to_wallet`); all of it is one transaction.
 */
export async function createWalletOffers(deps: WalletDeps, actor: Actor, credentialId: string): Promise<WalletOffers> {
  const stored = (await deps.credentials.find(credentialId)) ?? (await deps.credentials.find(`urn:uuid:${credentialId}`));
  if (!stored) throw new TandaError('not_found', 'no credential with that id');
  authorize(actor, 'offer_to_wallet', { kind: 'credential', issuerId: stored.issuerId, holderUserId: stored.holderUserId });
  // A revoked credential (a replaced one included: its replacement is the one to carry) is not sent to a wallet.
  const revoked = await deps.db.kysely.selectFrom('revocations').select('reason').where('credential_id', '=', stored.id).executeTakeFirst();
  if (revoked) throw new TandaError('already_revoked', `this credential was revoked (${revoked.reason}); a wallet would only show it as revoked`);
  const holder = stored.holderUserId as string;
  const contact = await deps.db.kysely
    .selectFrom('candidates')
    .select(['email', 'phone'])
    .where('user_id', '=', holder)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  const recipient = contact?.email ?? contact?.phone;
  if (!contact || !recipient) throw new TandaError('precondition_failed', 'there is no e-mail or phone on file to send the wallet code to');

  const now = new Date();
  const expiresAt = new Date(now.getTime() + OFFER_TTL_MINUTES * 60_000).toISOString();
  const code = handle();
  const exchange = handle();
  const tx = await newOneTimeCode();
  const base: Omit<WalletOffersTable, 'id' | 'protocol' | 'tx_code_hash' | 'tx_code_salt' | 'challenge'> = {
    credential_id: stored.id,
    holder_user_id: holder,
    attempts: 0,
    access_token_hash: null,
    access_expires_at: null,
    credential_identifiers: 0,
    wallet_did: null,
    expires_at: expiresAt,
    redeemed_at: null,
    delivered_at: null,
    created_at: nowIso(),
  };
  await deps.db.kysely.transaction().execute(async (trx) => {
    await trx.insertInto('wallet_offers').values({ ...base, id: sha256(code), protocol: 'oid4vci', tx_code_hash: tx.hash, tx_code_salt: tx.salt, challenge: null }).execute();
    await trx.insertInto('wallet_offers').values({ ...base, id: sha256(exchange), protocol: 'vcapi', tx_code_hash: null, tx_code_salt: null, challenge: crypto.randomUUID() }).execute();
    await deps.outbox.enqueue(trx, {
      channel: contact.email ? 'email' : 'sms',
      recipient,
      template: 'wallet_tx_code',
      subject: 'Your code to add your certificate to a wallet',
      body: `Your Tanda wallet code is ${tx.code}. Enter it in your wallet app to receive your certificate. It expires in ${OFFER_TTL_MINUTES} minutes. Do not share it.`,
      expiresAt,
    });
    await appendAudit(trx, deps.db.dialect, {
      actorId: actor.id,
      action: 'wallet.offer',
      subjectId: stored.id,
      data: { oid4vciOffer: sha256(code).slice(0, 16), vcapiExchange: sha256(exchange).slice(0, 16), expiresAt, channel: contact.email ? 'email' : 'sms' },
    });
  });

  const offerUrl = `${deps.publicUrl}${OFFER_PATH}/${code}`;
  const request = { credentialRequestOrigin: new URL(deps.publicUrl).origin, protocols: { vcapi: `${deps.publicUrl}${EXCHANGE_PATH}/${exchange}` } };
  return {
    oid4vci: { credentialOfferUri: `openid-credential-offer://?${new URLSearchParams({ credential_offer_uri: offerUrl })}`, txCodeSentTo: maskRecipient(recipient), expiresAt },
    vcapi: { deepLink: `${LCW_REQUEST_URL}?${new URLSearchParams({ request: JSON.stringify(request) })}`, expiresAt },
  };
}

/** A live row for a handle: unknown, expired, spent and exhausted look the same to the caller. */
async function liveOffer(db: Db, protocol: WalletOffersTable['protocol'], wallet: string): Promise<WalletOffersTable | undefined> {
  const row = await db.kysely.selectFrom('wallet_offers').selectAll().where('id', '=', sha256(wallet)).where('protocol', '=', protocol).executeTakeFirst();
  if (!row || row.redeemed_at !== null || row.expires_at <= nowIso() || row.attempts >= MAX_ATTEMPTS) return undefined;
  return row;
}

/**
 * The credential offer object behind `credential_offer_uri` (OID4VCI 1.0 §4.1.3). Whoever holds the offer URI holds
 * the pre-authorized code, which is why the code is the URI's own handle and why the transaction code, sent by the
 * other channel, is required to redeem it.
 */
export async function credentialOffer(deps: Pick<WalletDeps, 'db' | 'publicUrl'>, code: string): Promise<Record<string, unknown>> {
  if (!(await liveOffer(deps.db, 'oid4vci', code))) throw new TandaError('not_found', 'no such offer, or it has expired or been used');
  const { credentialOfferObject } = await issuerLibrary.createCredentialOffer({
    issuerMetadata: oid4vciMetadata(deps.publicUrl).result,
    credentialConfigurationIds: [CONFIGURATION_ID],
    grants: {
      [preAuthorizedCodeGrantIdentifier]: {
        'pre-authorized_code': code,
        tx_code: { input_mode: 'numeric', length: 6, description: 'The 6-digit code Tanda sent to your e-mail or phone' },
      },
    },
  });
  return credentialOfferObject;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  authorization_details?: Array<{ type: 'openid_credential'; credential_configuration_id: string; credential_identifiers: string[] }>;
}

/** `authorization_details` of a token request (RFC 9396, OID4VCI 1.0 §5.1.1), or undefined when not given. */
function requestedDetails(raw: unknown): true | undefined {
  if (raw === undefined) return undefined;
  let details: unknown = raw;
  if (typeof raw === 'string') {
    try {
      details = JSON.parse(raw);
    } catch {
      throw oauthError('invalid_authorization_details', 'authorization_details is not JSON');
    }
  }
  const ok = Array.isArray(details) && details.length > 0
    && details.every((d) => d && typeof d === 'object' && (d as { type?: unknown }).type === 'openid_credential' && (d as { credential_configuration_id?: unknown }).credential_configuration_id === CONFIGURATION_ID);
  if (!ok) throw oauthError('invalid_authorization_details', `authorization_details must name type openid_credential and credential_configuration_id ${CONFIGURATION_ID}`);
  return true;
}

/**
 * The token endpoint (OID4VCI 1.0 §6): the pre-authorized code and the transaction code for an opaque access token.
 * Each try is counted before the comparison (conditionally, so parallel guesses cannot pass the limit); after
 * MAX_ATTEMPTS wrong codes the offer is dead. The code is single-use. Errors are OAuth error responses.
 */
export async function redeemPreAuthorizedCode(
  deps: Pick<WalletDeps, 'db' | 'publicUrl'>,
  input: { body: unknown; headers: Record<string, string | string[] | undefined>; url: string },
): Promise<TokenResponse> {
  const metadata = oid4vciMetadata(deps.publicUrl);
  const headers = new Headers();
  for (const [k, v] of Object.entries(input.headers)) if (typeof v === 'string') headers.set(k, v);
  const request = { headers, method: 'POST' as const, url: `${deps.publicUrl}${input.url}` };
  const parsed = authorizationServerLibrary.parseAccessTokenRequest({ accessTokenRequest: (input.body ?? {}) as Record<string, unknown>, request });
  if (parsed.grant.grantType !== preAuthorizedCodeGrantIdentifier) {
    throw oauthError(Oauth2ErrorCodes.UnsupportedGrantType, `only the ${preAuthorizedCodeGrantIdentifier} grant is supported`);
  }
  const grant = parsed.grant;
  const details = requestedDetails((parsed.accessTokenRequest as Record<string, unknown>).authorization_details);
  const refused = () => oauthError(Oauth2ErrorCodes.InvalidGrant, 'the pre-authorized code is unknown, expired or already used');
  const row = await liveOffer(deps.db, 'oid4vci', grant.preAuthorizedCode);
  if (!row) throw refused();
  const counted = await deps.db.kysely
    .updateTable('wallet_offers')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', row.id)
    .where('attempts', '<', MAX_ATTEMPTS)
    .where('redeemed_at', 'is', null)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) !== 1) throw refused();
  // The library compares the codes and dates and picks the OID4VCI error (invalid_request for a missing tx_code,
  // invalid_grant for a wrong one); it is given the scrypt hashes, never the stored code, which Tanda does not have.
  const given = grant.txCode === undefined ? undefined : (await scrypt(grant.txCode, row.tx_code_salt as string, 32)).toString('hex');
  try {
    await authorizationServerLibrary.verifyPreAuthorizedCodeAccessTokenRequest({
      grant: { ...grant, ...(given === undefined ? {} : { txCode: given }) },
      accessTokenRequest: parsed.accessTokenRequest,
      request,
      expectedPreAuthorizedCode: grant.preAuthorizedCode,
      expectedTxCode: row.tx_code_hash as string,
      preAuthorizedCodeExpiresAt: new Date(row.expires_at),
      authorizationServerMetadata: metadata.authorizationServer,
    });
  } catch (e) {
    await deps.db.kysely.transaction().execute((tx) =>
      appendAudit(tx, deps.db.dialect, { actorId: null, action: 'wallet.tx_code_refused', subjectId: row.credential_id, data: { offer: row.id.slice(0, 16), attempt: row.attempts + 1 } }),
    );
    throw e;
  }
  const token = handle();
  const expiresAt = new Date(Date.now() + ACCESS_TOKEN_SECONDS * 1000).toISOString();
  await deps.db.kysely.transaction().execute(async (tx) => {
    const used = await tx
      .updateTable('wallet_offers')
      .set({ redeemed_at: nowIso(), access_token_hash: sha256(token), access_expires_at: expiresAt, credential_identifiers: details ? 1 : 0 })
      .where('id', '=', row.id)
      .where('redeemed_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw refused();
    await appendAudit(tx, deps.db.dialect, { actorId: null, action: 'wallet.code_redeemed', subjectId: row.credential_id, data: { offer: row.id.slice(0, 16) } });
  });
  return {
    access_token: token,
    // RFC 6749 §5.1: case-insensitive; lower case because @digitalbazaar/oid4-client accepts nothing else.
    token_type: 'bearer',
    expires_in: ACCESS_TOKEN_SECONDS,
    ...(details ? { authorization_details: [{ type: 'openid_credential' as const, credential_configuration_id: CONFIGURATION_ID, credential_identifiers: [row.credential_id] }] } : {}),
  };
}

/** RFC 6750 §3.1: a missing, unknown or expired access token is `invalid_token` with 401. */
const invalidToken = (description: string) => oauthError('invalid_token', description, 401);

/**
 * The credential endpoint (OID4VCI 1.0 §8): the stored, signed award exactly as issued. A request names it by
 * `credential_identifier` when the token response gave identifiers, else by `credential_configuration_id` (§8.2).
 * Proofs a wallet sends anyway are ignored: the award is not bound to a wallet key (docs/wallets.md says why).
 */
export async function deliverCredential(
  deps: Pick<WalletDeps, 'db' | 'credentials' | 'publicUrl'>,
  input: { authorization: string | undefined; body: unknown },
): Promise<Record<string, unknown>> {
  const token = input.authorization ? /^Bearer\s+(\S+)$/i.exec(input.authorization)?.[1] : undefined;
  if (!token) throw invalidToken('a bearer access token from the token endpoint is required');
  const row = await deps.db.kysely
    .selectFrom('wallet_offers')
    .selectAll()
    .where('access_token_hash', '=', sha256(token))
    .where('protocol', '=', 'oid4vci')
    .executeTakeFirst();
  if (!row || !row.access_expires_at || row.access_expires_at <= nowIso()) throw invalidToken('the access token is unknown or expired');
  const body = input.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw oauthError(Oauth2ErrorCodes.InvalidCredentialRequest, 'the credential request must be a JSON object');
  const configurationId = (body as Record<string, unknown>).credential_configuration_id;
  if (typeof configurationId === 'string' && configurationId !== CONFIGURATION_ID) {
    throw oauthError('unknown_credential_configuration', `this issuer offers only ${CONFIGURATION_ID}`);
  }
  const parsed = issuerLibrary.parseCredentialRequest({ issuerMetadata: oid4vciMetadata(deps.publicUrl).result, credentialRequest: body as Record<string, unknown> });
  if (row.credential_identifiers) {
    if (parsed.credentialIdentifier === undefined) throw oauthError(Oauth2ErrorCodes.InvalidCredentialRequest, 'the token response gave credential_identifiers: name one as credential_identifier');
    if (parsed.credentialIdentifier !== row.credential_id) throw oauthError('unknown_credential_identifier', 'this access token is not for that credential');
  } else {
    if (parsed.credentialIdentifier !== undefined) throw oauthError(Oauth2ErrorCodes.InvalidCredentialRequest, 'no credential_identifiers were issued with this token: use credential_configuration_id');
    if (parsed.credentialConfigurationId !== CONFIGURATION_ID) throw oauthError(Oauth2ErrorCodes.InvalidCredentialRequest, `credential_configuration_id ${CONFIGURATION_ID} is required`);
  }
  const stored = await deps.credentials.find(row.credential_id);
  if (!stored) throw invalidToken('the credential of this access token no longer exists');
  const response = issuerLibrary.createCredentialResponse({ credentialRequest: parsed, credentials: [{ credential: stored.document }] });
  await deps.db.kysely.transaction().execute(async (tx) => {
    await tx.updateTable('wallet_offers').set({ delivered_at: nowIso() }).where('id', '=', row.id).where('delivered_at', 'is', null).execute();
    await appendAudit(tx, deps.db.dialect, { actorId: null, action: 'wallet.credential_delivered', subjectId: row.credential_id, data: { protocol: 'oid4vci', offer: row.id.slice(0, 16) } });
  });
  return response as Record<string, unknown>;
}

export { Oauth2ServerErrorResponseError };

/**
 * One interaction with a VC API exchange (VC API §3.6 "Exchanges", the way the Learner Credential Wallet receives a
 * credential): an empty body starts it and gets a `verifiablePresentationRequest` for DID Authentication; the DID
 * Authentication presentation (signed by the wallet's did:key for this challenge and domain) gets the credential in
 * a presentation. The exchange is single-use, expires, and dies after MAX_ATTEMPTS failed authentications.
 */
export async function exchangeStep(
  deps: Pick<WalletDeps, 'db' | 'credentials' | 'documentLoader' | 'publicUrl'>,
  exchange: string,
  body: { verifiablePresentation?: unknown },
): Promise<Record<string, unknown>> {
  const gone = () => new TandaError('not_found', 'no such exchange, or it has expired or been completed');
  const row = await liveOffer(deps.db, 'vcapi', exchange);
  if (!row) throw gone();
  const domain = new URL(deps.publicUrl).origin;
  const challenge = row.challenge as string;
  if (body.verifiablePresentation === undefined) {
    return {
      verifiablePresentationRequest: {
        query: [{ type: 'DIDAuthentication', acceptedMethods: [{ method: 'key' }], acceptedCryptosuites: [{ cryptosuite: 'eddsa-rdfc-2022' }, { cryptosuite: 'Ed25519Signature2020' }] }],
        challenge,
        domain,
        interact: { service: [{ type: 'UnmediatedHttpPresentationService2021', serviceEndpoint: `${deps.publicUrl}${EXCHANGE_PATH}/${exchange}` }] },
      },
    };
  }
  const vp = body.verifiablePresentation;
  const result = await verifyPresentation(vp, {
    documentLoader: didAuthLoader(deps.documentLoader),
    challenge,
    domain,
    verifyCredential: (c) => deps.credentials.verify(c),
    presentationSuites: [new Ed25519Signature2020()],
  });
  const holder = holderDid(vp);
  const failed = !result.verified ? result.presentation.checks.find((c) => !c.valid)?.message ?? 'the presentation does not verify' : holder ? undefined : 'the presentation must name its holder, a did:key, and be signed by that DID';
  if (failed) {
    await deps.db.kysely.transaction().execute(async (tx) => {
      await tx.updateTable('wallet_offers').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', row.id).execute();
      await appendAudit(tx, deps.db.dialect, { actorId: null, action: 'wallet.did_auth_refused', subjectId: row.credential_id, data: { exchange: row.id.slice(0, 16) } });
    });
    throw new TandaError('verification_failed', `DID Authentication failed: ${failed}`, { details: { checks: result.presentation.checks } });
  }
  const stored = await deps.credentials.find(row.credential_id);
  if (!stored) throw gone();
  await deps.db.kysely.transaction().execute(async (tx) => {
    const now = nowIso();
    const used = await tx
      .updateTable('wallet_offers')
      .set({ redeemed_at: now, delivered_at: now, wallet_did: holder as string })
      .where('id', '=', row.id)
      .where('redeemed_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw gone();
    await appendAudit(tx, deps.db.dialect, { actorId: null, action: 'wallet.credential_delivered', subjectId: row.credential_id, data: { protocol: 'vcapi', exchange: row.id.slice(0, 16), walletDid: holder as string } });
  });
  return { verifiablePresentation: { '@context': [VC_V2], type: ['VerifiablePresentation'], verifiableCredential: [stored.document] } };
}

/**
 * DID Authentication is accepted signed with Data Integrity `eddsa-rdfc-2022` or with the legacy `Ed25519Signature2020`
 * suite, which the Learner Credential Wallet signs with. That suite's context comes from its own package (pinned by
 * the lock file, offline) and is added for this check only: no credential Tanda verifies may use it.
 */
const LEGACY_SUITE_CONTEXT = { url: suiteContext.CONTEXT_URL, document: suiteContext.CONTEXT };
function didAuthLoader(documentLoader: DocumentLoader): DocumentLoader {
  return async (url) =>
    url === LEGACY_SUITE_CONTEXT.url ? { contextUrl: null, documentUrl: url, document: LEGACY_SUITE_CONTEXT.document } : documentLoader(url);
}

/** The presentation's holder when it is a did:key that also controls every proof's verification method. */
function holderDid(vp: unknown): string | undefined {
  const p = vp as { holder?: unknown; proof?: unknown };
  const holder = typeof p.holder === 'string' ? p.holder : (p.holder as { id?: unknown } | undefined)?.id;
  if (typeof holder !== 'string' || !holder.startsWith('did:key:')) return undefined;
  const proofs = ([] as unknown[]).concat(p.proof ?? []);
  const signedByHolder = proofs.length > 0 && proofs.every((proof) => String((proof as { verificationMethod?: unknown }).verificationMethod ?? '').split('#')[0] === holder);
  return signedByHolder ? holder : undefined;
}
