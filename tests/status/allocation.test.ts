import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { StatusService } from '../../src/status/status-service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { badge, decodeBits } from './fixtures.js';

let t: TestContext;

beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => t.close());

describe(`status index allocation on ${testDialect}`, () => {
  it('gives 200 concurrent issuances 200 distinct random indices in one list', async () => {
    const issued = await Promise.all(
      // Allocation is the same for both kinds; `award` skips the VC API's claim scan, which is not what is measured here.
      Array.from({ length: 200 }, () => t.services.credentials.issue(badge(t.issuer.did), { issuerId: t.issuer.id, kind: 'award' })),
    );
    const entries = issued.map((v) => v.credentialStatus as { statusListIndex: string; statusListCredential: string });
    expect(new Set(entries.map((e) => e.statusListCredential)).size).toBe(1);
    const indices = entries.map((e) => Number(e.statusListIndex));
    expect(new Set(indices).size).toBe(200);
    expect(indices.every((i) => Number.isInteger(i) && i >= 0 && i < 131_072)).toBe(true);
    // Random, not sequential: 200 draws from 131,072 all below 1,000 would happen with probability ~1e-400.
    expect(Math.max(...indices)).toBeGreaterThan(1_000);
    const rows = await t.db.kysely.selectFrom('status_entries').select(['idx', 'credential_id']).execute();
    expect(rows.map((r) => r.credential_id).sort()).toEqual(issued.map((v) => v.id as string).sort());
    expect(await t.db.kysely.selectFrom('status_lists').select('id').where('issuer_id', '=', t.issuer.id).execute()).toHaveLength(1);
  });

  it('keeps every bit when revocations on one list run concurrently (each re-signing sees the ones before)', async () => {
    const issued = await Promise.all(
      Array.from({ length: 20 }, () => t.services.credentials.issue(badge(t.issuer.did), { issuerId: t.issuer.id })),
    );
    const actor = { issuerId: t.issuer.id, by: 'test', userId: null };
    await Promise.all(issued.map((v) => t.services.status.revoke({ credentialId: v.id as string, actor, reason: 'error' })));
    const url = (issued[0]!.credentialStatus as { statusListCredential: string }).statusListCredential;
    const doc = await t.services.status.listDocument(url.split('/').pop()!);
    const bits = decodeBits((doc!.credential.credentialSubject as { encodedList: string }).encodedList);
    for (const v of issued) expect(bits.get(Number((v.credentialStatus as { statusListIndex: string }).statusListIndex))).toBe(true);
    expect(bits.count()).toBe(20);
  });

  it('fills a list to its last free index, then opens a new one', async () => {
    const body = await createIssuer(t.db.kysely, t.services.keys, 'https://tanda.test', { id: 'small-lists', name: 'Small', country: 'PH', didMethod: 'key' });
    const small = new StatusService({ db: t.db, keys: t.services.keys, documentLoader: t.services.documentLoader, credentials: t.services.credentials, publicUrl: 'https://tanda.test', listLength: 16 });
    const allocate = () => t.db.kysely.transaction().execute((tx) => small.allocate(tx, { issuerId: body.id, credentialId: `urn:uuid:${crypto.randomUUID()}`, kind: 'general' }));
    const entries = [];
    for (let i = 0; i < 40; i++) entries.push(await allocate());
    const byList = new Map<string, number[]>();
    for (const e of entries) byList.set(e.statusListCredential, [...(byList.get(e.statusListCredential) ?? []), Number(e.statusListIndex)]);
    const lists = [...byList.values()];
    expect(lists.map((l) => l.length)).toEqual([16, 16, 8]);
    expect(lists[0]!.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    const rows = await t.db.kysely.selectFrom('status_lists').select(['id', 'filled_at', 'length']).where('issuer_id', '=', body.id).orderBy('created_at').execute();
    expect(rows.map((r) => r.filled_at !== null)).toEqual([true, true, false]);
    // The list credential of a fresh small list is signed and all zeros.
    const doc = await small.listDocument(rows[2]!.id);
    const bits = decodeBits((doc!.credential.credentialSubject as { encodedList: string }).encodedList);
    expect(bits.count()).toBe(0);
  });
});
