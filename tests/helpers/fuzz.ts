import type { FastifyInstance, InjectOptions } from 'fastify';
import fc from 'fast-check';
import { ERRORS } from '../../src/errors.js';

/**
 * Requests generated from the app's own OpenAPI document: for every operation, path parameters, query strings,
 * headers and bodies that are valid enough to reach the handler (from the schema and from `hints`: ids and documents
 * that exist) mixed with malformed, boundary and hostile values. Shared by tests/http/fuzz.test.ts and the bench.
 */

type Schema = Record<string, unknown>;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json } | Raw;

/** JSON text emitted as is: numbers JSON.stringify cannot write (1e400, 2^64 exactly), deep nesting, proto keys. */
class Raw {
  constructor(readonly text: string) {}
}

/** JSON.stringify that writes Raw values verbatim; the nesting it walks is the generator's, so a few levels. */
function toJsonText(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

export interface Operation {
  method: string;
  /** OpenAPI path, `{name}` for a parameter. */
  path: string;
  pathParams: Array<{ name: string; schema: Schema }>;
  query: Array<{ name: string; schema: Schema }>;
  /** Media type → schema of the request body. */
  body: Record<string, Schema>;
}

export function operationsFrom(doc: { paths?: Record<string, Record<string, unknown>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as { parameters?: Array<{ in: string; name: string; schema?: Schema }>; requestBody?: { content?: Record<string, { schema?: Schema }> } };
      const params = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: Object.fromEntries(Object.entries(op.requestBody?.content ?? {}).map(([type, c]) => [type, c.schema ?? {}])),
      });
    }
  }
  return ops;
}

/**
 * Values that exist (ids, documents), by parameter or property name, or `path#name` for one route's path parameter;
 * the generator prefers them to what it makes up from the schema.
 */
export type Hints = Record<string, Json[]>;

const LONE_SURROGATES = ['\ud800', 'a\udfffb', '\udc00\ud800'];
const DEEP = 20_000;
const hostileStrings: string[] = [
  '', ' ', '\u0000', 'a\u0000b', ...LONE_SURROGATES, 'x'.repeat(70_000), '\ufeff', '\u202eevil', '𝓣𝓪𝓷𝓭𝓪 🇵🇭', 'ไทย ລາວ ខ្មែរ မြန်မာ',
  '../../../etc/passwd', '%00', '%', "' OR 1=1 --", '<script>alert(1)</script>', 'javascript:alert(1)', 'null', 'NaN', '-1',
  '9223372036854775808', '18446744073709551616', '1e400', 'urn:uuid:00000000-0000-0000-0000-000000000000', 'did:key:z', 'did:web:%00',
  'https://tanda.test/credentials/../../x', '2026-02-30', '0000-00-00T00:00:00Z', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00.000Z',
  '2026-01-01T00:00:00+25:00', '__proto__', 'constructor',
];
const hostileNumbers: Json[] = [
  0, -1, -0, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, 1e308, -1e308, Number.MIN_VALUE,
  new Raw('1e400'), new Raw('-1e400'), new Raw('9223372036854775808'), new Raw('123456789012345678901234567890'), new Raw('0.0000000000000000000000001'),
];
const hostileStructures: Json[] = [
  null, true, false, [], {}, [null], [[]], { '': '' },
  new Raw(`${'['.repeat(DEEP)}${']'.repeat(DEEP)}`),
  new Raw(`${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`),
  new Raw('{"__proto__":{"isAdmin":true}}'),
  new Raw('{"constructor":{"prototype":{"isAdmin":true}}}'),
  new Raw('{"a":1,"a":2}'),
  Array.from({ length: 5000 }, (_, i) => i),
  Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])),
];

const loneSurrogateString = fc.array(fc.oneof(fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), fc.constantFrom('a', '\u0000', 'é')), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));

/** Any hostile JSON value: wrong types, boundary numbers, NUL and lone surrogates, huge and deep structures. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 3, arbitrary: fc.constantFrom(...hostileNumbers) },
  { weight: 2, arbitrary: fc.constantFrom(...hostileStructures) },
  { weight: 1, arbitrary: loneSurrogateString },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

const ISO_MIN = new Date('1900-01-01T00:00:00Z');
const ISO_MAX = new Date('2100-01-01T00:00:00Z');

/** A value meant to satisfy the schema (boundaries included), preferring hinted values for a named field. */
function validFor(schema: Schema, name: string, hints: Hints, depth: number): fc.Arbitrary<Json> {
  const own = schemaValue(schema, hints, depth);
  const hinted = hints[name];
  return hinted?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hinted) }, { weight: 1, arbitrary: own }) : own;
}

