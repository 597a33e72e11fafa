import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStatusEntry } from '../../src/status/check.js';
import { buildListCredential } from '../../src/status/list-credential.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { badge } from '../helpers/credentials.js';
import { statusCheck } from './fixtures.js';

type Json = Record<string, unknown>;
const URL_A = 'https://tanda.test/status/abcd2345';
const NOW = new Date('2026-11-20T12:00:00Z');
let did: string;

const entry = (overrides: Json = {}) => ({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: URL_A, ...overrides });
const credential = (overrides: Json = {}) => ({ ...badge(did), credentialStatus: entry(overrides) });
const list = async (options: { revoked?: number[]; length?: number; subject?: Json } = {}) => {
  const l = await buildListCredential({ url: URL_A, issuerDid: did, length: options.length ?? 131_072, revoked: options.revoked ?? [], now: new Date('2026-11-20T10:00:00Z') });
  Object.assign(l.credentialSubject as Json, options.subject ?? {});
  return l;
};

beforeAll(async () => {
  const pair = await Ed25519Multikey.generate();
  did = `did:key:${(await pair.export({ publicKey: true, includeContext: false })).publicKeyMultibase}`;
});

describe('Bitstring Status List v1.0 validate algorithm, one step each', () => {
  it('a malformed entry is MALFORMED_VALUE_ERROR (index not an integer string)', async () => {
    const check = await checkStatusEntry({ credential: credential({ statusListIndex: '-1' }), listCredential: await list(), now: NOW });
    expect(check).toMatchObject({ valid: false, code: 'status_malformed', data: { statusError: 'MALFORMED_VALUE_ERROR' } });
  });

  it('statusSize above 1 needs statusMessage, with one message per possible value', async () => {
    const noMessages = await checkStatusEntry({ credential: credential({ statusSize: 2 }), listCredential: await list(), now: NOW });
    expect(noMessages).toMatchObject({ valid: false, code: 'status_malformed', data: { statusError: 'MALFORMED_VALUE_ERROR' } });
    expect(noMessages.message).toMatch(/statusMessage must be present/);
    const short = await checkStatusEntry({ credential: credential({ statusSize: 2, statusMessage: [{ status: '0x0', message: 'ok' }, { status: '0x1', message: 'revoked' }] }), listCredential: await list(), now: NOW });
    expect(short.message).toMatch(/statusMessage must have 4 entries/);
    const zero = await checkStatusEntry({ credential: credential({ statusSize: 0 }), listCredential: await list(), now: NOW });
    expect(zero.message).toMatch(/statusSize must be an integer greater than zero/);
  });

  it('statusMessage, when given, names the status found', async () => {
    const messages = [{ status: '0x0', message: 'valid' }, { status: '0x1', message: 'revoked by the issuer' }];
    const revoked = await checkStatusEntry({ credential: credential({ statusMessage: messages }), listCredential: await list({ revoked: [7] }), now: NOW });
    expect(revoked).toMatchObject({ code: 'revoked', data: { statusMessage: 'revoked by the issuer' } });
    const fine = await checkStatusEntry({ credential: credential({ statusMessage: messages }), listCredential: await list(), now: NOW });
    expect(fine).toMatchObject({ status: 'pass', data: { statusMessage: 'valid' } });
    const badMessage = await checkStatusEntry({ credential: credential({ statusMessage: [{ status: 'zero', message: 'x' }, { status: '0x1', message: 'y' }] }), listCredential: await list(), now: NOW });
    expect(badMessage).toMatchObject({ code: 'status_malformed' });
  });

  it('a list that cannot be dereferenced is STATUS_RETRIEVAL_ERROR (a warning: status unknown)', async () => {
    const check = await checkStatusEntry({ credential: credential(), listCredential: undefined, now: NOW });
    expect(check).toMatchObject({ valid: true, status: 'warn', code: 'status_unknown', data: { statusError: 'STATUS_RETRIEVAL_ERROR' } });
  });

  it('a list whose proof does not verify is STATUS_VERIFICATION_ERROR, even when its bit is clear', async () => {
    const check = await checkStatusEntry({ credential: credential(), listCredential: await list(), now: NOW, listProof: { verified: false, reason: 'invalid signature' } });
    expect(check).toMatchObject({ valid: false, code: 'status_verification_error', data: { statusError: 'STATUS_VERIFICATION_ERROR' } });
  });

  it('a list for another statusPurpose is STATUS_VERIFICATION_ERROR; a list with several purposes including it is fine', async () => {
    const other = await checkStatusEntry({ credential: credential(), listCredential: await list({ subject: { statusPurpose: 'suspension' } }), now: NOW });
    expect(other).toMatchObject({ valid: false, code: 'status_verification_error', data: { statusError: 'STATUS_VERIFICATION_ERROR' } });
    const both = await checkStatusEntry({ credential: credential(), listCredential: await list({ subject: { statusPurpose: ['suspension', 'revocation'] } }), now: NOW });
    expect(both).toMatchObject({ valid: true, status: 'pass' });
  });

  it('a list shorter than 131,072 entries is STATUS_LIST_LENGTH_ERROR', async () => {
    const check = await checkStatusEntry({ credential: credential(), listCredential: await list({ length: 16_384 }), now: NOW });
    expect(check).toMatchObject({ valid: false, code: 'status_list_length_error', data: { statusError: 'STATUS_LIST_LENGTH_ERROR' } });
  });

  it('an index past the end of the list is RANGE_ERROR', async () => {
    const check = await checkStatusEntry({ credential: credential({ statusListIndex: '200000' }), listCredential: await list(), now: NOW });
    expect(check).toMatchObject({ valid: false, code: 'status_range_error', data: { statusError: 'RANGE_ERROR' } });
  });

  it('an encodedList that is not multibase base64url GZIP is MALFORMED_VALUE_ERROR', async () => {
    for (const encodedList of ['zNotBase64url', 'uAAAA']) {
      const check = await checkStatusEntry({ credential: credential(), listCredential: await list({ subject: { encodedList } }), now: NOW });
      expect(check).toMatchObject({ valid: false, code: 'status_malformed', data: { statusError: 'MALFORMED_VALUE_ERROR' } });
    }
  });

  it('ttl: a list older than its time to live is reported stale; within it, current', async () => {
    const within = await checkStatusEntry({ credential: credential(), listCredential: await list({ subject: { ttl: 3 * 3600_000 } }), now: NOW });
    expect(within).toMatchObject({ status: 'pass', data: { ttl: 3 * 3600_000 } });
    const past = await checkStatusEntry({ credential: credential(), listCredential: await list({ subject: { ttl: 3600_000 } }), now: NOW });
    expect(past).toMatchObject({ valid: true, status: 'warn', code: 'status_stale' });
    expect(past.message).toMatch(/ttl of 3600000 ms has passed/);
  });
});

