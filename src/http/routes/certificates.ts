import type { FastifyPluginAsync } from 'fastify';
import { qrPng, qrSvg } from '../../certificates/qr-image.js';
import { PAPERS, SECOND_LANGS, type Paper, type SecondLang } from '../../certificates/view.js';
import { TandaError } from '../../errors.js';
import { certificatePreviewInput } from '../../rpl/certification.js';
import { accessContext, actorOf, credentialFor, signedIn } from '../access.js';
import { trustBundleService } from '../../trust/service.js';
import { verifyCredentialDocument } from '../../verifier/pipeline.js';

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] } as const;

export const certificateRoutes: FastifyPluginAsync = async (app) => {
  const { certificates } = app.services;

  app.get<{ Params: { id: string }; Querystring: { paper?: Paper; lang?: SecondLang } }>('/credentials/:id/certificate.pdf', {
    onRequest: signedIn,
    schema: {
      tags: ['certificates'],
      summary: 'The printable certificate (tagged PDF, English + national language, QR code carrying the signed credential)',
      security: [{ bearer: [] }],
      params: idParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { paper: { type: 'string', enum: [...PAPERS] }, lang: { type: 'string', enum: [...SECOND_LANGS] } },
      },
    },
  }, async (request, reply) => {
    const stored = await credentialFor(request, 'print');
    const pdf = await certificates.pdf(stored, request.query);
    const name = `certificate-${stored.id.replace(/^urn:uuid:/, '')}.pdf`;
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${name}"`).header('cache-control', 'private, no-store').send(pdf);
  });

  app.get<{ Params: { id: string }; Querystring: { paper?: Paper; lang?: SecondLang } }>('/cases/:id/certificate-preview.pdf', {
    onRequest: signedIn,
    schema: {
      tags: ['certificates'],
      summary: 'Preview of the certificate a moderated case would get (certifying officer of its body): marked PREVIEW, not signed, no QR credential; nothing is issued',
      security: [{ bearer: [] }],
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { paper: { type: 'string', enum: [...PAPERS] }, lang: { type: 'string', enum: [...SECOND_LANGS] } },
      },
    },
  }, async (request, reply) => {
    const input = await certificatePreviewInput(app.services.rpl, actorOf(request), request.params.id, accessContext(request));
    const pdf = await certificates.previewPdf(input, request.query);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="certificate-preview-${request.params.id}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(pdf);
  });

  for (const format of ['png', 'svg'] as const) {
    app.get<{ Params: { id: string } }>(`/credentials/:id/qr.${format}`, {
      onRequest: signedIn,
      schema: { tags: ['certificates'], summary: `The certificate's QR code as ${format.toUpperCase()} (ECC M, 4-module quiet zone)`, security: [{ bearer: [] }], params: idParams },
    }, async (request, reply) => {
      const { payload } = await certificates.qrPayload(await credentialFor(request, 'print'));
      reply.header('cache-control', 'private, no-store');
      return format === 'png' ? reply.type('image/png').send(await qrPng(payload)) : reply.type('image/svg+xml').send(qrSvg(payload));
    });
  }

  app.get<{ Params: { code: string } }>('/check/:code', {
    config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: {
      tags: ['certificates'],
      summary: 'Online check by the short code printed on a certificate: the verification result, without the QR',
      description:
        '`verified`/`checks` as POST /credentials/verify gives them; `verdict` is the employer\'s verdict from the same pipeline the offline verifiers run, over this instance\'s current trust bundle; `credential` lets a verifier check it again with its own data.',
      params: { type: 'object', properties: { code: { type: 'string', minLength: 10, maxLength: 16 } }, required: ['code'] },
    },
  }, async (request) => {
    const stored = await certificates.byVerifyCode(request.params.code);
    if (!stored) throw new TandaError('not_found', 'no certificate with that code');
    const [result, verdict] = await Promise.all([
      app.services.credentials.verify(stored.document),
      trustBundleService(app.services).verifierData().then((data) => verifyCredentialDocument(stored.document, data)),
    ]);
    return { verified: result.verified, checks: result.checks, verdict, credential: stored.document };
  });
};