function schemaValue(schema: Schema, hints: Hints, depth: number): fc.Arbitrary<Json> {
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...(schema.enum as Json[]));
  if ('const' in schema) return fc.constant(schema.const as Json);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => schemaValue(s, hints, depth)));
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (schema.nullable) types.push('null');
  if (!types.length) return depth > 2 ? fc.constantFrom<Json>('x', 1, true, null) : fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean());
  return fc.oneof(...types.map((type) => typedValue(type, schema, hints, depth)));
}

function typedValue(type: string, schema: Schema, hints: Hints, depth: number): fc.Arbitrary<Json> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1e6;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1e6;
      const inRange = type === 'integer' ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }) : fc.double({ min, max, noNaN: true });
      return fc.oneof({ weight: 3, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
    }
    case 'string': {
      const format = schema.format as string | undefined;
      if (format === 'date-time') return fc.date({ min: ISO_MIN, max: ISO_MAX, noInvalidDate: true }).map((d) => d.toISOString());
      if (format === 'date') return fc.date({ min: ISO_MIN, max: ISO_MAX, noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (format === 'email') return fc.emailAddress();
      if (format === 'uri' || format === 'url') return fc.webUrl();
      if (format === 'uuid') return fc.uuid();
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 200;
      return fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength, maxLength: Math.max(minLength, Math.min(maxLength, 40)) }) },
        { weight: 1, arbitrary: fc.constantFrom('x'.repeat(maxLength), 'x'.repeat(minLength)) },
      );
    }
    case 'array': {
      const items = (schema.items as Schema | undefined) ?? {};
      if (depth > 3) return fc.constant([]);
      const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : 3;
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return fc.array(schemaValue(items, hints, depth + 1), { minLength: minItems, maxLength: Math.max(minItems, Math.min(3, maxItems)) });
    }
    case 'object':
      return objectValue(schema, hints, depth);
    default:
      return fc.constant(null);
  }
}

/** An object of the schema's shape: every required member, some of the optional ones. */
function objectValue(schema: Schema, hints: Hints, depth: number): fc.Arbitrary<Json> {
  if (depth > 3) return fc.constant({});
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const fields: Record<string, fc.Arbitrary<Json | undefined>> = {};
  for (const [name, s] of Object.entries(properties)) {
    const value = validFor(s, name, hints, depth + 1);
    fields[name] = required.has(name) ? value : fc.option(value, { nil: undefined, freq: 2 });
  }
  return fc.record(fields).map((record) => {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
    return out;
  });
}

/**
 * The value with one member, at most four levels down, replaced by a hostile value, removed, or joined by an
 * unknown one: a request that is valid but for one thing, so it fails (or passes) on that thing.
 */
export function mutated(value: Json): fc.Arbitrary<Json> {
  const paths: string[][] = [[]];
  const walk = (v: Json, path: string[]) => {
    if (path.length >= 4 || !v || typeof v !== 'object' || v instanceof Raw) return;
    for (const [k, child] of Object.entries(v)) {
      paths.push([...path, k]);
      walk(child, [...path, k]);
    }
  };
  walk(value, []);
  const action = fc.oneof(
    { weight: 6, arbitrary: hostileValue.map((h) => ({ set: h })) },
    { weight: 2, arbitrary: fc.constant({ remove: true as const }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('unexpected', '__proto__', '', 'a\u0000', '\ud800'), hostileValue).map(([key, h]) => ({ add: key, value: h })) },
  );
  return fc.tuple(fc.constantFrom(...paths), action).map(([path, act]) => {
    if (!path.length && 'set' in act) return act.set;
    const copy = structuredClone(value) as Record<string, Json>;
    let target = copy;
    for (const k of path.slice(0, path.length - ('add' in act ? 0 : 1))) target = target[k] as Record<string, Json>;
    if (!target || typeof target !== 'object' || target instanceof Raw) return copy;
    const last = path[path.length - 1]!;
    // defineProperty, so `__proto__` becomes a member and not the object's prototype.
    if ('add' in act) Object.defineProperty(target, act.add, { value: act.value, enumerable: true, writable: true, configurable: true });
    else if ('remove' in act) Array.isArray(target) ? target.splice(Number(last), 1) : delete target[last];
    else target[last] = act.set;
    return copy;
  });
}

