import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFingerprint } from '../../src/idempotency/store.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge } from '../helpers/credentials.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;
let officer: { userId: string; headers: { authorization: string } };

beforeAll(async () => {
  t = await createTestContext();
  officer = await t.login('certifying_officer');
});
afterAll(async () => t.close());

const issue = (headers: Record<string, string>, credential: Record<string, unknown>, key?: string) =>
  t.app.inject({ method: 'POST', url: '/credentials/issue', headers: { ...headers, ...(key !== undefined ? { 'idempotency-key': key } : {}) }, payload: { credential } });
const credentialCount = async () => Number((await t.db.kysely.selectFrom('credentials').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
/** A credential without an id: each issuance of it would be a new credential, so only the key can prevent a second. */
const anonymous = (name: string) => {
  const { id: _id, ...rest } = badge(t.issuer.did, { name }) as Record<string, unknown>;
  return rest;
};

describe(`Idempotency-Key on POST /credentials/issue on ${testDialect}`, () => {
  it('the same key and body again: the first response replayed, one credential', async () => {
    const credential = anonymous('Replay Person');
    const before = await credentialCount();
    const first = await issue(officer.headers, credential, 'batch-1/row-1');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Another JSON key order is the same request.
    const reordered = Object.fromEntries(Object.entries(credential).reverse());
    const again = await issue(officer.headers, reordered, '"batch-1/row-1"');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await credentialCount()).toBe(before + 1);
    // Without a key nothing is deduplicated: a second credential.
    expect((await issue(officer.headers, credential)).statusCode).toBe(201);
    expect(await credentialCount()).toBe(before + 2);
  });

  it('the same key with another body is 400 idempotency_key_mismatch (the VC API answers client errors with 400)', async () => {
    expect((await issue(officer.headers, anonymous('Mismatch A'), 'mismatch-key')).statusCode).toBe(201);
    const before = await credentialCount();
    const other = await issue(officer.headers, anonymous('Mismatch B'), 'mismatch-key');
    expect(other.statusCode).toBe(400);
    expect(other.json()).toMatchObject({ code: 'idempotency_key_mismatch' });
    expect(await credentialCount()).toBe(before);
  });

  it('keys belong to the caller: another account\'s same key is its own request', async () => {
    const credential = anonymous('Per Caller');
    const colleague = await t.login('certifying_officer');
    const mine = await issue(officer.headers, credential, 'shared-key');
    const theirs = await issue(colleague.headers, credential, 'shared-key');
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json().verifiableCredential.proof).not.toEqual(mine.json().verifiableCredential.proof);
  });

  it('a key in flight is 409 with Retry-After; once its lease has passed (its process died) a retry takes it over', async () => {
    const credential = anonymous('In Flight');
    const now = Date.now();
    const row = {
      caller_id: officer.userId, idempotency_key: 'in-flight-key', fingerprint: requestFingerprint('POST', '/credentials/issue', { credential }),
      state: 'in_flight' as const, attempt: 'a-request-still-running', lease_until: new Date(now + 8000).toISOString(), status_code: null, response: null,
      created_at: new Date(now).toISOString(), expires_at: new Date(now + 86_400_000).toISOString(),
    };
    await t.db.kysely.insertInto('idempotency_keys').values(row).execute();
    const before = await credentialCount();
    const busy = await issue(officer.headers, credential, 'in-flight-key');
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ code: 'idempotency_key_in_flight' });
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await credentialCount()).toBe(before);

    await t.db.kysely.updateTable('idempotency_keys').set({ lease_until: new Date(now - 1).toISOString() }).where('idempotency_key', '=', 'in-flight-key').execute();
    const taken = await issue(officer.headers, credential, 'in-flight-key');
    expect(taken.statusCode).toBe(201);
    expect(await credentialCount()).toBe(before + 1);
  });

  it('a refused request gives its key back: the corrected request with the same key is issued', async () => {
    const broken = { ...anonymous('Refused First'), credentialStatus: { type: 'BitstringStatusListEntry' } };
    const refused = await issue(officer.headers, broken, 'fix-and-retry');
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'credential_status_not_allowed' });
    expect((await issue(officer.headers, anonymous('Refused First'), 'fix-and-retry')).statusCode).toBe(201);
  });

  it('an expired key is forgotten: the same key starts a new request', async () => {
    const credential = anonymous('Expired Key');
    expect((await issue(officer.headers, credential, 'old-key')).statusCode).toBe(201);
    await t.db.kysely.updateTable('idempotency_keys').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('idempotency_key', '=', 'old-key').execute();
    const before = await credentialCount();
    const again = await issue(officer.headers, credential, 'old-key');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await credentialCount()).toBe(before + 1);
  });

  it('a key that is empty, too long or not printable ASCII is 400 idempotency_key_invalid', async () => {
    for (const key of ['', 'x'.repeat(256), 'clé', 'a b']) {
      const res = await issue(officer.headers, anonymous('Bad Key'), key);
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      expect(res.json().code, JSON.stringify(key)).toBe('idempotency_key_invalid');
    }
  });
});
