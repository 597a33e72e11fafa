import crypto from 'node:crypto';
import fs from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typicalCredential } from '../../bench/credentials.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge } from '../helpers/credentials.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;
let officer: { authorization: string };
let admin: { authorization: string };
let openapi: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

type Json = Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });

beforeAll(async () => {
  t = await createTestContext();
  officer = (await t.login('certifying_officer')).headers;
  admin = (await t.login('admin')).headers;
  openapi = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
});
afterAll(async () => t.close());

const issue = (credential: unknown, options?: Json) =>
  t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential, ...(options ? { options } : {}) } });
const verify = (payload: unknown) => t.app.inject({ method: 'POST', url: '/credentials/verify', payload: payload as Json });

/** The response schema the OpenAPI document declares for this route and status (exact code, then 4XX/5XX). */
function declaredSchema(path: string, method: string, status: number): object {
  const responses = openapi.paths[path]?.[method.toLowerCase()]?.responses ?? {};
  const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} declares no JSON schema for ${status}`);
  return schema;
}

/**
 * The OAuth endpoints of OID4VCI answer with OAuth error bodies (`{error, error_description}`), which wallets parse:
 * the one documented exception to the single error shape (docs/conformance.md, docs/wallets.md).
 */
const OAUTH_ROUTES = new Set(['/oid4vci/token', '/oid4vci/credential']);

/** Asserts the answer is a 4xx whose body matches the schema the route declares for it, in the one error shape. */
function expectDeclaredError(res: { statusCode: number; json(): unknown }, path: string, method: string) {
  expect(res.statusCode, `${method} ${path}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${method} ${path}`).toBeLessThan(500);
  const body = res.json() as Json;
  const validate = ajv.compile(declaredSchema(path, method, res.statusCode));
  expect(validate(body), `${method} ${path} ${res.statusCode}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  if (OAUTH_ROUTES.has(path)) expect(body).toMatchObject({ error: expect.any(String) });
  else expect(body).toMatchObject({ code: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
}

const rules = (res: { json(): unknown }): string[] => ((res.json() as { details?: { violations?: Array<{ rule: string }> } }).details?.violations ?? []).map((v) => v.rule);

describe(`VC API answers bad input with 400, never 5xx (${testDialect})`, () => {
  it.each([
    ['the credential as a JSON string', { verifiableCredential: JSON.stringify({ type: ['VerifiableCredential'] }) }, 'validation_failed'],
    ['no credential at all', { options: {} }, 'validation_failed'],
    ['an unknown options field', { verifiableCredential: { type: ['VerifiableCredential'] }, options: { surprise: true } }, 'unknown_field'],
    ['an options field of the wrong type', { verifiableCredential: {}, options: { returnCredential: 'yes' } }, 'validation_failed'],
  ])('POST /credentials/verify with %s → 400 %s in the declared shape', async (_name, payload, code) => {
    const res = await verify(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
    expectDeclaredError(res, '/credentials/verify', 'POST');
  });

  it('a credential that does not verify is 400 with verified:false and the failing checks, in the declared shape', async () => {
    const signed = (await issue(badge(t.issuer.did))).json().verifiableCredential;
    const res = await verify({ verifiableCredential: { ...signed, validFrom: '2020-01-01T00:00:00Z' }, options: { returnProblemDetails: true, returnCredential: true } });
    expectDeclaredError(res, '/credentials/verify', 'POST');
    expect(res.json()).toMatchObject({ code: 'verification_failed', verified: false, credential: { id: signed.id } });
    expect(res.json().problemDetails).toContainEqual(expect.objectContaining({ type: 'https://w3id.org/security#PROOF_VERIFICATION_ERROR', title: 'invalid_signature' }));
    const ok = await verify({ verifiableCredential: signed, options: { returnResults: true, returnCredential: true, returnProblemDetails: true } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ verified: true, credential: signed });
    // Registry findings (not counted in `verified`) may be reported; nothing about the proof is.
    expect(ok.json().problemDetails.map((p: { title: string }) => p.title)).not.toContain('invalid_signature');
  });

  it('a term no context defines (JSON-LD safe mode) is 400 invalid_jsonld at issuance, not 500', async () => {
    const credential = {
      '@context': ['https://www.w3.org/2018/credentials/v1'],
      type: ['VerifiableCredential'],
      issuer: t.issuer.did,
      issuanceDate: '2026-01-01T00:00:00Z',
      credentialSubject: { id: 'did:example:holder', notDefinedAnywhere: 'x' },
    };
    const res = await issue(credential);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_jsonld');
    expectDeclaredError(res, '/credentials/issue', 'POST');
  });

  it('an unknown context at issuance is 400 unknown_context', async () => {
    const res = await issue({ ...badge(t.issuer.did), '@context': ['https://www.w3.org/ns/credentials/v2', 'https://example.org/not-bundled/v1'] });
    expect([res.statusCode, res.json().code]).toEqual([400, 'unknown_context']);
  });

  it('every route answers malformed or unauthorised requests with a 4xx matching the error schema it declares', async () => {
    const probes: Array<{ path: string; method: string }> = [];
    for (const [path, methods] of Object.entries(openapi.paths)) {
      for (const method of Object.keys(methods)) probes.push({ path, method: method.toUpperCase() });
    }
    expect(probes.length).toBeGreaterThan(40);
    let checked = 0;
    for (const { path, method } of probes) {
      const url = path.replace(/\{[^}]+\}/g, 'zzzz0000');
      const attempts = [
        { headers: {} as Json, payload: { surprise: true } },
        { headers: admin as Json, payload: { surprise: true } },
        { headers: { ...admin, 'content-type': 'application/json' } as Json, payload: '"a JSON string"' },
      ];
      for (const attempt of attempts) {
        const res = await t.app.inject({ method: method as 'GET', url, headers: attempt.headers as Record<string, string>, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: attempt.payload as never }) });
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expectDeclaredError(res, path, method);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(probes.length);
  });
});

describe('issuance refuses a credential that breaks VC Data Model 2.0 instead of repairing it', () => {
  const base = () => badge(t.issuer.did);
  it.each([
    ['id: null', { id: null }, 'vcdm2.id.url'],
    ['an array id', { id: ['urn:uuid:1', 'urn:uuid:2'] }, 'vcdm2.id.url'],
    ['a relative id', { id: 'credential-1' }, 'vcdm2.id.url'],
    ['issuer: null', { issuer: null }, 'vcdm2.issuer.url'],
    ['an issuer object whose id is null', { issuer: { id: null, name: 'Somebody' } }, 'vcdm2.issuer.url'],
    ['no VerifiableCredential type', { type: ['OpenBadgeCredential'] }, 'vcdm2.type.vc'],
    ['a first context other than VC 2.0', { '@context': ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'https://www.w3.org/ns/credentials/v2'] }, 'vcdm2.context.first'],
    ['a validFrom without offset', { validFrom: '2026-11-01T00:00:00' }, 'vcdm2.validFrom.datetime'],
    ['validUntil before validFrom', { validFrom: '2026-11-01T00:00:00Z', validUntil: '2025-11-01T00:00:00Z' }, 'vcdm2.validity.order'],
    ['an empty credential subject', { credentialSubject: {} }, 'vcdm2.subject.claims'],
    ['no credential subject', { credentialSubject: undefined }, 'vcdm2.subject.present'],
    ['a credentialSchema without type', { credentialSchema: { id: 'https://example.org/schema.json' } }, 'vcdm2.credentialSchema.type'],
    ['a credentialSchema without id', { credentialSchema: { type: 'JsonSchema' } }, 'vcdm2.id.required'],
    ['a refreshService without type', { refreshService: { id: 'https://example.org/refresh' } }, 'vcdm2.refreshService.type'],
    ['a termsOfUse without type', { termsOfUse: [{ id: 'https://example.org/tou' }] }, 'vcdm2.termsOfUse.type'],
    ['an evidence object without type', { evidence: [{ id: 'https://example.org/evidence/1', name: 'Portfolio' }] }, 'vcdm2.evidence.type'],
    ['a relatedResource without id', { relatedResource: [{ digestSRI: 'sha384-x' }] }, 'vcdm2.id.required'],
    ['a relatedResource without digest', { relatedResource: [{ id: 'https://example.org/a.json' }] }, 'vcdm2.relatedResource.digest'],
    ['two relatedResource entries with one id', { relatedResource: [{ id: 'https://example.org/a.json', digestSRI: 'sha384-a' }, { id: 'https://example.org/a.json', digestSRI: 'sha384-b' }] }, 'vcdm2.relatedResource.unique'],
    ['a relatedResource digest of a bundled context that does not match', { relatedResource: [{ id: 'https://www.w3.org/ns/credentials/v2', digestSRI: `sha384-${Buffer.alloc(48).toString('base64')}` }] }, 'vcdm2.relatedResource.match'],
    ['an existing proof', { proof: { type: 'DataIntegrityProof' } }, 'vcapi.issue.unsecured'],
  ])('%s → 400 nonconformant_credential (%s)', async (_name, change, rule) => {
    const credential = { ...base(), ...change } as Json;
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete credential[k];
    const res = await issue(credential);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('nonconformant_credential');
    expect(rules(res)).toContain(rule);
    expectDeclaredError(res, '/credentials/issue', 'POST');
    const stored = await t.db.kysely.selectFrom('credentials').select('id').where('id', '=', String(credential.id)).executeTakeFirst();
    expect(stored).toBeUndefined();
  });

  it('a matching digest of a bundled context (SRI and multibase) is signed as given', async () => {
    const bytes = fs.readFileSync(new URL('../../contexts/www.w3.org_ns_credentials_v2.json', import.meta.url));
    const sri = `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;
    const multihash = Buffer.concat([Buffer.from([0x12, 0x20]), crypto.createHash('sha256').update(bytes).digest()]);
    const relatedResource = [
      { id: 'https://www.w3.org/ns/credentials/v2', digestSRI: sri },
      { id: 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', digestMultibase: `u${Buffer.from([0x12, 0x20, ...crypto.createHash('sha256').update(fs.readFileSync(new URL('../../contexts/purl.imsglobal.org_spec_ob_v3p0_context-3.0.3.json', import.meta.url))).digest()]).toString('base64url')}` },
      { id: 'https://example.org/elsewhere.json', digestMultibase: `u${multihash.toString('base64url')}` },
    ];
    const res = await issue({ ...base(), relatedResource });
    expect(res.statusCode).toBe(201);
    expect(res.json().verifiableCredential.relatedResource).toEqual(relatedResource);
    const verified = await verify({ verifiableCredential: res.json().verifiableCredential });
    expect(verified.json().checks.find((c: { id: string }) => c.id === 'related_resource')).toMatchObject({ valid: true });
  });

  it('Tanda still fills what it owns when absent: a missing id gets a urn:uuid, a missing issuer the caller\'s DID', async () => {
    const credential: Json = base();
    delete credential.id;
    delete credential.issuer;
    const res = await issue(credential);
    expect(res.statusCode).toBe(201);
    expect(res.json().verifiableCredential).toMatchObject({ id: expect.stringMatching(/^urn:uuid:/), issuer: t.issuer.did });
  });
});

describe('which refusal wins at issuance: the registry\'s governance, then VC Data Model 2.0', () => {
  // A governance refusal says the credential may not be issued through the VC API in any shape, so it comes first:
  // answering "fix your id" to a credential that would then be refused for what it claims wastes the caller's fix.
  // The data-model rules still hold for every credential the VC API may issue (the table above) and at verification.
  it('a registry claim that also breaks the data model → 400 registry_claim_not_allowed, nothing stored', async () => {
    const claim = typicalCredential(t.issuer.did);
    const conformant = await issue(claim);
    expect([conformant.statusCode, conformant.json().code]).toEqual([400, 'registry_claim_not_allowed']);
    const id = `urn:uuid:${crypto.randomUUID()}`;
    for (const change of [{ id: 'credential-1' }, { validFrom: '2026-11-01T00:00:00' }, { proof: { type: 'DataIntegrityProof' } }]) {
      const res = await issue({ ...claim, id, ...change });
      expect([JSON.stringify(change), res.statusCode, res.json().code]).toEqual([JSON.stringify(change), 400, 'registry_claim_not_allowed']);
      expectDeclaredError(res, '/credentials/issue', 'POST');
    }
    expect(await t.db.kysely.selectFrom('credentials').select('id').where('id', 'in', [id, 'credential-1']).execute()).toEqual([]);
  });

  it('a caller credentialStatus, even one without type (vcdm2.credentialStatus.type), → 400 credential_status_not_allowed', async () => {
    for (const credentialStatus of [{ id: 'https://example.org/status/1#4' }, { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '4', statusListCredential: 'https://example.org/status/1' }]) {
      const res = await issue({ ...badge(t.issuer.did), credentialStatus });
      expect([res.statusCode, res.json().code]).toEqual([400, 'credential_status_not_allowed']);
      expectDeclaredError(res, '/credentials/issue', 'POST');
    }
    // Without the status entry the same credential is conformant and issued, with the status entry the issuer allocates.
    const ok = await issue(badge(t.issuer.did));
    expect(ok.statusCode).toBe(201);
    expect(ok.json().verifiableCredential.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
  });
});

describe('VC API issue options', () => {
  it('credentialId names a credential that has no id, which stays without one, and is retrievable by it', async () => {
    const credential: Json = badge(t.issuer.did);
    delete credential.id;
    const credentialId = `urn:uuid:${crypto.randomUUID()}`;
    const res = await issue(credential, { credentialId });
    expect(res.statusCode).toBe(201);
    expect(res.json().verifiableCredential.id).toBeUndefined();
    const got = await t.app.inject({ method: 'GET', url: `/credentials/${encodeURIComponent(credentialId)}`, headers: officer });
    expect(got.json()).toEqual(res.json().verifiableCredential);
    const again = await issue(credential, { credentialId });
    expect([again.statusCode, again.json().code]).toEqual([409, 'already_exists']);
  });

  it('credentialId that contradicts credential.id, or is not a URL, is 400', async () => {
    const clash = await issue(badge(t.issuer.did), { credentialId: 'urn:uuid:0000' });
    expect([clash.statusCode, clash.json().code]).toEqual([400, 'nonconformant_credential']);
    const notUrl = await issue(badge(t.issuer.did), { credentialId: 'not a url' });
    expect([notUrl.statusCode, notUrl.json().code]).toEqual([400, 'validation_failed']);
  });

  it('mandatoryPointers are accepted when they point into the credential, 400 otherwise', async () => {
    const ok = await issue(badge(t.issuer.did), { mandatoryPointers: ['/issuer', '/validFrom', '/credentialSubject/achievement/name'] });
    expect(ok.statusCode).toBe(201);
    const dangling = await issue(badge(t.issuer.did), { mandatoryPointers: ['/issuer', '/nowhere'] });
    expect([dangling.statusCode, dangling.json().code]).toEqual([400, 'invalid_pointer']);
    const syntax = await issue(badge(t.issuer.did), { mandatoryPointers: ['issuer'] });
    expect([syntax.statusCode, syntax.json().code]).toEqual([400, 'validation_failed']);
  });

  it('an unknown issue option is 400 unknown_field', async () => {
    const res = await issue(badge(t.issuer.did), { somethingElse: true });
    expect([res.statusCode, res.json().code]).toEqual([400, 'unknown_field']);
    expectDeclaredError(res, '/credentials/issue', 'POST');
  });
});

describe('inline @context objects at the VC API verifier', () => {
  it('verify (the signature covers them) while the registry checks for a known issuer refuse them', async () => {
    const base = badge(t.issuer.did);
    const credential = { ...base, '@context': [...(base['@context'] as string[]), { nickname: 'https://example.org/vocab#nickname' }], nickname: 'Maria' };
    const issued = await issue(credential);
    expect(issued.statusCode).toBe(201);
    const res = await verify({ verifiableCredential: issued.json().verifiableCredential });
    expect(res.statusCode).toBe(200);
    expect(res.json().verified).toBe(true);
    const checks = res.json().checks as Array<{ id: string; valid: boolean; code?: string }>;
    expect(checks.find((c) => c.id === 'context')).toMatchObject({ valid: true });
    expect(checks.find((c) => c.id === 'registry')).toMatchObject({ valid: false, code: 'unknown_context' });
  });
});

describe('OpenAPI describes the evidence upload body', () => {
  it('as multipart/form-data with a binary file and the kind, title and description fields', () => {
    const body = (openapi.paths['/cases/{id}/evidence']?.post as unknown as { requestBody?: { content: Record<string, { schema: { properties: Record<string, { type?: string; format?: string; enum?: string[] }>; required: string[] } }> } }).requestBody;
    const schema = body?.content['multipart/form-data']?.schema;
    expect(schema?.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    expect(schema?.properties.kind?.enum?.length).toBeGreaterThan(0);
    expect(schema?.properties).toHaveProperty('title');
    expect(schema?.properties).toHaveProperty('description');
    expect(schema?.required).toEqual(expect.arrayContaining(['file', 'kind']));
  });
});
