import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { TandaError } from '../../errors.js';
import { addEvidence, assertMayAddEvidence, EVIDENCE_KINDS, listEvidence, readEvidence, stageEvidence, type EvidenceKind, type StagedEvidence } from '../../rpl/evidence.js';
import { completeIdempotencyKey, releaseIdempotencyKey } from '../../idempotency/store.js';
import { accessContext, actorOf, signedIn } from '../access.js';
import { idempotencyClaim, idempotencyHeaderSchema } from '../idempotency.js';
import { assertCleanText, malformedAsClientError } from '../input-guard.js';

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
    onRequest: signedIn,
    // The form, for the OpenAPI document only (generated clients): fastify validates a body before the multipart
    // stream is read, when there is none yet, so the parts are checked while streaming below instead.
    config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: uploadForm(rpl.evidenceMaxBytes) }, url }) },
    schema: {
      tags: ['rpl'],
      summary: 'Upload an evidence file (multipart: fields kind, title, description?; one file). With Idempotency-Key (the console sends its event id), a retry answers the first upload',
      params: idParams,
      headers: idempotencyHeaderSchema,
      consumes: ['multipart/form-data'],
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    if (!request.isMultipart()) throw new TandaError('unsupported_media_type', 'evidence is uploaded as multipart/form-data');
    // The key is claimed before the body is read, so "the same request" is the same key for the same case: a photo
    // taken offline is sent again after a lost answer, and the case may have closed since the first one landed.
    const claim = await idempotencyClaim(rpl.db, request, reply, { caseId: request.params.id });
    if (claim?.kind === 'replay') {
      await assertMayAddEvidence(rpl.db.kysely, actor, request.params.id, { portfolioOpen: false });
      return reply.status(claim.statusCode).header('idempotent-replayed', 'true').send(claim.body);
    }
    const fields: Record<string, string> = {};
    let file: StagedEvidence | undefined;
    try {
      // Before one byte of the body is read: a refused upload writes nothing.
      await assertMayAddEvidence(rpl.db.kysely, actor, request.params.id);
      for await (const part of malformedAsClientError(request.parts())) {
        if (part.type === 'file') {
          assertCleanText(part.filename, 'filename');
          file = await stageEvidence(rpl, part.filename, malformedAsClientError(part.file));
          // The stream ends quietly at the size limit when the client lies about nothing but the length.
          if (part.file.truncated) throw new TandaError('payload_too_large', `evidence files are limited to ${rpl.evidenceMaxBytes} bytes`);
        } else {
          if (!FIELDS.has(part.fieldname)) throw new TandaError('unknown_field', `unknown field: ${part.fieldname}`);
          fields[part.fieldname] = String(part.value);
          assertCleanText(fields[part.fieldname]!, part.fieldname);
        }
      }
      if (!file) throw new TandaError('validation_failed', 'no file in the upload (use POST /cases/:id/evidence/records for a record without a file)');
      const kind = fields.kind;
      if (!kind || !(EVIDENCE_KINDS as readonly string[]).includes(kind)) throw new TandaError('validation_failed', `kind must be one of: ${EVIDENCE_KINDS.join(', ')}`);
      const item = await addEvidence(rpl, actor, request.params.id, { kind: kind as EvidenceKind, title: fields.title ?? '', description: fields.description ?? null }, file, {
        ...(claim ? { inTransaction: (tx, view) => completeIdempotencyKey(tx, claim, 201, view) } : {}),
      });
      return reply.status(201).send(item);
    } catch (e) {
      if (claim) await releaseIdempotencyKey(rpl.db, claim);
      throw e;
    } finally {
      // Refused fields, an aborted stream, a failed transaction: the staged copy goes (a no-op once promoted).
      if (file) await rpl.storage.discard(file.staged);
    }
  });

  app.post<{ Params: { id: string }; Body: { kind: EvidenceKind; title: string; description: string } }>('/cases/:id/evidence/records', {
    onRequest: signedIn,
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
  }, async (request, reply) => reply.status(201).send(await addEvidence(rpl, actorOf(request), request.params.id, request.body)));

  app.get<{ Params: { id: string } }>('/cases/:id/evidence', { onRequest: signedIn, schema: { tags: ['rpl'], params: idParams } }, async (request) =>
    listEvidence(rpl, actorOf(request), request.params.id, accessContext(request)),
  );

  app.get<{ Params: { id: string; evidenceId: string } }>('/cases/:id/evidence/:evidenceId/content', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'The file of an evidence item (each read is audited)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 }, evidenceId: { type: 'string', maxLength: 64 } }, required: ['id', 'evidenceId'] },
    },
  }, async (request, reply) => {
    const { item, bytes } = await readEvidence(rpl, actorOf(request), request.params.id, request.params.evidenceId, accessContext(request));
    return reply
      .type(item.contentType ?? 'application/octet-stream')
      .header('content-disposition', `attachment; filename="evidence-${item.id}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(bytes);
  });
};
