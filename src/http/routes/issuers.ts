import type { FastifyPluginAsync } from 'fastify';
import { TandaError } from '../../errors.js';
import { didWebDocument, findIssuer } from '../../issuers/issuers.js';

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
};
