import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { checkStatus as libraryCheckStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCredential } from '../../src/credentials/sign.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { badge, decodeBits, statusCheck } from './fixtures.js';

let t: TestContext;
let officer: { authorization: string };
let officerId: string;

type Vc = Record<string, unknown> & { id: string; credentialStatus: { statusListIndex: string; statusListCredential: string } };

const issue = async (credential = badge(t.issuer.did)): Promise<Vc> => {
  const res = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential, options: { credentialStatus: { type: 'BitstringStatusListEntry' } } } });
  expect(res.statusCode).toBe(201);
  return res.json().verifiableCredential as Vc;
};
const verify = (credential: unknown) => t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: credential } });
const revoke = (id: string, payload: object, headers = officer) =>
  t.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(id)}/revoke`, headers, payload });
const listPath = (v: Vc) => new URL(v.credentialStatus.statusListCredential).pathname;

beforeAll(async () => {
  t = await createTestContext();
  const login = await t.login('certifying_officer');
  officer = login.headers;
  officerId = login.userId;
});
afterAll(async () => t.close());

describe(`credential status over HTTP on ${testDialect}`, () => {
  it('embeds one lean entry (no id, short list URL) and verifies as "not revoked as of" a date', async () => {
    const v = await issue();
    expect(Object.keys(v.credentialStatus).sort()).toEqual(['statusListCredential', 'statusListIndex', 'statusPurpose', 'type']);
    expect(v.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    expect(v.credentialStatus.statusListCredential).toMatch(/^https:\/\/tanda\.test\/status\/[a-z0-9]{8}$/);
    expect(Number(v.credentialStatus.statusListIndex)).toBeLessThan(131_072);
    const res = await verify(v);
    expect(res.statusCode).toBe(200);
    const check = statusCheck(res.json());
    expect(check).toMatchObject({ valid: true, status: 'pass' });
    expect(check?.message).toMatch(/^not revoked as of \d{4}-\d{2}-\d{2}T/);
  });

  it('revokes with reason and note: audited, reflected in verification with the date, final (409)', async () => {
    const v = await issue();
    const before = Date.now();
    const res = await revoke(v.id, { reason: 'fraud', note: 'forged assessment record' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ credentialId: v.id, reason: 'fraud', note: 'forged assessment record', revokedBy: officerId });
    expect(Date.parse(res.json().revokedAt)).toBeGreaterThanOrEqual(before - 1000);

    const verified = await verify(v);
    expect(verified.statusCode).toBe(400);
    expect(verified.json().verified).toBe(false);
    const check = statusCheck(verified.json());
    expect(check).toMatchObject({ valid: false, status: 'fail', code: 'revoked', data: { revokedAt: res.json().revokedAt } });
    expect(check?.message).toBe(`revoked on ${res.json().revokedAt}`);
    expect(JSON.stringify(check)).not.toMatch(/fraud|forged/);
    // The signature itself is still fine: the verdict is INVALID because of status only.
    expect(verified.json().checks.find((c: { id: string }) => c.id === 'signature')).toMatchObject({ valid: true });

    const again = await revoke(v.id, { reason: 'error' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('already_revoked');
    const rows = await t.db.kysely.selectFrom('revocations').selectAll().where('credential_id', '=', v.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'fraud', note: 'forged assessment record', revoked_by: officerId });
  });

  it('serves the list with ETag and Cache-Control, 304 on If-None-Match, a new ETag after a revocation', async () => {
    const v = await issue();
    const first = await t.app.inject({ method: 'GET', url: listPath(v) });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toMatch(/^application\/vc/);
    expect(first.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const cached = await t.app.inject({ method: 'GET', url: listPath(v), headers: { 'if-none-match': etag } });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    await revoke(v.id, { reason: 'error', note: 'wrong candidate' });
    const after = await t.app.inject({ method: 'GET', url: listPath(v), headers: { 'if-none-match': etag } });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect((await t.app.inject({ method: 'GET', url: '/status/nosuchlist' })).statusCode).toBe(404);
  });

  it('publishes a list that a standard verifier accepts, with exactly the revoked bits set', async () => {
    const kept = await issue();
    const revoked = await issue();
    expect(kept.credentialStatus.statusListCredential).toBe(revoked.credentialStatus.statusListCredential);
    await revoke(revoked.id, { reason: 'other', note: 'test' });
    const list = (await t.app.inject({ method: 'GET', url: listPath(revoked) })).json();
    expect(list).toMatchObject({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: revoked.credentialStatus.statusListCredential,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: t.issuer.did,
      credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation' },
    });
    expect(Date.parse(list.validUntil) - Date.parse(list.validFrom)).toBe(24 * 3600 * 1000);

    const standard = await vc.verifyCredential({ credential: list, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader: t.services.documentLoader });
    expect(standard.verified).toBe(true);

    const bits = decodeBits(list.credentialSubject.encodedList);
    expect(bits.length).toBe(131_072);
    expect(bits.get(Number(revoked.credentialStatus.statusListIndex))).toBe(true);
    expect(bits.get(Number(kept.credentialStatus.statusListIndex))).toBe(false);
    const revokedCount = await t.db.kysely.selectFrom('revocations').innerJoin('status_entries', 'status_entries.credential_id', 'revocations.credential_id')
      .select((eb) => eb.fn.countAll().as('n')).where('status_entries.list_id', '=', listPath(revoked).split('/').pop()!).executeTakeFirstOrThrow();
    expect(bits.count()).toBe(Number(revokedCount.n));

    // The stock status check reads the same bit, yet @digitalbazaar/vc still says verified: why status is our own check.
    const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
    const stock = await vc.verifyCredential({
      credential: revoked,
      suite,
      documentLoader: t.services.documentLoader,
      checkStatus: (o) => libraryCheckStatus({ ...o, suite }),
    });
    expect(stock.verified).toBe(true);
    expect((stock.statusResult as { results?: Array<{ status: boolean }> }).results?.[0]?.status).toBe(true);
  });

  it('refuses bad requests: unknown credential 404, wrong role 403, another body 404, bad reason 400', async () => {
    const v = await issue();
    expect((await revoke('urn:uuid:00000000-0000-4000-8000-000000000000', { reason: 'error' })).statusCode).toBe(404);
    const assessor = (await t.login('assessor')).headers;
    const forbidden = await revoke(v.id, { reason: 'error' }, assessor);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().code).toBe('forbidden');
    expect((await t.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(v.id)}/revoke`, payload: { reason: 'error' } })).statusCode).toBe(401);
    const other = await createIssuer(t.db.kysely, t.services.keys, 'https://tanda.test', { id: 'other-body', name: 'Other Body', country: 'ID', didMethod: 'key' });
    const otherOfficer = (await t.login('certifying_officer', { issuerId: other.id })).headers;
    const foreign = await revoke(v.id, { reason: 'fraud' }, otherOfficer);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('not_found');
    const badReason = await revoke(v.id, { reason: 'suspended' });
    expect(badReason.statusCode).toBe(400);
    expect((await revoke(v.id, { reason: 'error', extra: 1 })).statusCode).toBe(400);
    expect((await verify(v)).statusCode).toBe(200);
  });

  it('accepts the VC API status update: status true revokes, status false cannot reinstate', async () => {
    const v = await issue();
    const update = (payload: object) => t.app.inject({ method: 'POST', url: '/credentials/status', headers: officer, payload });
    const entry = { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' };
    const noop = await update({ credentialId: v.id, credentialStatus: entry, status: false });
    expect(noop.statusCode).toBe(200);
    expect(noop.json()).toMatchObject({ revoked: false });
    expect((await update({ credentialId: v.id, credentialStatus: { ...entry, statusPurpose: 'suspension' }, status: true })).statusCode).toBe(400);
    expect((await update({ credentialId: v.id, credentialStatus: { ...entry, statusListIndex: '999999' }, status: true })).statusCode).toBe(400);
    const done = await update({ credentialId: v.id, credentialStatus: { ...entry, statusListIndex: v.credentialStatus.statusListIndex }, status: true, reason: 'error', note: 'via VC API' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ revoked: true, reason: 'error', note: 'via VC API' });
    const undo = await update({ credentialId: v.id, credentialStatus: entry, status: false });
    expect(undo.statusCode).toBe(409);
    expect(undo.json().code).toBe('revocation_final');
    expect(statusCheck((await verify(v)).json())).toMatchObject({ code: 'revoked' });
    expect((await update({ credentialId: 'urn:uuid:nope', credentialStatus: entry, status: true })).statusCode).toBe(404);
  });

  it('refuses to revoke a credential that has no status entry (not_revocable), by every route, and records nothing', async () => {
    // As main issued through the VC API without options.credentialStatus: signed by the body, stored, no entry.
    const key = await t.services.keys.currentKey(t.issuer.id);
    const legacy = await signCredential(badge(t.issuer.did), { signer: key.signer, documentLoader: t.services.documentLoader });
    await t.db.kysely
      .insertInto('credentials')
      .values({ id: legacy.id as string, issuer_id: t.issuer.id, issued_by: officerId, qualification_id: null, case_id: null, holder_user_id: null, holder_name: 'Siti Rahayu', document: JSON.stringify(legacy), valid_from: legacy.validFrom as string, valid_until: null, created_at: new Date().toISOString() })
      .execute();
    const viaRevoke = await revoke(legacy.id as string, { reason: 'fraud' });
    expect([viaRevoke.statusCode, viaRevoke.json().code]).toEqual([409, 'not_revocable']);
    const viaVcApi = await t.app.inject({ method: 'POST', url: '/credentials/status', headers: officer, payload: { credentialId: legacy.id, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true } });
    expect([viaVcApi.statusCode, viaVcApi.json().code]).toEqual([409, 'not_revocable']);
    expect(await t.db.kysely.selectFrom('revocations').selectAll().where('credential_id', '=', legacy.id as string).execute()).toEqual([]);
    // …and it does not pass as verified either: a registry body's credential without an entry is status_missing.
    expect(statusCheck((await verify(legacy)).json())).toMatchObject({ valid: false, code: 'status_missing' });
  });
});
