import type { FastifyPluginAsync } from 'fastify';
import { trustBundleService, type BundleSource } from '../../trust/service.js';
import { verifyQrText, type PipelineOptions } from '../../verifier/pipeline.js';
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
  // Tests that serve these routes alone over a bundle of their own have no services (and verify in-process).
  const pool = app.hasDecorator('services') ? app.services.credentials.pool : undefined;

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
  }, async (request) => {
    const data = await trust.verifierData();
    // The decode and the proofs in one job on the verification workers, against the trust bundle's type tables, keys
    // and contexts as offline verifiers check them (the worker asks this thread for the tables the payload names and
    // the bundle's did:web documents); this thread keeps the registry half.
    const qrPhase: PipelineOptions['qrPhase'] = pool
      ? (text, o) => pool.verifyQr(text, { now: o.now.toISOString(), knownContexts: [...o.knownContexts], resourceBytes: false }, { load: o.documentLoader, typeTable: o.typeTableLoader })
      : undefined;
    return verifyQrText((request.body as { payload: string }).payload, data, qrPhase ? { qrPhase } : {});
  });
};
