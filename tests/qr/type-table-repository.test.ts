import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { nodeDocumentLoader } from '../../src/jsonld/index.js';
import { compactTypes, decodeCredentialQr, encodeCredentialQr } from '../../src/qr/payload.js';
import {
  addTypeTableVersion,
  exportTypeTables,
  latestTypeTable,
  latestTypeTables,
  typeTableLoaderFromDb,
} from '../../src/qr/type-table-repository.js';
import { buildTypeTable, typeTableLoaderFrom, type TypeTableSource } from '../../src/qr/type-table.js';
import { createTestDb } from '../helpers/db.js';
import { leanCredential, tableSourceFor, testIssuer } from './fixtures.js';

let db: Db;
const ISSUER = 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2';

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.destroy();
});

describe('qr_type_tables: one immutable table per registry entry id', () => {
  it('writes tables at id ≥ 100, one entry per version; the newest is the current one and older ones never change', async () => {
    const first = await addTypeTableVersion(db.kysely, 'q-a', tableSourceFor(6, ISSUER));
    expect(first).toMatchObject({ registryEntryId: 100, qualificationId: 'q-a' });
    const b = await addTypeTableVersion(db.kysely, 'q-b', tableSourceFor(12, ISSUER));
    expect(b.registryEntryId).toBe(101);
    const a2 = await addTypeTableVersion(db.kysely, 'q-a', tableSourceFor(12, ISSUER));
    expect(a2.registryEntryId).toBe(102);
    expect((await latestTypeTable(db.kysely, 'q-a'))?.registryEntryId).toBe(102);
    const latest = await latestTypeTables(db.kysely, ['q-a', 'q-b', 'q-none']);
    expect([...latest].map(([q, e]) => [q, e.registryEntryId]).sort()).toEqual([
      ['q-a', 102],
      ['q-b', 101],
    ]);

    const exported = await exportTypeTables(db.kysely);
    expect(exported.map((e) => [e.registryEntryId, e.qualificationId])).toEqual([
      [100, 'q-a'],
      [101, 'q-b'],
      [102, 'q-a'],
    ]);
    // Version 100 is untouched by the new version: same ids as when it was created.
    expect(buildTypeTable(exported[0]!.source)).toEqual(buildTypeTable(tableSourceFor(6, ISSUER)));
    // The export is plain JSON and survives a trip through the trust bundle unchanged.
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
  });

  it('stores the normalized source: duplicates dropped, the cryptosuite table explicit', async () => {
    const source: TypeTableSource = { contexts: ['c1', 'c1'], urls: ['u'], anyUris: [], strings: ['x', 'y', 'x'] };
    const entry = await addTypeTableVersion(db.kysely, 'q-dup', source);
    expect(entry.source).toEqual({ contexts: ['c1'], urls: ['u'], anyUris: [], strings: ['x', 'y'], cryptosuites: ['eddsa-rdfc-2022'] });
    expect(buildTypeTable(entry.source).get('none')).toEqual(new Map([['x', 1], ['y', 2]]));
  });

  it('concurrent versions (two registry changes at once) get distinct ids', async () => {
    const entries = await Promise.all(
      ['q-c1', 'q-c2', 'q-c1'].map((q) => db.kysely.transaction().execute((tx) => addTypeTableVersion(tx, q, tableSourceFor(6, ISSUER)))),
    );
    expect(new Set(entries.map((e) => e.registryEntryId)).size).toBe(3);
  });

  it('a payload encoded with a stored table decodes with the database loader and with the exported bundle', async () => {
    const documentLoader = nodeDocumentLoader();
    const issuer = await testIssuer();
    const entry = await addTypeTableVersion(db.kysely, 'q-round', tableSourceFor(6, issuer.did));
    const credential = await issuer.sign(leanCredential(6, issuer.did), documentLoader);
    const qr = await encodeCredentialQr(credential, {
      registryEntryId: entry.registryEntryId,
      typeTableLoader: typeTableLoaderFromDb(db.kysely),
      documentLoader,
    });
    expect(await decodeCredentialQr(qr.payload, { typeTableLoader: typeTableLoaderFromDb(db.kysely), documentLoader })).toStrictEqual(compactTypes(credential));
    const bundle = JSON.parse(JSON.stringify(await exportTypeTables(db.kysely))) as Array<{ registryEntryId: number; source: TypeTableSource }>;
    expect(await decodeCredentialQr(qr.payload, { typeTableLoader: typeTableLoaderFrom(bundle), documentLoader })).toStrictEqual(compactTypes(credential));
    // A verifier whose bundle predates this qualification's table is told to update, not that it is invalid.
    const stale = typeTableLoaderFrom(bundle.filter((e) => e.registryEntryId !== entry.registryEntryId));
    await expect(decodeCredentialQr(qr.payload, { typeTableLoader: stale, documentLoader })).rejects.toMatchObject({ code: 'qr_table_unknown' });
  });

  it('refuses a bundle with two different tables under one id, or a malformed source', () => {
    const s = tableSourceFor(6, ISSUER);
    expect(() => typeTableLoaderFrom([{ registryEntryId: 100, source: s }, { registryEntryId: 100, source: { ...s, strings: [] } }])).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => typeTableLoaderFrom([{ registryEntryId: 100, source: { ...s, urls: 'x' } as unknown as TypeTableSource }])).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => typeTableLoaderFrom([{ registryEntryId: 1, source: s }])).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});
