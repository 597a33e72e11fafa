import type { FastifyPluginAsync } from 'fastify';
import { trustBundleService, type BundleSource } from '../../trust/service.js';
import { verifyQrText } from '../../verifier/pipeline.js';
import { OVERALLS } from '../../verifier/verdict.js';

export const verdictSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['verdict', 'reason', 'claimsConfirmed', 'checks', 'dataAge', 'checkedAt'],
  properties: {
    verdict: { type: 'string', enum: [...OVERALLS] },
    reason: { type: 'object', additionalProperties: true },
    claimsConfirmed: { type: 'boolean' },
    checks: { type: 'array', items: { type: 'object', additionalProperties: true } },
    summary: { type: 'object', additionalProperties: true },
    dataAge: { type: 'object', additionalProperties: true },
    checkedAt: { type: 'string' },
  },
} as const;

export const trustRoutes: FastifyPluginAsync<{ source?: BundleSource }> = async (app, options) => {
  const trust = options.source ?? trustBundleService(app.services);

  app.get('/trust-bundle', { schema: { tags: ['verification'], summary: 'The signed trust bundle offline verifiers use' } }, async (request, reply) => {
    const { text, etag, bundle } = await trust.current();
    reply.header('etag', etag).header('cache-control', 'public, max-age=300, must-revalidate').header('last-modified', new Date(bundle.issued).toUTCString());
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(text);
  });

  app.get('/trust-bundle/authority', {
    schema: {
      tags: ['verification'],
      summary: 'The registry authority DID to pin in verifiers',
      response: { 200: { type: 'object', required: ['did'], properties: { did: { type: 'string' } } } },
    },
  }, async () => ({ did: (await trust.authority()).did }));

  app.post('/verify/qr', {
    schema: {
      tags: ['verification'],
      summary: 'Verify the text of a certificate QR code against the current trust bundle',
      body: { type: 'object', additionalProperties: false, required: ['payload'], properties: { payload: { type: 'string', minLength: 1, maxLength: 8192 } } },
      response: { 200: verdictSchema },
    },
  }, async (request) => verifyQrText((request.body as { payload: string }).payload, await trust.verifierData()));
};
