import type { FastifyPluginAsync } from 'fastify';
import { TandaError } from '../../errors.js';
import { compromiseKey } from '../../issuers/compromise.js';
import { didWebDocument, findIssuer } from '../../issuers/issuers.js';
import { authorize } from '../../policy/policy.js';
import { trustBundleService } from '../../trust/service.js';

const compromiseOutcome = {
  type: 'object',
  properties: {
    issuerId: { type: 'string' },
    verificationMethod: { type: 'string' },
    replacement: { type: 'string' },
    reportedAt: { type: 'string' },
    newlyReported: { type: 'boolean' },
    statusListsResigned: { type: 'integer' },
    reissued: { type: 'array', items: { type: 'object', properties: { replaced: { type: 'string' }, replacement: { type: 'string' } } } },
    notified: { type: 'integer' },
    failed: { type: 'array', items: { type: 'object', properties: { credentialId: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
    completed: { type: 'boolean' },
  },
} as const;

export const issuerRoutes: FastifyPluginAsync = async (app) => {
  const { db, keys } = app.services;
  app.get<{ Params: { id: string } }>('/issuers/:id/did.json', {
    schema: {
      tags: ['issuers'],
      summary: 'did:web document of a certifying body hosted here (every key it has used, so old credentials verify)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] },
    },
  }, async (request, reply) => {
    const issuer = await findIssuer(db.kysely, request.params.id);
    if (!issuer || issuer.did_method !== 'web') throw new TandaError('not_found', 'no did:web certifying body with that id');
    const doc = await didWebDocument(db.kysely, keys, issuer.did);
    return reply.type('application/did+json').header('cache-control', 'public, max-age=300').send(doc);
  });

  app.post<{ Params: { id: string }; Body: { reason: string; verificationMethod?: string } }>('/issuers/:id/keys/compromise', {
    schema: {
      tags: ['issuers'],
      summary: 'Report a signing key compromised (admin): nothing it signed verifies, the body gets a new key and its credentials are re-issued under it; safe to repeat',
      security: [{ bearer: [] }],
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] },
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['reason'],
        properties: { reason: { type: 'string', minLength: 1, maxLength: 500 }, verificationMethod: { type: 'string', minLength: 1, maxLength: 500 } },
      },
      response: { 200: compromiseOutcome },
    },
  }, async (request) => {
    authorize(request.user, 'compromise_key', { kind: 'body', issuerId: request.params.id });
    const user = request.user!;
    const outcome = await compromiseKey(
      { db, keys, status: app.services.status, outbox: app.services.rpl.outbox },
      { issuerId: request.params.id, verificationMethod: request.body.verificationMethod, reason: request.body.reason, actor: { by: user.id, userId: user.id } },
    );
    // Verifiers of this instance (/credentials/verify's registry lines, POST /verify/qr, the next /trust-bundle) see
    // the new key now, not within a minute.
    app.services.registryChanged();
    trustBundleService(app.services).invalidate();
    return outcome;
  });
};
