import crypto from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TandaError } from '../../errors.js';
import { completeIdempotencyKey, releaseIdempotencyKey } from '../../idempotency/store.js';
import { authorize } from '../../policy/policy.js';
import { COHORT_ENCODINGS, importCohort, type CohortEncoding, type CohortReport } from '../../rpl/cohort-import.js';
import { actorOf, signedIn } from '../access.js';
import { idempotencyClaim, idempotencyHeaderSchema } from '../idempotency.js';
import { malformedAsClientError } from '../input-guard.js';

/** An assessment day's sheet: 3,000 rows of a few hundred bytes each fit with room to spare. */
export const COHORT_FILE_MAX_BYTES = 8 * 1024 * 1024;

interface CohortQuery {
  qualification: string;
  date: string;
  issuerId?: string;
  centreId?: string;
  country?: string;
  cohortRef?: string;
  encoding?: CohortEncoding;
}

const rowReport = {
  type: 'object',
  properties: {
    line: { type: 'integer', description: 'Line in the file; the header is line 1' },
    status: { type: 'string', enum: ['imported', 'already_imported', 'duplicate', 'failed'] },
    code: { type: 'string', description: 'Why a row failed or is a duplicate: a code of the error table (validation_failed, invalid_text, already_exists, conflict, internal)' },
    candidateId: { type: 'string' },
    reusedCandidate: { type: 'boolean' },
    caseId: { type: 'string' },
    outcome: { type: 'string', enum: ['full_qualification', 'statement_of_attainment', 'not_yet_competent'] },
    errors: { type: 'array', items: { type: 'string' } },
  },
} as const;

const uploadBody = {
  content: {
    'text/csv': { schema: { type: 'string', description: `the cohort file's bytes (at most ${COHORT_FILE_MAX_BYTES} bytes), in the declared encoding` } },
    'multipart/form-data': {
      schema: { type: 'object', properties: { file: { type: 'string', format: 'binary', description: 'the cohort file' } }, required: ['file'] },
    },
  },
};

/** The file's bytes from a text/csv body or the one file part of a form; nothing decoded here (the domain does). */
async function fileBytes(request: FastifyRequest): Promise<Buffer> {
  if (request.isMultipart()) {
    let file: Buffer | undefined;
    for await (const part of malformedAsClientError(request.parts())) {
      if (part.type !== 'file') throw new TandaError('unknown_field', `unknown field: ${part.fieldname} (options go in the query)`);
      if (part.fieldname !== 'file') throw new TandaError('unknown_field', `unknown file field: ${part.fieldname} (send it as "file")`);
      const chunks: Buffer[] = [];
      for await (const chunk of malformedAsClientError(part.file)) chunks.push(chunk as Buffer);
      if (part.file.truncated) throw new TandaError('payload_too_large', `cohort files are limited to ${COHORT_FILE_MAX_BYTES} bytes`);
      file = Buffer.concat(chunks);
    }
    if (!file) throw new TandaError('validation_failed', 'no file in the form (send it as "file")');
    return file;
  }
  if (Buffer.isBuffer(request.body)) return request.body;
  if (request.body === undefined) throw new TandaError('validation_failed', 'send the cohort file as text/csv or as multipart/form-data');
  throw new TandaError('unsupported_media_type', 'the cohort file is sent as text/csv or as multipart/form-data');
}

/**
 * Cohort import over HTTP for the staff console: the CLI's `tanda rpl import-cohort`, done as the signed-in assessor
 * (the decisions are recorded as theirs). The bytes go to the domain undecoded, so the file's encoding is read
 * exactly as the CLI reads it (a byte-order mark or the declared one; invalid bytes refuse their lines).
 */
