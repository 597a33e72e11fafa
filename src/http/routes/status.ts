import type { FastifyPluginAsync } from 'fastify';
import type { Alignment } from '../../credentials/build.js';
import { TandaError } from '../../errors.js';
import { REVOCATION_REASONS, type Actor } from '../../status/status-service.js';
import type { RevocationReason } from '../../status/tables.js';
import { isListId } from '../../status/urls.js';
import { currentUser, requireRole, requireUser } from '../auth.js';

/** Longest time an HTTP cache may serve a list without asking again; revocations reach verifiers within it. */
const LIST_MAX_AGE_S = 300;

const idParam = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] } as const;
const reason = { type: 'string', enum: [...REVOCATION_REASONS] } as const;
const note = { type: ['string', 'null'], maxLength: 2000 } as const;
const alignment = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'targetName', 'targetUrl'],
  properties: {
    type: { type: 'array', items: { type: 'string', enum: ['Alignment'] }, minItems: 1, maxItems: 1 },
    targetName: { type: 'string', minLength: 1, maxLength: 300 },
    targetUrl: { type: 'string', pattern: '^https?://', maxLength: 500 },
    targetCode: { type: 'string', maxLength: 100 },
    targetFramework: { type: 'string', maxLength: 100 },
    targetType: { type: 'string', maxLength: 100 },
    targetDescription: { type: 'string', maxLength: 1000 },
  },
} as const;
const revocation = {
  type: 'object',
  properties: {
    credentialId: { type: 'string' },
    reason: { type: 'string' },
    note: { type: ['string', 'null'] },
    revokedBy: { type: 'string' },
    revokedAt: { type: 'string' },
  },
} as const;

/**
 * Media types a status list is served as (Bitstring Status List v1.0 §6): `application/vc` by default, the others for
 * clients that only parse JSON media types. The bytes are the same, a secured VC in compacted JSON-LD.
 */
const LIST_MEDIA_TYPES = ['application/vc', 'application/vc+ld+json', 'application/ld+json', 'application/json'] as const;

/**
 * The media type to answer with for an Accept header, or undefined when none is acceptable. Hand-written: the five
 * lines of RFC 9110 §12.5.1 this needs (types, `*` ranges, q-values, first best wins) are less than a dependency.
 */
function negotiateListType(accept: string | undefined): string | undefined {
  if (!accept || !accept.trim()) return LIST_MEDIA_TYPES[0];
  let best: { type: string; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const type = range === '*/*' || range === 'application/*' ? LIST_MEDIA_TYPES[0] : LIST_MEDIA_TYPES.find((t) => t === range);
    if (type && (!best || q > best.q)) best = { type, q };
  }
  return best?.type;
}

const actorOf = (user: { id: string; issuerId: string | null }): Actor => {
  if (!user.issuerId) throw new TandaError('forbidden', 'your account is not attached to a certifying body');
  return { issuerId: user.issuerId, by: user.id, userId: user.id };
};

