import type { FastifyPluginAsync } from 'fastify';
import { completeIdempotencyKey, releaseIdempotencyKey } from '../../idempotency/store.js';
import { PAPERS, SECOND_LANGS, type Paper, type SecondLang } from '../../certificates/view.js';
import { MAX_BATCH_CASES, MAX_PRINTED_PER_REQUEST, batchCredentialIds, createCertificationBatch, getCertificationBatch, listCertificationBatches, readyForBatch, type BatchSelection } from '../../rpl/certification-batch.js';
import { actorOf, signedIn } from '../access.js';
import { idempotencyClaim, idempotencyHeaderSchema } from '../idempotency.js';

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] };

/** Certification batches (src/rpl/certification-batch.ts): the rules live there and in src/policy. */
export const certificationBatchRoutes: FastifyPluginAsync = async (app) => {
  const { rpl, db } = app.services;

  app.post<{ Body: BatchSelection }>('/certification-batches', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Certify a set of cases in the background: named cases, or every moderated case of your body for a qualification (and cohort)',
      headers: idempotencyHeaderSchema,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          caseIds: { type: 'array', minItems: 1, maxItems: MAX_BATCH_CASES, items: { type: 'string', minLength: 1, maxLength: 64 } },
          qualificationId: { type: 'string', minLength: 1, maxLength: 300 },
          cohortRef: { type: 'string', minLength: 1, maxLength: 200 },
        },
      },
    },
  }, async (request, reply) => {
    const claim = await idempotencyClaim(db, request, reply);
    if (claim?.kind === 'replay') return reply.status(claim.statusCode).header('idempotent-replayed', 'true').send(claim.body);
    try {
      const batch = await createCertificationBatch(rpl, actorOf(request), request.body, {
        // The same key answers the same batch: the response is stored in the transaction that stores the batch.
        ...(claim ? { inTransaction: (tx, view) => completeIdempotencyKey(tx, claim, 201, view) } : {}),
      });
      return reply.status(201).header('location', `/certification-batches/${batch.id}`).send(batch);
    } catch (e) {
      if (claim) await releaseIdempotencyKey(db, claim);
      throw e;
    }
  });

  app.get<{ Querystring: { limit?: number; offset?: number } }>('/certification-batches', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'The certification batches of your body, newest first, with their progress',
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200 }, offset: { type: 'integer', minimum: 0, maximum: 1_000_000 } } },
    },
  }, async (request) => listCertificationBatches(rpl, actorOf(request), request.query));

  app.get('/certification-batches/ready', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'What a batch by qualification can take now: each qualification with moderated cases of your body, its count and its cohorts, most cases first',
    },
  }, async (request) => ({ qualifications: await readyForBatch(rpl, actorOf(request)) }));

  app.get<{ Params: { id: string } }>('/certification-batches/:id', {
    onRequest: signedIn,
    schema: { tags: ['rpl'], summary: 'A certification batch: progress (total, done, failed, pending, state) and each case\'s result', params: idParams },
  }, async (request) => getCertificationBatch(rpl, actorOf(request), request.params.id));

  app.get<{ Params: { id: string }; Querystring: { paper?: Paper; lang?: SecondLang; limit?: number; offset?: number } }>('/certification-batches/:id/certificates.pdf', {
    onRequest: signedIn,
    schema: {
      tags: ['certificates'],
      summary: `Print a batch: the certificates it has issued so far, in its order, as one PDF (a page each; at most ${MAX_PRINTED_PER_REQUEST} a request, X-Total-Count says how many)`,
      params: idParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          paper: { type: 'string', enum: [...PAPERS] },
          lang: { type: 'string', enum: [...SECOND_LANGS] },
          limit: { type: 'integer', minimum: 1, maximum: MAX_PRINTED_PER_REQUEST },
          offset: { type: 'integer', minimum: 0, maximum: MAX_BATCH_CASES },
        },
      },
    },
  }, async (request, reply) => {
    const { paper, lang, ...page } = request.query;
    const { ids, certified } = await batchCredentialIds(rpl, actorOf(request), request.params.id, page);
    const pdf = await app.services.certificates.batchPdf(ids, { ...(paper ? { paper } : {}), ...(lang ? { lang } : {}) });
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="certificates-${request.params.id}.pdf"`)
      .header('cache-control', 'private, no-store')
      .header('x-total-count', String(certified))
      .send(pdf);
  });
};