describe(`status list retrieval over HTTP (${testDialect})`, () => {
  let t: TestContext;
  let listPath: string;
  let issued: Json & { credentialStatus: { statusListCredential: string } };

  beforeAll(async () => {
    t = await createTestContext();
    const officer = (await t.login('certifying_officer')).headers;
    const res = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: badge(t.issuer.did), options: { credentialStatus: { type: 'BitstringStatusListEntry' } } } });
    issued = res.json().verifiableCredential;
    listPath = new URL(issued.credentialStatus.statusListCredential).pathname;
  });
  afterAll(async () => t?.close());

  it.each([
    [undefined, 'application/vc'],
    ['*/*', 'application/vc'],
    ['application/vc', 'application/vc'],
    ['application/vc+ld+json', 'application/vc+ld+json'],
    ['application/ld+json', 'application/ld+json'],
    ['application/json', 'application/json'],
    ['text/html, application/json;q=0.5, application/ld+json;q=0.9', 'application/ld+json'],
  ])('Accept %s → %s, the same signed list', async (accept, type) => {
    const res = await t.app.inject({ method: 'GET', url: listPath, headers: accept ? { accept } : {} });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type']).split(';')[0]).toBe(type);
    expect(res.headers.vary).toMatch(/accept,/);
    expect(res.json()).toMatchObject({ id: issued.credentialStatus.statusListCredential, type: ['VerifiableCredential', 'BitstringStatusListCredential'], proof: { cryptosuite: 'eddsa-rdfc-2022' } });
  });

  it('an Accept it cannot serve is 406 not_acceptable', async () => {
    const res = await t.app.inject({ method: 'GET', url: listPath, headers: { accept: 'text/html, application/xml' } });
    expect([res.statusCode, res.json().code]).toEqual([406, 'not_acceptable']);
  });

  it('the status list credential must verify: a list altered in the database fails the status check (STATUS_VERIFICATION_ERROR)', async () => {
    const listId = listPath.split('/').pop()!;
    const row = await t.db.kysely.selectFrom('status_lists').select(['credential', 'etag']).where('id', '=', listId).executeTakeFirstOrThrow();
    const altered = JSON.parse(row.credential) as Json & { credentialSubject: Json };
    altered.credentialSubject.statusPurpose = ['revocation', 'suspension'];
    await t.db.kysely.updateTable('status_lists').set({ credential: JSON.stringify(altered), etag: `${row.etag}-altered` }).where('id', '=', listId).execute();
    const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: issued } });
    expect(res.statusCode).toBe(400);
    expect(statusCheck(res.json())).toMatchObject({ valid: false, code: 'status_verification_error', data: { statusError: 'STATUS_VERIFICATION_ERROR' } });
  });
});