/** Path segments: existing ids, and what a router or a database driver may choke on. */
const hostileSegments = [
  '%00', 'a%00b', '%ED%A0%80', '%ED%BF%BF', '%FF', '%C0%80', '%E2%82', '%', '%zz', '..', '.', '%2e%2e%2f', '-1', '0', '9223372036854775808',
  '1e400', 'x'.repeat(5000), '%20', 'null', 'undefined', '%F0%9F%87%B5%F0%9F%87%AD', encodeURIComponent("' OR 1=1 --"), 'did%3Akey%3Az',
];

/** Query values, written raw (already encoded) so they can be invalid percent-encoding too. */
const hostileQueryValues = [
  '', '%00', '%ED%A0%80', '%FF', '%', '-1', '-0', '0', '1.5', '1e400', '9223372036854775808', '18446744073709551616', '99999999999999999999999',
  'NaN', 'Infinity', 'true', 'x'.repeat(3000), '2026-02-30', '0000-00-00', '9999-12-31T23:59:59Z', '2026-01-01%2B25%3A00', '%2E%2E',
];

export type Caller = { name: string; headers: Record<string, string> };

export interface FuzzRequest extends InjectOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /** `METHOD /path` from the OpenAPI document. */
  route: string;
  caller: string;
  /** What kind of body was sent, for the report. */
  bodyKind: string;
}

const encodeValue = (v: Json) => encodeURIComponent(typeof v === 'string' ? v : v instanceof Raw ? v.text : toJsonText(v));

/** Each path parameter an existing id (or, lacking one, a value of its schema); `hostile` makes one of them hostile. */
function pathArbitrary(op: Operation, hints: Hints, hostile: boolean): fc.Arbitrary<string> {
  const valid = op.pathParams.map((p) => {
    const hinted = hints[`${op.path}#${p.name}`] ?? hints[p.name];
    return (hinted?.length ? fc.constantFrom(...hinted) : validFor(p.schema, p.name, {}, 0)).map(encodeValue);
  });
  const bad = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...hostileSegments) },
    { weight: 1, arbitrary: fc.oneof(loneSurrogateString, fc.string({ unit: 'binary', maxLength: 30 })).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'))) },
  );
  return fc.tuple(fc.tuple(...valid), fc.nat(), bad).map(([values, which, replacement]) => {
    if (hostile && values.length) values[which % values.length] = replacement;
    let i = 0;
    return op.path.replace(/\{[^}]+\}/g, () => values[i++]!);
  });
}

/** Some of the query parameters, with valid values; `hostile` spoils one (a raw, maybe ill-encoded value, a repeat, an unknown name). */
function queryArbitrary(op: Operation, hints: Hints, hostile: boolean): fc.Arbitrary<string> {
  const valid = op.query.map((q) => fc.option(validFor(q.schema, q.name, hints, 0).map((v) => `${q.name}=${encodeValue(v)}`), { nil: undefined, freq: 2 }));
  const names = op.query.map((q) => q.name);
  const bad = fc.oneof(
    { weight: names.length ? 4 : 0, arbitrary: fc.tuple(fc.constantFrom(...(names.length ? names : ['x'])), fc.constantFrom(...hostileQueryValues)).map(([n, v]) => ({ name: n, part: `${n}=${v}` })) },
    { weight: names.length ? 1 : 0, arbitrary: fc.tuple(fc.constantFrom(...(names.length ? names : ['x'])), fc.constantFrom(...hostileQueryValues), fc.constantFrom(...hostileQueryValues)).map(([n, a, b]) => ({ name: n, part: `${n}=${a}&${n}=${b}` })) },
    { weight: 1, arbitrary: fc.constantFrom('unknown=1', '__proto__[x]=1', 'a[b][c]=1', '%00=1', '&&&', '=', '%ED%A0%80=1').map((part) => ({ name: '', part })) },
  );
  return fc.tuple(fc.tuple(...valid), bad).map(([parts, spoil]) => {
    const all = parts.filter((x): x is string => x !== undefined);
    const kept = hostile ? [...all.filter((x) => !x.startsWith(`${spoil.name}=`)), spoil.part] : all;
    return kept.length ? `?${kept.join('&')}` : '';
  });
}

type Body = { kind: string; headers: Record<string, string>; payload?: string | Buffer };

function multipartBody(boundary: string, fields: Record<string, string>, file?: Buffer, close = true): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="f.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`), file, Buffer.from('\r\n'));
  if (close) parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(64, 7)]);
