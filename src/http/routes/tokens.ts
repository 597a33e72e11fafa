import type { FastifyPluginAsync } from 'fastify';
import { createApiTokenRow, listApiTokens, revokeApiToken, tokenExpiry, tokenOwner } from '../../auth/tokens.js';
import { TandaError } from '../../errors.js';
import { authorize } from '../../policy/policy.js';
import { actorOf, signedIn } from '../access.js';

const tokenInfo = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    userName: { type: 'string' },
    label: { type: 'string' },
    createdAt: { type: 'string' },
    expiresAt: { type: ['string', 'null'] },
    revokedAt: { type: ['string', 'null'] },
    lastUsedAt: { type: ['string', 'null'], description: 'When the token last authenticated a request, to the minute; null: never' },
    expired: { type: 'boolean' },
  },
  required: ['id', 'userId', 'userName', 'label', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt', 'expired'],
} as const;

/**
 * API tokens over HTTP: staff list, make and revoke their own; an admin any account's. The policy decides
 * (resource `api_token`); a token's secret is shown once, when it is made, and never listed.
 */
export const tokenRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app.services;

  app.get<{ Querystring: { userId?: string; all?: boolean } }>('/tokens', {
    onRequest: signedIn,
    schema: {
      tags: ['auth'],
      summary: 'API tokens: your own; an admin names an account (userId) or asks for all',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { userId: { type: 'string', minLength: 1, maxLength: 200 }, all: { type: 'boolean', default: false } },
      },
      response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: tokenInfo } }, required: ['tokens'] } },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const ownerId = request.query.all ? null : (request.query.userId ?? actor.id);
    authorize(actor, 'read', { kind: 'api_token', ownerId });
    return { tokens: await listApiTokens(db.kysely, ownerId) };
  });

  app.post<{ Body: { label: string; expiresInDays?: number; userId?: string } }>('/tokens', {
    onRequest: signedIn,
    schema: {
      tags: ['auth'],
      summary: 'Make an API token (for yourself; an admin for any staff account). The secret is in this answer only',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['label'],
        properties: {
          label: { type: 'string', minLength: 1, maxLength: 200 },
          expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
          userId: { type: 'string', minLength: 1, maxLength: 200 },
        },
      },
      response: {
        201: { type: 'object', properties: { id: { type: 'string' }, token: { type: 'string' }, expiresAt: { type: ['string', 'null'] } }, required: ['id', 'token', 'expiresAt'] },
      },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const ownerId = request.body.userId ?? actor.id;
    authorize(actor, 'create', { kind: 'api_token', ownerId });
    const owner = await db.kysely.selectFrom('users').select(['id', 'role', 'disabled']).where('id', '=', ownerId).executeTakeFirst();
    if (!owner) throw new TandaError('not_found', 'no such account');
    if (owner.role === 'candidate' || Number(owner.disabled)) throw new TandaError('validation_failed', 'API tokens are made for active staff accounts only');
    // A token may be shorter-lived than the deployment's limit, never longer (TANDA_TOKEN_TTL_DAYS=0: no limit).
    const days = Math.min(request.body.expiresInDays ?? config.tokenTtlDays, config.tokenTtlDays || Infinity);
    const made = await createApiTokenRow(db.kysely, ownerId, request.body.label, { expiresAt: tokenExpiry(days === Infinity ? 0 : days) });
    return reply.status(201).send({ id: made.id, token: made.secret, expiresAt: made.expiresAt });
  });

  app.delete<{ Params: { id: string } }>('/tokens/:id', {
    onRequest: signedIn,
    schema: {
      tags: ['auth'],
      summary: 'Revoke an API token (yours; an admin any). Revoking twice is not an error',
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const ownerId = await tokenOwner(db.kysely, request.params.id);
    if (!ownerId) throw new TandaError('not_found', 'no such token');
    authorize(actor, 'revoke', { kind: 'api_token', ownerId });
    await revokeApiToken(db.kysely, request.params.id);
    return reply.status(204).send();
  });
};
