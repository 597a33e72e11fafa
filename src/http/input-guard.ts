import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { isTandaError, TandaError } from '../errors.js';

/**
 * Text and numbers are checked once, at the edge, before any schema, handler or database sees them:
 * - JSON bodies are decoded as strict UTF-8 (the default parser turns bad bytes silently into U+FFFD);
 * - no string of the path, query or body, and no member name, holds NUL (PostgreSQL text refuses it with 22021, so
 *   it answered 500) or a lone UTF-16 surrogate (`"\ud800"` in JSON: no UTF-8 encoding exists, the database would
 *   store U+FFFD);
 * - no value nests deeper than MAX_DEPTH, and none is "__proto__" (see PROTO);
 * - every integer a route's schema leaves unbounded gets the 32-bit range (what a PostgreSQL integer column holds,
 *   and far beyond any count, page or year here), so 2^63 or 1e400 is a 400 and never reaches SQL.
 * A route that needs a wider integer says so with its own `minimum`/`maximum`.
 */

/** NUL, or a UTF-16 surrogate with no partner (in `u` mode a well-formed pair is one code point, not `\p{Cs}`). */
const FORBIDDEN = /[\u0000\p{Cs}]/u;

/**
 * jsonld.js files nodes in plain objects keyed by their IRI, so a document with an `id` (or any IRI value) of
 * exactly "__proto__" wrote `@id` onto Object.prototype, for the whole process, from one anonymous
 * POST /credentials/verify. No value of this API is that string; the JSON parser already refuses it as a member name.
 */
const PROTO = '__proto__';

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

function refuse(where: string): never {
  throw new TandaError('invalid_text', `${where}: text must be valid Unicode without NUL characters`, { details: { path: where } });
}

/** For text that arrives outside the parsed request (multipart fields, streamed parts): the same rule as the edge's. */
export function assertCleanText(value: string, where: string): void {
  if (FORBIDDEN.test(value)) refuse(where);
}

/**
 * Deeper than any request of this API (a credential is about ten levels deep), and shallow enough that no recursive
 * library downstream (JSON-LD expansion, canonicalisation, the serializer) runs out of stack: 20,000 levels in a
 * credential's `id` answered 500 from /credentials/verify.
 */
export const MAX_DEPTH = 64;

/**
 * Walks a parsed value without recursion (a 1 MB body can nest 500,000 levels, beyond the call stack) and refuses
 * the first bad string or member name, nesting beyond MAX_DEPTH, or a number that is not finite: JSON's 1e400
 * parses to Infinity, and ajv coerces a query's "1e400" to Infinity and then skips its range checks.
 */
export function assertCleanValue(value: unknown, where: string): void {
  const stack: Array<[unknown, string, number]> = [[value, where, 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (FORBIDDEN.test(v)) refuse(path);
      if (v === PROTO) throw new TandaError('validation_failed', `${path}: "${PROTO}" is not accepted as a value`, { details: { path } });
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new TandaError('validation_failed', `${path}: the number is out of range`, { details: { path } });
    } else if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
      if (depth >= MAX_DEPTH) throw new TandaError('validation_failed', `${where}: nested deeper than ${MAX_DEPTH} levels`, { details: { path: where } });
      for (const key of Object.keys(v)) {
        if (FORBIDDEN.test(key)) refuse(`${path}/(member name)`);
        if (key === PROTO) throw new TandaError('validation_failed', `${path}: "${PROTO}" is not accepted as a member name`, { details: { path } });
        stack.push([(v as Record<string, unknown>)[key], `${path}/${key}`, depth + 1]);
      }
    }
  }
}

/**
 * busboy (under @fastify/multipart) reports a body with no boundary, a cut-off body or a broken part header with
 * plain Errors that carry no code, so their messages are all there is to tell them from a failing disk.
 */
const MALFORMED_MULTIPART = /^(Multipart: Boundary not found|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data|Malformed part header|Boundary required)/;

/** The multipart parts (or one part's bytes), with the parser's complaints about the body answered as the client's fault. */
export async function* malformedAsClientError<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (e) {
    if (!isTandaError(e) && e instanceof Error && MALFORMED_MULTIPART.test(e.message)) throw new TandaError('invalid_multipart', undefined, { cause: e });
    throw e;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

type SchemaNode = Record<string | symbol, unknown>;

/** A copy of the schema where every integer without a bound has the 32-bit one; the route's own bounds stay. */
export function boundIntegers<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(boundIntegers) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const copy: SchemaNode = { ...(schema as SchemaNode) };
  for (const [k, v] of Object.entries(copy)) if (v && typeof v === 'object') copy[k] = boundIntegers(v);
  const types = [copy.type].flat();
  if (types.includes('integer')) {
    if (copy.maximum === undefined && copy.exclusiveMaximum === undefined) copy.maximum = INT32_MAX;
    if (copy.minimum === undefined && copy.exclusiveMinimum === undefined) copy.minimum = INT32_MIN;
  }
  return copy as T;
}

/** Installs the strict JSON parser, the text check and the integer bounds; before any route is registered. */
export function installInputGuard(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(new TandaError('invalid_text', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });

  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema) return;
    for (const part of ['params', 'querystring', 'body', 'headers'] as const) if (schema[part]) schema[part] = boundIntegers(schema[part]);
  });

  // After validation, so numbers are checked as the schema coerced them.
  app.addHook('preHandler', async (request: FastifyRequest) => {
    // A route that declares bodies per media type is not validated when the request names none: it would reach the
    // handler with no body at all.
    const declared = (request.routeOptions.schema as { body?: unknown } | undefined)?.body;
    if (declared && request.body === undefined) throw new TandaError('validation_failed', 'this route needs a request body');
    assertCleanValue(request.params, 'params');
    assertCleanValue(request.query, 'querystring');
    if (typeof request.body === 'string' || (request.body && typeof request.body === 'object')) assertCleanValue(request.body, 'body');
  });
}