export const cohortImportRoutes: FastifyPluginAsync = async (app) => {
  const { rpl, db } = app.services;
  // Both registered here, so only this route takes these bodies: raw bytes, never a lenient UTF-8 string.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: COHORT_FILE_MAX_BYTES }, (_request, body, done) => done(null, body));
  await app.register(multipart, { limits: { fileSize: COHORT_FILE_MAX_BYTES, files: 1, fields: 1, parts: 2 } });

  app.post<{ Querystring: CohortQuery }>('/cohort-imports', {
    onRequest: signedIn,
    // The bodies, for the OpenAPI document only: a raw or streamed file is checked by the handler, not by a schema.
    config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: uploadBody }, url }) },
    schema: {
      tags: ['rpl'],
      summary: 'Import an assessment day (CSV: one returnee and their unit decisions per row) as the signed-in assessor; the per-row report',
      description:
        'Each row is all-or-nothing: a good row becomes a returnee (or reuses a registered one) and a case in `decided`, waiting for moderation; a bad row is reported with its line, a code and the reasons, and leaves nothing behind. Sending the same file again imports only the rows that did not land (`already_imported`); the same returnee, qualification and day twice is a `duplicate`. The file is read in `encoding` (default: a byte-order mark, else UTF-8); bytes not valid in it fail their lines. A file that is not a CSV, or has an unknown column, is refused whole (422 import_failed). With an Idempotency-Key the same request answers the first report again.',
      headers: idempotencyHeaderSchema,
      consumes: ['text/csv', 'multipart/form-data'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['qualification', 'date'],
        properties: {
          qualification: { type: 'string', minLength: 1, maxLength: 300, description: 'Catalogue id or code' },
          date: { type: 'string', format: 'date', description: 'The assessment day' },
          issuerId: { type: 'string', minLength: 1, maxLength: 200, description: 'The certifying body (default: the caller\'s)' },
          centreId: { type: 'string', minLength: 1, maxLength: 200, description: 'The assessment centre (its country is the assessment country)' },
          country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'Where the assessment was held, when no centre is named' },
          cohortRef: { type: 'string', minLength: 1, maxLength: 200, description: 'Default: <date>-<centre or country>' },
          encoding: { type: 'string', enum: [...COHORT_ENCODINGS] },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            cohortRef: { type: 'string' },
            total: { type: 'integer' },
            imported: { type: 'integer' },
            alreadyImported: { type: 'integer' },
            duplicates: { type: 'integer' },
            failed: { type: 'integer' },
            encoding: { type: 'string', enum: COHORT_ENCODINGS.filter((e) => e !== 'auto') },
            rows: { type: 'array', items: rowReport },
          },
        },
      },
    },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const { qualification, date, centreId, country, cohortRef, encoding } = request.query;
    const issuerId = request.query.issuerId ?? actor.issuerId;
    // Before a byte of a streamed form is read.
    authorize(actor, 'import', { kind: 'cohort', issuerId });
    const bytes = await fileBytes(request);
    const claim = await idempotencyClaim(db, request, reply, { query: request.query, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
    if (claim?.kind === 'replay') return reply.status(claim.statusCode).header('idempotent-replayed', 'true').send(claim.body);
    let report: CohortReport;
    try {
      report = await importCohort(rpl, actor, bytes, {
        issuerId: issuerId!, qualification, assessorId: actor.id, centreId: centreId ?? null, country: country ?? null, assessedOn: date,
        cohortRef: cohortRef ?? `${date}-${centreId ?? country ?? 'cohort'}`, encoding: encoding ?? 'auto',
      });
    } catch (e) {
      if (claim) await releaseIdempotencyKey(db, claim);
      throw e;
    }
    // A database's own words stay in the log, as for any internal error.
    for (const row of report.rows) {
      if (row.code === 'internal') {
        request.log.error({ line: row.line, errors: row.errors }, 'cohort import row refused by the database');
        row.errors = ['the database refused this row; nothing of it was kept: try the import again'];
      }
    }
    // The rows landed in their own transactions; the stored answer is the report. Should a retry have taken the key
    // over meanwhile, it answers the same rows (as already imported), so this answer stands.
    if (claim) await db.kysely.transaction().execute((tx) => completeIdempotencyKey(tx, claim, 200, report)).catch(() => undefined);
    return report;
  });
};