/** Status lists (public), revocation and re-issue (certifying officers of the issuing body), credential history. */
export const statusRoutes: FastifyPluginAsync = async (app) => {
  const { status } = app.services;

  app.get<{ Params: { listId: string } }>(
    '/status/:listId',
    {
      schema: {
        tags: ['status'],
        summary:
          'A BitstringStatusListCredential (revocation), signed by the certifying body; ETag and Cache-Control. `application/vc` unless Accept asks for application/vc+ld+json, application/ld+json or application/json (406 when it accepts none)',
        params: { type: 'object', properties: { listId: { type: 'string', maxLength: 32 } }, required: ['listId'] },
        produces: [...LIST_MEDIA_TYPES],
      },
    },
    async (request, reply) => {
      const type = negotiateListType(request.headers.accept);
      if (!type) throw new TandaError('not_acceptable', `a status list is served as ${LIST_MEDIA_TYPES.join(', ')}`);
      const list = isListId(request.params.listId) ? await status.listDocument(request.params.listId) : undefined;
      if (!list) throw new TandaError('not_found', 'no status list with that id');
      const maxAge = Math.max(0, Math.min(LIST_MAX_AGE_S, Math.floor((Date.parse(list.validUntil) - Date.now()) / 1000)));
      reply.header('etag', list.etag).header('cache-control', `public, max-age=${maxAge}`).header('vary', 'accept, accept-encoding');
      const match = request.headers['if-none-match'];
      if (match && match.split(',').some((t) => t.trim().replace(/^W\//, '') === list.etag)) return reply.status(304).send();
      return reply.type(type).send(list.text);
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: RevocationReason; note?: string | null } }>(
    '/credentials/:id/revoke',
    {
      preHandler: requireRole('certifying_officer'),
      schema: {
        tags: ['status'],
        summary: 'Revoke a credential of your certifying body (final; audited with who, when and why)',
        security: [{ bearer: [] }],
        params: idParam,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason, note } },
        response: { 200: revocation },
      },
    },
    async (request) => {
      const actor = actorOf(currentUser(request));
      return status.revoke({ credentialId: request.params.id, actor, reason: request.body.reason, note: request.body.note ?? null });
    },
  );

  // VC API "update status". There is no suspension: `status: true` revokes (finally), `status: false` cannot undo it.
  app.post<{
    Body: {
      credentialId: string;
      credentialStatus: { type: string; statusPurpose: string; id?: string; statusListIndex?: string; statusListCredential?: string };
      status: boolean;
      reason?: RevocationReason;
      note?: string | null;
    };
  }>(
    '/credentials/status',
    {
      preHandler: requireRole('certifying_officer'),
      schema: {
        tags: ['vc-api', 'status'],
        summary: 'VC API: update a credential\'s status (revocation only; `reason` and `note` are Tanda extensions)',
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['credentialId', 'credentialStatus', 'status'],
          properties: {
            credentialId: { type: 'string', minLength: 1, maxLength: 200 },
            credentialStatus: {
              type: 'object',
              additionalProperties: false,
              required: ['type', 'statusPurpose'],
              properties: {
                id: { type: 'string' },
                type: { type: 'string', enum: ['BitstringStatusListEntry', 'BitstringStatusList'] },
                statusPurpose: { type: 'string' },
                statusListIndex: { type: 'string' },
                statusListCredential: { type: 'string' },
              },
            },
            status: { type: 'boolean' },
            reason,
            note,
          },
        },
      },
    },
    async (request) => {
      const actor = actorOf(currentUser(request));
      const body = request.body;
      if (body.credentialStatus.statusPurpose !== 'revocation') {
        throw new TandaError('unsupported_option', 'only the revocation purpose exists: a doubtful credential is revoked and, if cleared, re-issued');
      }
      const history = await status.history(body.credentialId);
      if (!history || history.issuerId !== actor.issuerId) throw new TandaError('not_found', 'no credential with that id');
      const { statusListIndex, statusListCredential } = body.credentialStatus;
      if (
        (statusListIndex !== undefined && statusListIndex !== history.status?.statusListIndex) ||
        (statusListCredential !== undefined && statusListCredential !== history.status?.statusListCredential)
      ) {
        throw new TandaError('validation_failed', 'the status entry given is not the credential\'s');
      }
      if (!body.status) {
        if (history.revocation) throw new TandaError('revocation_final', `revoked on ${history.revocation.revokedAt}; revocation is final`);
        return { credentialId: history.credentialId, revoked: false };
      }
      const done = await status.revoke({ credentialId: history.credentialId, actor, reason: body.reason ?? 'other', note: body.note ?? null });
      return { ...done, revoked: true };
    },
  );

  app.post<{
    Params: { id: string };
    Body: {
      holderName?: string;
      holderNameLatin?: string | null;
      addAlignments?: Alignment[];
      renew?: { validityYears?: number };
      note?: string | null;
    };
  }>(
    '/credentials/:id/reissue',
    {
      preHandler: requireRole('certifying_officer'),
      schema: {
        tags: ['status'],
        summary: 'Issue a corrected or renewed credential and revoke the original as superseded, in one transaction',
        security: [{ bearer: [] }],
        params: idParam,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            holderName: { type: 'string', minLength: 1, maxLength: 200 },
            holderNameLatin: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
            addAlignments: { type: 'array', items: alignment, minItems: 1, maxItems: 50 },
            renew: { type: 'object', additionalProperties: false, properties: { validityYears: { type: 'integer', minimum: 1, maximum: 50 } } },
            note,
          },
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(currentUser(request));
      const { renew, note: text, ...corrections } = request.body;
      const result = await status.reissue({ credentialId: request.params.id, actor, corrections, renew, note: text });
      return reply.status(201).send({ verifiableCredential: result.credential, replaced: result.replaced, kind: result.kind });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/credentials/:id/history',
    {
      preHandler: requireUser,
      schema: {
        tags: ['status'],
        summary: 'Revocation and re-issue history of a credential: what replaced it, what it replaced',
        security: [{ bearer: [] }],
        params: idParam,
      },
    },
    async (request) => {
      const user = currentUser(request);
      const stored = await status.findCredential(request.params.id);
      const staff = stored !== undefined && (user.role === 'admin' || (user.role !== 'candidate' && user.issuerId === stored.issuerId));
      const holder = stored !== undefined && user.role === 'candidate' && stored.holderUserId === user.id;
      const history = stored && (staff || holder) ? await status.history(stored.id) : undefined;
      if (!history) throw new TandaError('not_found', 'no credential with that id');
      // The holder sees that and when, not the internal note or who revoked.
      const revocation = history.revocation && !staff ? { reason: history.revocation.reason, revokedAt: history.revocation.revokedAt } : history.revocation;
      return { ...history, revocation };
    },
  );
};
