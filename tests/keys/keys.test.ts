import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findIssuerByDid, rotateIssuerKey, createIssuer } from '../../src/issuers/issuers.js';
import { KeyStore } from '../../src/keys/key-store.js';
import { loadMasterKey } from '../../src/keys/master-key.js';
import { open, seal } from '../../src/keys/sealed.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { badge } from '../helpers/credentials.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => t.close());

describe(`issuer keys on ${testDialect}`, () => {
  it('stores private keys only encrypted, bound to their key id', async () => {
    const row = await t.db.kysely.selectFrom('issuer_keys').selectAll().where('issuer_id', '=', t.issuer.id).executeTakeFirstOrThrow();
    expect(row.private_key_encrypted).toMatch(/^v1\./);
    expect(row.private_key_encrypted).not.toContain('z3u2');
    const key = crypto.randomBytes(32);
    const sealed = seal(key, 'secret', 'vm-1');
    expect(open(key, sealed, 'vm-1')).toBe('secret');
    expect(() => open(key, sealed, 'vm-2')).toThrow(expect.objectContaining({ code: 'key_decryption_failed' }));
    expect(() => open(crypto.randomBytes(32), sealed, 'vm-1')).toThrow(expect.objectContaining({ code: 'key_decryption_failed' }));
  });

  it('refuses to sign with a wrong master key', async () => {
    const wrong = new KeyStore(t.db, crypto.randomBytes(32));
    await expect(wrong.currentKey(t.issuer.id)).rejects.toMatchObject({ code: 'key_decryption_failed' });
  });

  it('generates a 0600 master key file on first run and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-mk-'));
    const first = loadMasterKey({ masterKey: undefined, dataDir: dir });
    expect(fs.statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadMasterKey({ masterKey: undefined, dataDir: dir }).equals(first)).toBe(true);
    expect(() => loadMasterKey({ masterKey: 'dG9vLXNob3J0', dataDir: dir })).toThrow();
    fs.rmSync(dir, { recursive: true });
  });

  it('rotation: a new key becomes current, credentials signed with the old key keep verifying', async () => {
    const officer = (await t.login('certifying_officer')).headers;
    const before = (await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: badge(t.issuer.did) } })).json().verifiableCredential;
    const oldDid = t.issuer.did;
    await rotateIssuerKey(t.db.kysely, t.services.keys, t.issuer.id);
    const current = await t.services.keys.currentKey(t.issuer.id);
    expect(current.issuerDid).not.toBe(oldDid);
    expect((await findIssuerByDid(t.db.kysely, oldDid))?.id).toBe(t.issuer.id);

    const old = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: before } });
    expect(old.statusCode).toBe(200);
    expect(old.json().checks.find((c: { id: string }) => c.id === 'issuer')).toMatchObject({ valid: true });
    const after = (await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: badge(current.issuerDid) } })).json().verifiableCredential;
    expect(after.proof.verificationMethod).toBe(current.verificationMethod);
  });

  it('did:web bodies keep one DID; the document served lists every key and old credentials verify', async () => {
    const body = await createIssuer(t.db.kysely, t.services.keys, 'https://tanda.test', { id: 'web-body', name: 'Web Body', country: 'ID', didMethod: 'web' });
    expect(body.did).toBe('did:web:tanda.test:issuers:web-body');
    const officer = (await t.login('certifying_officer', { issuerId: 'web-body' })).headers;
    const first = (await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: badge(body.did) } })).json().verifiableCredential;
    await rotateIssuerKey(t.db.kysely, t.services.keys, 'web-body');
    const doc = (await t.app.inject({ method: 'GET', url: '/issuers/web-body/did.json' })).json();
    expect(doc.id).toBe(body.did);
    expect(doc.verificationMethod.map((m: { id: string }) => m.id)).toEqual([`${body.did}#key-1`, `${body.did}#key-2`]);
    const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: first } });
    expect(res.statusCode).toBe(200);
    // Private material is never part of what is served.
    expect(JSON.stringify(doc)).not.toMatch(/secret|private/i);
  });
});