const DOCUMENTS = ['credential', 'verifiableCredential', 'verifiablePresentation'];

/** A valid body for the route (`hostile` false), or one with one thing wrong in it or about it. */
function bodyArbitrary(op: Operation, hints: Hints, hostile: boolean): fc.Arbitrary<Body> {
  const json = (kind: string) => (v: Json): Body => ({ kind, headers: { 'content-type': 'application/json' }, payload: toJsonText(v) });
  const valid: Array<fc.WeightedArbitrary<Body>> = [];
  const bad: Array<fc.WeightedArbitrary<Body>> = [];
  const jsonSchema = op.body['application/json'];
  if (jsonSchema) {
    const base = validFor(jsonSchema, '', hints, 0);
    valid.push({ weight: 1, arbitrary: base.map(json('json')) });
    bad.push({ weight: 8, arbitrary: base.chain(mutated).map(json('json, one member hostile')) });
    bad.push({ weight: 1, arbitrary: hostileValue.map(json('json, hostile root')) });
    // A document the route signs or verifies, one member made hostile: what the schema does not look into.
    const props = (jsonSchema.properties ?? {}) as Record<string, Schema>;
    const documents = DOCUMENTS.filter((name) => name in props && hints[name]?.length);
    if (documents.length) {
      bad.push({
        weight: 10,
        arbitrary: fc.tuple(base, fc.constantFrom(...documents)).chain(([rest, name]) =>
          fc.constantFrom(...hints[name]!).chain(mutated).map((doc) => json('json, hostile document')({ ...(rest as Record<string, Json>), [name]: doc }))),
      });
    }
    bad.push({
      weight: 2,
      arbitrary: base.map((v) => {
        // Invalid UTF-8 inside the text: an encoded surrogate, a lone continuation byte, an overlong NUL.
        const text = toJsonText(v);
        const at = text.lastIndexOf('"');
        const payload = at > 0
          ? Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xed, 0xa0, 0x80, 0xff, 0xc0, 0x80]), Buffer.from(text.slice(at))])
          : Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}')]);
        return { kind: 'invalid-utf8', headers: { 'content-type': 'application/json' }, payload };
      }),
    });
    bad.push({ weight: 1, arbitrary: base.map((v) => ({ kind: 'truncated-json', headers: { 'content-type': 'application/json' }, payload: toJsonText(v).slice(0, -1) })) });
    bad.push({ weight: 1, arbitrary: fc.constant({ kind: 'huge-json', headers: { 'content-type': 'application/json' }, payload: `{"a":"${'x'.repeat(1024 * 1024 + 10)}"}` }) });
  }
  if (op.body['text/csv']) {
    const cell = fc.oneof(fc.constantFrom(...hostileStrings.filter((x) => x.length < 100)), fc.string({ maxLength: 10 }), fc.integer({ min: -2, max: 12 }).map(String));
    valid.push({ weight: 1, arbitrary: fc.array(fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 8 })), { maxLength: 4 }).map((rows) => ({ kind: 'csv', headers: { 'content-type': 'text/csv' }, payload: ['national_level,aqrf_level', ...rows.map((r) => r.join(','))].join('\n') })) });
    bad.push({ weight: 3, arbitrary: fc.array(fc.array(cell, { maxLength: 4 }), { maxLength: 4 }).map((rows) => ({ kind: 'csv, hostile cells', headers: { 'content-type': 'text/csv' }, payload: rows.map((r) => r.join(',')).join('\n') })) });
    bad.push({ weight: 1, arbitrary: fc.constant({ kind: 'csv-invalid-utf8', headers: { 'content-type': 'text/csv' }, payload: Buffer.from([0x61, 0x2c, 0xff, 0xfe, 0x0a, 0xed, 0xa0, 0x80]) }) });
  }
  if (op.body['multipart/form-data']) {
    const boundary = 'fuzzboundary1234';
    const form = (kind: string, type: string) => (payload: Buffer | string): Body => ({ kind, headers: { 'content-type': type }, payload });
    const good = fc.record({ kind: fc.constantFrom('work_photo', 'other'), title: fc.string({ minLength: 1, maxLength: 30 }) });
    const spoiled = fc.record({ kind: fc.constantFrom('work_photo', 'other', '', 'a\u0000', 'x'.repeat(5000)), title: fc.constantFrom(...hostileStrings.filter((x) => x.length < 5000)) }, { requiredKeys: [] });
    valid.push({ weight: 1, arbitrary: good.map((f) => form('multipart', `multipart/form-data; boundary=${boundary}`)(multipartBody(boundary, f, JPEG))) });
    bad.push({ weight: 3, arbitrary: spoiled.map((f) => form('multipart, hostile fields', `multipart/form-data; boundary=${boundary}`)(multipartBody(boundary, f as Record<string, string>, JPEG))) });
    bad.push({ weight: 3, arbitrary: good.map((f) => form('multipart-no-boundary', 'multipart/form-data')(multipartBody(boundary, f, JPEG))) });
    bad.push({ weight: 3, arbitrary: fc.tuple(good, fc.integer({ min: 1, max: 200 })).map(([f, cut]) => {
      const full = multipartBody(boundary, f, JPEG, false);
      return form('multipart-truncated', `multipart/form-data; boundary=${boundary}`)(full.subarray(0, Math.max(0, full.length - cut)));
    }) });
    bad.push({ weight: 1, arbitrary: fc.constant(form('multipart-empty', `multipart/form-data; boundary=${boundary}`)('')) });
    bad.push({ weight: 1, arbitrary: fc.constant(form('multipart-garbage-boundary', 'multipart/form-data; boundary=')('--\r\n\r\n--')) });
  }
  if (!valid.length) valid.push({ weight: 1, arbitrary: fc.constant({ kind: 'none', headers: {} }) });
  // What every route meets: no body, an empty one, a content type it does not take.
  bad.push({ weight: 1, arbitrary: fc.constant({ kind: 'none', headers: {} }) });
  bad.push({ weight: 1, arbitrary: fc.constant({ kind: 'empty-json', headers: { 'content-type': 'application/json' }, payload: '' }) });
  bad.push({
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/ld+json', 'multipart/mixed', ';;;', 'text/csv'), fc.constantFrom('{}', 'a=1&b=2', '<x/>', ''))
      .map(([type, payload]) => ({ kind: `content-type ${type}`, headers: { 'content-type': type }, payload })),
  });
  return fc.oneof(...(hostile ? bad : valid));
}

