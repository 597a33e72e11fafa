import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCleanValue, boundIntegers, INT32_MAX, MAX_DEPTH } from '../../src/http/input-guard.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge } from '../helpers/credentials.js';
import { testDialect } from '../helpers/db.js';
import { FILES, rplFixture, type RplFixture } from '../rpl/fixtures.js';

let t: TestContext;
let f: RplFixture;
let candidate: { authorization: string };
let caseId: string;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  const c = await f.registerCandidate();
  candidate = await f.candidateSession(c.email);
  caseId = (await f.openCase(candidate)).id;
});
afterAll(async () => t.close());

const codeOf = (res: { statusCode: number; json(): { code: string } }) => [res.statusCode, res.json().code];

describe(`text at the edge on ${testDialect}`, () => {
  it('a NUL in a path parameter is invalid_text before any query (PostgreSQL refused it with 22021: a 500)', async () => {
    for (const url of ['/qualifications/%00', `/cases/a%00b`, '/credentials/%00/history', '/issuers/x%00/did.json']) {
      const res = await t.app.inject({ method: 'GET', url, headers: f.admin });
      expect(codeOf(res), url).toEqual([400, 'invalid_text']);
    }
  });

  it('a NUL or a lone surrogate in a JSON string or member name, or in the query, is invalid_text', async () => {
    const login = (payload: string) => t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload });
    expect(codeOf(await login('{"email":"a\\u0000b@example.org","password":"x"}'))).toEqual([400, 'invalid_text']);
    expect(codeOf(await login('{"email":"a@example.org","password":"\\ud800"}'))).toEqual([400, 'invalid_text']);
    const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', headers: { 'content-type': 'application/json' }, payload: '{"verifiableCredential":{"a\\u0000":1}}' });
    expect(codeOf(res)).toEqual([400, 'invalid_text']);
    expect(res.json().details).toEqual({ path: 'body/verifiableCredential/(member name)' });
    expect(codeOf(await t.app.inject({ method: 'GET', url: '/qualifications?q=%00', headers: f.admin }))).toEqual([400, 'invalid_text']);
    // A surrogate pair is one character, not a lone surrogate.
    expect((await t.app.inject({ method: 'GET', url: `/qualifications?q=${encodeURIComponent('𝓣')}` })).statusCode).toBe(200);
  });

  it('a JSON body that is not UTF-8 is invalid_text, not silently read with U+FFFD in place of its bytes', async () => {
    const payload = Buffer.concat([Buffer.from('{"email":"a'), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from('@example.org","password":"x"}')]);
    const res = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload });
    expect(codeOf(res)).toEqual([400, 'invalid_text']);
    // The strict parser keeps the default one's protections and answers.
    const proto = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1},"email":"a@b.c","password":"x"}' });
    expect(proto.statusCode).toBe(400);
    const empty = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(codeOf(empty)).toEqual([400, 'invalid_json']);
  });

  it('assertCleanValue refuses nesting beyond MAX_DEPTH, and walks 100,000 levels to say so without overflowing', () => {
    const nest = (levels: number, leaf: unknown) => {
      let v = leaf;
      for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
      return v;
    };
    expect(() => assertCleanValue(nest(MAX_DEPTH, 'ok'), 'body')).not.toThrow();
    expect(() => assertCleanValue(nest(MAX_DEPTH + 1, 'ok'), 'body')).toThrow(/nested deeper than 64 levels/);
    expect(() => assertCleanValue(nest(100_000, 'ok'), 'body')).toThrow(/nested deeper/);
    expect(() => assertCleanValue(nest(10, '\u0000'), 'body')).toThrow(/NUL/);
  });

  it('a credential nested 20,000 levels deep is refused before verification (it overflowed the stack: a 500)', async () => {
    const payload = `{"verifiableCredential":{"@context":["https://www.w3.org/ns/credentials/v2"],"id":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}}`;
    const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', headers: { 'content-type': 'application/json' }, payload });
    expect(codeOf(res)).toEqual([400, 'validation_failed']);
  });
});

describe(`prototype pollution at the edge on ${testDialect}`, () => {
  it('a credential with "__proto__" as an IRI is refused before JSON-LD processing, which wrote @id onto Object.prototype', async () => {
    // The shape that polluted: jsonld.js filed the subject under its IRI in a plain object.
    const issue = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: f.officer, payload: { credential: { ...badge(t.issuer.did), credentialSubject: '__proto__' } } });
    expect(Object.prototype).not.toHaveProperty('@id');
    expect(codeOf(issue)).toEqual([400, 'validation_failed']);
    const credential = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], issuer: 'did:example:1', credentialSubject: { id: '__proto__', name: 'x' } };
    expect(codeOf(await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: credential } }))).toEqual([400, 'validation_failed']);
    expect(codeOf(await t.app.inject({ method: 'GET', url: '/qualifications?q=__proto__' }))).toEqual([400, 'validation_failed']);
  });
});

