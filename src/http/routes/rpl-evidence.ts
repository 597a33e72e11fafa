import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { TandaError } from '../../errors.js';
import { addEvidence, EVIDENCE_KINDS, listEvidence, readEvidence, type EvidenceFile, type EvidenceKind } from '../../rpl/evidence.js';
import { currentUser, requireRole, requireUser } from '../auth.js';

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] };
const FIELDS = new Set(['kind', 'title', 'description']);
const uploadForm = (maxBytes: number) => ({
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        properties: {
          file: { type: 'string', format: 'binary', description: `the evidence file (at most ${maxBytes} bytes)` },
          kind: { type: 'string', enum: [...EVIDENCE_KINDS] },
          title: { type: 'string', maxLength: 4000 },
          description: { type: 'string', maxLength: 4000 },
        },
        required: ['file', 'kind'],
      },
    },
  },
});

/** The evidence portfolio: uploads (multipart), written records, listing, and audited reads. */
export const rplEvidenceRoutes: FastifyPluginAsync = async (app) => {
  const { rpl } = app.services;
  // Registered here, so only these routes accept multipart bodies. One file per request; the byte limit is checked
  // while streaming, so an oversized upload is cut off rather than buffered.
  await app.register(multipart, { limits: { fileSize: rpl.evidenceMaxBytes, files: 1, fields: 3, fieldSize: 4000, parts: 4 } });

  app.post<{ Params: { id: string } }>('/cases/:id/evidence', {
    onRequest: requireRole('candidate', 'counsellor', 'assessor'),
    // The form, for the OpenAPI document only (generated clients): fastify validates a body before the multipart
    // stream is read, when there is none yet, so the parts are checked while streaming below instead.
    config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: uploadForm(rpl.evidenceMaxBytes) }, url }) },
    schema: {
      tags: ['rpl'],
      summary: 'Upload an evidence file (multipart: fields kind, title, description?; one file)',
      params: idParams,
      consumes: ['multipart/form-data'],
    },
  }, async (request, reply) => {
    const actor = currentUser(request);
    if (!request.isMultipart()) throw new TandaError('unsupported_media_type', 'evidence is uploaded as multipart/form-data');
    const fields: Record<string, string> = {};
    let file: EvidenceFile | undefined;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        file = { fileName: part.filename, bytes: await part.toBuffer() };
      } else {
        if (!FIELDS.has(part.fieldname)) throw new TandaError('unknown_field', `unknown field: ${part.fieldname}`);
        fields[part.fieldname] = String(part.value);
      }
    }
    if (!file) throw new TandaError('validation_failed', 'no file in the upload (use POST /cases/:id/evidence/records for a record without a file)');
    const kind = fields.kind;
    if (!kind || !(EVIDENCE_KINDS as readonly string[]).includes(kind)) throw new TandaError('validation_failed', `kind must be one of: ${EVIDENCE_KINDS.join(', ')}`);
    const item = await addEvidence(rpl, actor, request.params.id, { kind: kind as EvidenceKind, title: fields.title ?? '', description: fields.description ?? null }, file);
    return reply.status(201).send(item);
  });

  app.post<{ Params: { id: string }; Body: { kind: EvidenceKind; title: string; description: string } }>('/cases/:id/evidence/records', {
    onRequest: requireRole('candidate', 'counsellor', 'assessor'),
    schema: {
      tags: ['rpl'],
      summary: 'Add an evidence record without a file (an interview, a demonstration, a testimonial taken down)',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'title', 'description'],
        properties: {
          kind: { type: 'string', enum: [...EVIDENCE_KINDS] },
          title: { type: 'string', minLength: 1, maxLength: 300 },
          description: { type: 'string', minLength: 1, maxLength: 8000 },
        },
      },
    },
  }, async (request, reply) => reply.status(201).send(await addEvidence(rpl, currentUser(request), request.params.id, request.body)));

  app.get<{ Params: { id: string } }>('/cases/:id/evidence', { onRequest: requireUser, schema: { tags: ['rpl'], params: idParams } }, async (request) =>
    listEvidence(rpl, currentUser(request), request.params.id),
  );

  app.get<{ Params: { id: string; evidenceId: string } }>('/cases/:id/evidence/:evidenceId/content', {
    onRequest: requireUser,
    schema: {
      tags: ['rpl'],
      summary: 'The file of an evidence item (each read is audited)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 }, evidenceId: { type: 'string', maxLength: 64 } }, required: ['id', 'evidenceId'] },
    },
  }, async (request, reply) => {
    const { item, bytes } = await readEvidence(rpl, currentUser(request), request.params.id, request.params.evidenceId);
    return reply
      .type(item.contentType ?? 'application/octet-stream')
      .header('content-disposition', `attachment; filename="evidence-${item.id}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(bytes);
  });
};