const acceptHeaders = fc.constantFrom('application/json', 'application/ld+json', 'application/vc+ld+json', 'text/html', 'image/png', '*/*', 'garbage;;q=x', 'application/json;q=0', '');

const HOSTILE_AUTH: Caller[] = [
  { name: 'malformed bearer', headers: { authorization: 'Bearer ' } },
  { name: 'unknown token', headers: { authorization: `Bearer tnd_${'0'.repeat(40)}` } },
  { name: 'basic auth', headers: { authorization: 'Basic YTpi' } },
  { name: 'huge bearer', headers: { authorization: `Bearer ${'x'.repeat(8000)}` } },
];

/**
 * Requests to this operation from these callers: some valid throughout, the rest with exactly one thing wrong (a
 * path parameter, the query, the body or its encoding, the credentials, Accept), so each reaches as far as it can.
 */
export function requestArbitrary(op: Operation, hints: Hints, callers: Caller[], options: { valid?: boolean; admitted?: Caller[] } = {}): fc.Arbitrary<FuzzRequest> {
  const spoil = options.valid
    ? fc.constant('none' as const)
    : fc.constantFrom(...(['none', 'query', 'body', 'body', 'body', 'body', 'auth', 'accept'] as const), ...(op.pathParams.length ? (['path', 'path'] as const) : []));
  // Mostly callers the route lets in (so requests reach the handler), the others too (so refusals are fuzzed as well).
  const admitted = options.admitted?.length ? options.admitted : callers;
  const caller = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...admitted) }, { weight: 1, arbitrary: fc.constantFrom(...callers) });
  return spoil.chain((part) =>
    fc.record({
      path: pathArbitrary(op, hints, part === 'path'),
      query: queryArbitrary(op, hints, part === 'query'),
      body: bodyArbitrary(op, hints, part === 'body'),
      caller: part === 'auth' ? fc.constantFrom(...HOSTILE_AUTH) : caller,
      accept: part === 'accept' ? acceptHeaders : fc.constant(undefined),
    }),
  ).map(({ path, query, body, caller, accept }) => ({
    method: op.method as FuzzRequest['method'],
    url: `${path}${query}`,
    route: `${op.method} ${op.path}`,
    caller: caller.name,
    bodyKind: body.kind,
    headers: { ...caller.headers, ...body.headers, ...(accept ? { accept } : {}) },
    ...(body.payload !== undefined ? { payload: body.payload } : {}),
  }));
}