describe(`numbers at the edge on ${testDialect}`, () => {
  it('offsets and limits of 2^63, 2^64 and 1e400 are validation_failed, not a database error', async () => {
    for (const url of ['/cases?offset=9223372036854775808', '/cases?offset=18446744073709551616', '/cases?offset=1e400', '/cases?limit=1e400', '/qualifications?offset=9223372036854775808', '/qualifications?offset=1e400', '/audit?afterSeq=9223372036854775808']) {
      const res = await t.app.inject({ method: 'GET', url, headers: f.admin });
      expect(codeOf(res), url).toEqual([400, 'validation_failed']);
    }
    expect((await t.app.inject({ method: 'GET', url: '/cases?offset=2147483647', headers: f.admin })).statusCode).toBe(200);
  });

  it('an integer in a JSON body beyond 32 bits is validation_failed (a PostgreSQL integer column would refuse it)', async () => {
    const version = await f.version(caseId);
    for (const v of [2 ** 31, 2 ** 63, -(2 ** 31) - 1]) {
      const res = await t.app.inject({ method: 'POST', url: `/cases/${caseId}/transitions`, headers: candidate, payload: { event: 'submit', version: v } });
      expect(codeOf(res), String(v)).toEqual([400, 'validation_failed']);
    }
    expect(await f.version(caseId)).toBe(version);
  });

  it('boundIntegers gives unbounded integers the 32-bit range and keeps a route\'s own bounds and other types', () => {
    const schema = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer', minimum: 0, maximum: 9 }, c: { type: ['integer', 'null'] }, d: { type: 'number' }, e: { type: 'array', items: { type: 'integer', exclusiveMaximum: 5 } } } };
    const bounded = boundIntegers(schema);
    expect(bounded.properties.a).toEqual({ type: 'integer', minimum: -(2 ** 31), maximum: INT32_MAX });
    expect(bounded.properties.b).toEqual({ type: 'integer', minimum: 0, maximum: 9 });
    expect(bounded.properties.c).toEqual({ type: ['integer', 'null'], minimum: -(2 ** 31), maximum: INT32_MAX });
    expect(bounded.properties.d).toEqual({ type: 'number' });
    expect(bounded.properties.e.items).toEqual({ type: 'integer', exclusiveMaximum: 5, minimum: -(2 ** 31) });
    expect(schema.properties.a).toEqual({ type: 'integer' });
  });

  it('the OpenAPI document shows the bound', async () => {
    const doc = t.app.swagger() as unknown as { paths: Record<string, Record<string, { parameters: Array<{ name: string; schema: { maximum?: number } }> }>> };
    expect(doc.paths['/cases']!.get!.parameters.find((p) => p.name === 'offset')!.schema.maximum).toBe(INT32_MAX);
  });
});

describe(`bodies at the edge on ${testDialect}`, () => {
  it('a route that declares its bodies per media type refuses a request with none as validation_failed', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/frameworks/mappings/import?frameworkId=ph-pqf', headers: f.admin });
    expect(codeOf(res)).toEqual([400, 'validation_failed']);
  });
});

describe(`multipart evidence uploads on ${testDialect}`, () => {
  const boundary = 'fuzzb0undary';
  const body = (title = 'kitchen') =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="kind"\r\n\r\nwork_photo\r\n--${boundary}\r\ncontent-disposition: form-data; name="title"\r\n\r\n${title}\r\n`),
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="k.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`),
      FILES.jpeg(),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  const upload = (contentType: string, payload: Buffer) => t.app.inject({ method: 'POST', url: `/cases/${caseId}/evidence`, headers: { ...candidate, 'content-type': contentType }, payload });
  const count = async () => (await t.db.kysely.selectFrom('evidence_items').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n.toString();

  it('without a boundary, cut off in a part or before the closing boundary: invalid_multipart, nothing stored', async () => {
    const before = await count();
    expect(codeOf(await upload('multipart/form-data', body()))).toEqual([400, 'invalid_multipart']);
    const full = body();
    expect(codeOf(await upload(`multipart/form-data; boundary=${boundary}`, full.subarray(0, 60)))).toEqual([400, 'invalid_multipart']);
    expect(codeOf(await upload(`multipart/form-data; boundary=${boundary}`, full.subarray(0, full.length - 20)))).toEqual([400, 'invalid_multipart']);
    expect(await count()).toEqual(before);
    expect((await upload(`multipart/form-data; boundary=${boundary}`, full)).statusCode).toBe(201);
  });

  it('a NUL in a field or a file name is invalid_text', async () => {
    expect(codeOf(await upload(`multipart/form-data; boundary=${boundary}`, body('ki\u0000tchen')))).toEqual([400, 'invalid_text']);
    const named = Buffer.from(body().toString('latin1').replace('filename="k.jpg"', 'filename="k\u0000.jpg"'), 'latin1');
    expect(codeOf(await upload(`multipart/form-data; boundary=${boundary}`, named))).toEqual([400, 'invalid_text']);
  });
});

describe(`the router's own refusals on ${testDialect}`, () => {
  it('a path that is not percent-encoded UTF-8 answers invalid_text in the error body, not fastify\'s own', async () => {
    for (const url of ['/cases/%ED%A0%80', '/credentials/%FF/history', '/check/%zz', '/qualifications/%']) {
      const res = await t.app.inject({ method: 'GET', url, headers: f.admin });
      expect(res.json(), url).toEqual({ code: 'invalid_text', message: 'the path is not valid percent-encoded UTF-8', requestId: expect.any(String) });
      expect(res.statusCode).toBe(400);
    }
  });

  it('a path parameter beyond the router\'s length limit answers uri_too_long', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/cases/${'x'.repeat(5000)}`, headers: f.admin });
    expect(codeOf(res)).toEqual([414, 'uri_too_long']);
  });
});
