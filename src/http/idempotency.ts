import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.js';
import { TandaError, isTandaError } from '../errors.js';
import { IDEMPOTENCY_KEY_PATTERN, claimIdempotencyKey, requestFingerprint, type Claim } from '../idempotency/store.js';
import { actorOf } from './access.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** OpenAPI: the header as routes that honour it declare it. */
export const idempotencyHeaderSchema = {
  type: 'object',
  properties: {
    [IDEMPOTENCY_HEADER]: {
      type: 'string',
      description:
        'IETF draft "The Idempotency-Key HTTP Header Field": the same key and the same body within 24 h answer the stored response again (header Idempotent-Replayed: true) instead of acting twice; the same key with another body is 400 idempotency_key_mismatch; while the first is still running, 409 idempotency_key_in_flight with Retry-After. Keys are per account, 1-255 printable ASCII characters (a structured-field string in quotes is accepted too).',
    },
  },
} as const;

/**
 * The request's claim on its Idempotency-Key, or undefined when it sends none. `what` is what makes two requests
 * the same (the JSON body by default; a route whose meaning is in the query or an uploaded file says so). Answers a replay itself (the
 * caller returns `reply` then); a key still in flight is 409 with Retry-After.
 */
export async function idempotencyClaim(db: Db, request: FastifyRequest, reply: FastifyReply, what: unknown = request.body): Promise<Claim | undefined> {
  const header = request.headers[IDEMPOTENCY_HEADER];
  if (header === undefined) return undefined;
  // The draft's value is a structured-field string ("…"); a bare token is what most clients send.
  const key = typeof header === 'string' ? header.trim().replace(/^"(.*)"$/, '$1') : '';
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw new TandaError('idempotency_key_invalid');
  const fingerprint = requestFingerprint(request.method, request.routeOptions.url ?? request.url, what);
  try {
    return await claimIdempotencyKey(db, actorOf(request).id, key, fingerprint);
  } catch (e) {
    if (isTandaError(e) && e.code === 'idempotency_key_in_flight') {
      void reply.header('retry-after', String((e.details as { retryAfterSeconds: number }).retryAfterSeconds));
    }
    throw e;
  }
}