export interface FuzzFinding {
  route: string;
  url: string;
  caller: string;
  bodyKind: string;
  status?: number;
  body?: string;
}

export interface FuzzOutcome {
  tried: number;
  serverErrors: FuzzFinding[];
  hangs: FuzzFinding[];
  /** 4xx answers (other than HTML pages) whose body is not the error schema with a code of the error table. */
  uncoded: FuzzFinding[];
  /** Answers by status code, to see how far requests got (all 400s would mean the fuzzer never passed the schema). */
  statuses: Record<number, number>;
  /** Answers by error code. */
  codes: Record<string, number>;
}

/**
 * Sends the requests one by one. A request that has not answered after `timeoutMs` counts as a hang (not a timing
 * assertion: the bound is far above any answer, and only tells a stuck request from a slow one).
 */
/**
 * The error table's code of an answer; OAuth 2.0's own error body (`{error, error_description}`, which the OID4VCI
 * endpoints must answer with) counts as coded. Fastify's default error body has a `code` too, but not one of ours.
 */
function errorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; error?: unknown };
    if (typeof parsed.code === 'string') return parsed.code;
    return typeof parsed.error === 'string' ? 'oauth2_error' : undefined;
  } catch {
    return undefined;
  }
}

export async function sendAll(app: FastifyInstance, requests: FuzzRequest[], timeoutMs: number): Promise<FuzzOutcome> {
  const outcome: FuzzOutcome = { tried: 0, serverErrors: [], hangs: [], uncoded: [], statuses: {}, codes: {} };
  for (const r of requests) {
    const { route, caller, bodyKind, ...options } = r;
    const finding: FuzzFinding = { route, url: r.url.length > 200 ? `${r.url.slice(0, 200)}…` : r.url, caller, bodyKind };
    outcome.tried++;
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), timeoutMs);
    });
    const res = await Promise.race([app.inject(options), hang]).finally(() => clearTimeout(timer));
    if (res === 'hang') {
      outcome.hangs.push(finding);
      continue;
    }
    outcome.statuses[res.statusCode] = (outcome.statuses[res.statusCode] ?? 0) + 1;
    const code = res.statusCode >= 400 ? errorCode(res.body) : undefined;
    if (code) outcome.codes[code] = (outcome.codes[code] ?? 0) + 1;
    // Pages for people (a share link, the verifier) answer their 4xx as HTML by design; every API answer is the error body.
    const page = String(res.headers['content-type'] ?? '').startsWith('text/html');
    if (res.statusCode >= 400 && res.statusCode < 500 && !page && !(code && (code in ERRORS || code === 'oauth2_error'))) outcome.uncoded.push({ ...finding, status: res.statusCode, body: res.body.slice(0, 300) });
    if (res.statusCode >= 500) outcome.serverErrors.push({ ...finding, status: res.statusCode, body: res.body.slice(0, 300) });
  }
  return outcome;
}

/** `runs` requests per operation, reproducible from the seed (the operation's index is added to it). */
export function generate(ops: Operation[], hints: Hints, callers: Caller[], seed: number, runs: number, admitted: Map<string, Caller[]> = new Map()): FuzzRequest[] {
  return ops.flatMap((op, i) => fc.sample(requestArbitrary(op, hints, callers, { admitted: admitted.get(`${op.method} ${op.path}`) }), { seed: seed + i, numRuns: runs }));
}

/**
 * Which callers each operation lets in: one valid request per caller, and whoever is not answered 401 or 403 is
 * admitted. Operations in `skip` (those that end a session or erase data) are not probed.
 */
export async function probeAdmitted(app: FastifyInstance, ops: Operation[], hints: Hints, callers: Caller[], seed: number, skip: string[]): Promise<Map<string, Caller[]>> {
  const admitted = new Map<string, Caller[]>();
  for (const [i, op] of ops.entries()) {
    const route = `${op.method} ${op.path}`;
    if (skip.includes(route)) continue;
    const ok: Caller[] = [];
    for (const caller of callers) {
      const [request] = fc.sample(requestArbitrary(op, hints, [caller], { valid: true }), { seed: seed + i, numRuns: 1 });
      const { route: _r, caller: _c, bodyKind: _b, ...options } = request!;
      const res = await app.inject(options);
      if (res.statusCode !== 401 && res.statusCode !== 403) ok.push(caller);
    }
    admitted.set(route, ok);
  }
  return admitted;
}
