import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../errors.js';
import { CREDENTIAL_PATH, OFFER_PATH, TOKEN_PATH, oauthError, oid4vciMetadata } from '../../wallets/oid4vci.js';
import {
  EXCHANGE_PATH,
  Oauth2ServerErrorResponseError,
  createWalletOffers,
  credentialOffer,
  deliverCredential,
  exchangeStep,
  redeemPreAuthorizedCode,
  type WalletDeps,
} from '../../wallets/offers.js';
import { actorOf, signedIn } from '../access.js';

const oauthErrorSchema = {
  description: 'OAuth 2.0 / OID4VCI error response: `{error, error_description}` (RFC 6749 §5.2, OID4VCI 1.0 §6.3 and §8.3.1)',
  type: 'object',
  properties: { error: { type: 'string' }, error_description: { type: 'string' } },
  required: ['error'],
} as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const handleParam = (name: string) => ({ type: 'object', required: [name], properties: { [name]: { type: 'string', minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' } } });

/**
 * The OAuth endpoints answer every client error with an OAuth error body, not Tanda's `{code, message}`: wallets
 * parse `error` (docs/conformance.md lists this exception). Malformed bodies, unsupported media types and rate limits
 * are `invalid_request` with Fastify's 4xx status; a server fault stays Tanda's `internal` answer.
 */
function oauthErrors(error: FastifyError | Oauth2ServerErrorResponseError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('cache-control', 'no-store');
  if (error instanceof Oauth2ServerErrorResponseError) {
    if (error.status === 401) reply.header('www-authenticate', `Bearer error="${error.errorResponse.error}"`);
    return reply.status(error.status).send(error.errorResponse);
  }
  const status = (error as FastifyError).statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.status(status).send({ error: 'invalid_request', error_description: status === 429 ? 'too many requests' : error.message });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send({ code: 'internal', message: ERRORS.internal.message, requestId: request.id });
}

/**
 * Standard wallets (docs/wallets.md): OpenID4VCI 1.0 pre-authorized code flow and a VC API exchange for the Learner
 * Credential Wallet, both delivering a returnee's award exactly as issued. The returnee starts both from their page;
 * the protocol endpoints are anonymous by nature: what authorises a wallet is the handle it holds (and, for OID4VCI,
 * the transaction code sent to the returnee's e-mail or phone).
 */
export const walletRoutes: FastifyPluginAsync = async (app) => {
  const { db, credentials, documentLoader, rpl, config } = app.services;
  const deps: WalletDeps = { db, credentials, outbox: rpl.outbox, documentLoader, publicUrl: config.publicUrl };

  // RFC 6749 §4.1.3: token requests are form-encoded; a parameter given twice is invalid (§3.1).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const params = new URLSearchParams(body as string);
    const keys = [...params.keys()];
    if (new Set(keys).size !== keys.length) {
      done(Object.assign(new Error('a parameter appears more than once'), { statusCode: 400 }), undefined);
      return;
    }
    done(null, Object.fromEntries(params));
  });

  app.post<{ Params: { id: string } }>('/me/credentials/:id/wallet-offers', {
    onRequest: signedIn,
    // Each call sends a message to the returnee: bounded per account, not per address.
    config: { rateLimit: { max: 10, timeWindow: '15 minutes', hook: 'preHandler', keyGenerator: (r) => `wallet-offer:${r.user?.id ?? r.ip}` } },
    onResponse: async () => rpl.outbox.wake(),
    schema: {
      tags: ['wallets'],
      summary: 'The signed-in returnee sends one of their credentials to a wallet: an OID4VCI offer (its transaction code goes to their e-mail or phone) and a VC API exchange for the Learner Credential Wallet',
      security: [{ bearer: [] }],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: {
        201: {
          type: 'object',
          required: ['oid4vci', 'vcapi'],
          properties: {
            oid4vci: {
              type: 'object',
              required: ['credentialOfferUri', 'txCodeSentTo', 'expiresAt'],
              properties: {
                credentialOfferUri: { type: 'string', description: '`openid-credential-offer://?credential_offer_uri=…`: show as a QR code and as a link' },
                txCodeSentTo: { type: 'string', description: 'where the transaction code went, masked' },
                expiresAt: { type: 'string', format: 'date-time' },
              },
            },
            vcapi: {
              type: 'object',
              required: ['deepLink', 'expiresAt'],
              properties: {
                deepLink: { type: 'string', description: 'Learner Credential Wallet link carrying the VC API exchange URL (`protocols.vcapi`)' },
                expiresAt: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      },
    },
  }, async (request, reply) => reply.status(201).send(await createWalletOffers(deps, actorOf(request), request.params.id)));

  app.get('/.well-known/openid-credential-issuer', {
    schema: { tags: ['wallets'], summary: 'OID4VCI 1.0 Credential Issuer metadata', response: { 200: anyObject } },
  }, async () => oid4vciMetadata(config.publicUrl).credentialIssuer);

  app.get('/.well-known/oauth-authorization-server', {
    schema: { tags: ['wallets'], summary: 'OAuth 2.0 Authorization Server metadata (RFC 8414) of the OID4VCI token endpoint', response: { 200: anyObject } },
  }, async () => oid4vciMetadata(config.publicUrl).authorizationServer);

  app.get<{ Params: { code: string } }>(`${OFFER_PATH}/:code`, {
    config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
    schema: { tags: ['wallets'], summary: 'The credential offer behind a `credential_offer_uri` (OID4VCI 1.0 §4.1.3)', params: handleParam('code'), response: { 200: anyObject } },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await credentialOffer(deps, request.params.code)));

  app.post(TOKEN_PATH, {
    config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
    errorHandler: oauthErrors,
    attachValidation: true,
    schema: {
      tags: ['wallets'],
      summary: 'OID4VCI token endpoint: pre-authorized code and transaction code for an access token (errors are OAuth error responses)',
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        properties: {
          grant_type: { type: 'string' },
          'pre-authorized_code': { type: 'string' },
          tx_code: { type: 'string' },
          authorization_details: { type: 'string', description: 'JSON array of `openid_credential` details (RFC 9396)' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['access_token', 'token_type', 'expires_in'],
          properties: {
            access_token: { type: 'string' },
            token_type: { type: 'string' },
            expires_in: { type: 'integer' },
            authorization_details: { type: 'array', items: anyObject },
          },
        },
        '4xx': oauthErrorSchema,
      },
    },
  }, async (request, reply) => {
    // RFC 6749 §4.1.3 / OID4VCI §6.1: form-encoded only; a JSON or text body is the client's mistake, not a variant.
    if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '')) {
      throw oauthError('invalid_request', 'the token request must be application/x-www-form-urlencoded');
    }
    const token = await redeemPreAuthorizedCode(deps, { body: request.body, headers: request.headers, url: TOKEN_PATH });
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token);
  });

  app.post(CREDENTIAL_PATH, {
    config: { ownBearer: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
    errorHandler: oauthErrors,
    attachValidation: true,
    schema: {
      tags: ['wallets'],
      summary: 'OID4VCI credential endpoint: the award as issued (ldp_vc, eddsa-rdfc-2022), for the access token (errors are OAuth error responses)',
      headers: { type: 'object', properties: { authorization: { type: 'string', description: 'Bearer <access token from the token endpoint>' } } },
      body: anyObject,
      response: { 200: anyObject, '4xx': oauthErrorSchema },
    },
  }, async (request, reply) => {
    const response = await deliverCredential(deps, { authorization: request.headers.authorization, body: request.body });
    return reply.header('cache-control', 'no-store').send(response);
  });

  app.post<{ Params: { exchangeId: string }; Body: { verifiablePresentation?: Record<string, unknown> } }>(`${EXCHANGE_PATH}/:exchangeId`, {
    config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
    schema: {
      tags: ['wallets'],
      summary: 'VC API exchange: `{}` starts it (a DID Authentication request), the DID Authentication presentation receives the credential',
      params: handleParam('exchangeId'),
      body: { type: 'object', additionalProperties: false, properties: { verifiablePresentation: anyObject } },
      response: { 200: anyObject },
    },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await exchangeStep(deps, request.params.exchangeId, request.body)));
};
