import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, isTandaError, type ErrorCode } from '../errors.js';

interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
  requestId: string;
}

/** Fastify's own error codes for malformed requests, mapped onto ours (the only place HTTP meets error codes). */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'unsupported_media_type',
  FST_REQ_FILE_TOO_LARGE: 'payload_too_large',
  FST_FILES_LIMIT: 'payload_too_large',
  FST_PARTS_LIMIT: 'payload_too_large',
};

/** Refusals of an overloaded pool: the client is told when to come back (seconds). */
const RETRY_AFTER: Partial<Record<ErrorCode, number>> = { verification_busy: 1, certificate_render_busy: 5 };

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let code: ErrorCode;
    let message: string;
    let details: unknown;
    if (isTandaError(error)) {
      ({ code, message, details } = error);
    } else if (error.validation) {
      const unknown = error.validation.filter((v) => v.keyword === 'additionalProperties');
      code = unknown.length ? 'unknown_field' : 'validation_failed';
      message = unknown.length
        ? `unknown field(s): ${unknown.map((v) => `${v.instancePath || error.validationContext || ''}/${String((v.params as { additionalProperty?: string }).additionalProperty)}`).join(', ')}`
        : `${error.validationContext ?? 'request'}${error.message.replace(/^(body|querystring|params|headers)/, '')}`;
      details = error.validation.map((v) => ({ path: v.instancePath, keyword: v.keyword, message: v.message }));
    } else if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      code = 'invalid_json';
      message = ERRORS.invalid_json.message;
    } else if (error.code && FASTIFY_CODES[error.code]) {
      code = FASTIFY_CODES[error.code]!;
      message = ERRORS[code].message;
    } else if (error.statusCode === 429) {
      code = 'rate_limited';
      message = ERRORS.rate_limited.message;
    } else if (error.statusCode && error.statusCode < 500) {
      code = error.statusCode === 404 ? 'not_found' : error.statusCode === 413 ? 'payload_too_large' : error.statusCode === 415 ? 'unsupported_media_type' : 'validation_failed';
      message = error.message;
    } else {
      // Internals never reach the client: the log has the cause, the client the request id to quote.
      request.log.error({ err: error }, 'unhandled error');
      code = 'internal';
      message = ERRORS.internal.message;
    }
    const status = ERRORS[code].status;
    if (status >= 500 && isTandaError(error)) request.log.error({ err: error }, 'operational error');
    // A 5xx says what kind of failure it was and nothing of its cause (paths, hashes, addresses, driver messages,
    // even our own): the table's sentence and the request id, which finds the cause in the log.
    const body: ErrorBody = status >= 500
      ? { code, message: ERRORS[code].message, requestId: request.id }
      : { code, message, requestId: request.id, ...(details !== undefined ? { details } : {}) };
    const retryAfter = RETRY_AFTER[code];
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.status(status).type('application/json').send(body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, requestId: request.id }),
  );
}

/**
 * The router's own refusals (a path that is not percent-encoded UTF-8, a path parameter beyond its length limit)
 * reach neither hooks nor the error handler; fastify hands them here (its `frameworkErrors` option) so they answer
 * with the one error body as well.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const code: ErrorCode = error.code === 'FST_ERR_BAD_URL' ? 'invalid_text' : error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : 'internal';
  if (code === 'internal') request.log.error({ err: error }, 'router error');
  const message = code === 'invalid_text' ? 'the path is not valid percent-encoded UTF-8' : ERRORS[code].message;
  void reply.status(ERRORS[code].status).type('application/json').send({ code, message, requestId: request.id });
}
