import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCredential } from '../../src/credentials/sign.js';
import { compromiseKey } from '../../src/issuers/compromise.js';
import { rotateIssuerKey } from '../../src/issuers/issuers.js';
import type { CurrentKey } from '../../src/keys/key-store.js';
import { trustBundleService } from '../../src/trust/service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { rplFixture } from '../rpl/fixtures.js';
import { award, failing, notPassing, offlineVerifier, offlineVerify, serverVerify } from './fixtures.js';

let t: TestContext;
/** A copy of the first key kept after it was rotated out (an old backup, a stolen laptop). */
let leftover: CurrentKey;
/** An award the first key signed before it was retired. */
let signedBefore: Record<string, unknown>;
beforeAll(async () => {
  t = await createTestContext();
  await rplFixture(t);
});
afterAll(async () => t.close());

const seconds = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** The same award signed again by `key` (a copy of the key kept somewhere after rotation), dated `created`. */
async function resignedWith(original: Record<string, unknown>, key: CurrentKey, created: string | null) {
  const draft = structuredClone(original);
  delete draft.proof;
  draft.id = `urn:uuid:${crypto.randomUUID()}`;
  return signCredential(draft, { signer: key.signer, documentLoader: t.services.documentLoader, created });
}

describe(`key rotation retires the old key for signing, on ${testDialect}`, () => {
  it('signed with the retired key after its retirement → refused by server and offline verifier; signed before → valid', async () => {
    const before = await award(t);
    signedBefore = before;
    expect(before.proof.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // What a leftover copy of the key (an old backup, a stolen laptop) can still do after the rotation.
    const oldKey = (leftover = await t.services.keys.currentKey(t.issuer.id));
    await new Promise((r) => setTimeout(r, 1100)); // a whole second after `before` was dated, so the two are ordered
    await t.db.kysely.transaction().execute((tx) => rotateIssuerKey(tx, t.services.keys, t.issuer.id));
    trustBundleService(t.services).invalidate();

    const after = await resignedWith(before, oldKey, seconds(new Date(Date.now() + 1000)));
    const undated = await resignedWith(before, oldKey, null);

    const server = { before: await serverVerify(t, before), after: await serverVerify(t, after), undated: await serverVerify(t, undated) };
    expect(server.before.statusCode).toBe(200);
    expect(failing(server.before.checks)).toEqual([]);
    expect(server.before.checks.find((c) => c.id === 'signing_key')).toMatchObject({ status: 'pass' });
    expect(server.after.statusCode).toBe(400); // VC API: a credential that does not verify
    expect(server.after.verified).toBe(false);
    expect(failing(server.after.checks)).toEqual(['signing_key:fail:key_retired']);
    expect(failing(server.undated.checks)).toEqual(['signing_key:fail:key_retired']);

    const data = await offlineVerifier(t);
    const offline = { before: await offlineVerify(data, before), after: await offlineVerify(data, after), undated: await offlineVerify(data, undated) };
    // The demo AQRF mapping is provisional: a note beside the level, not a warning, so VALID.
    expect(offline.before.verdict).toBe('VALID');
    expect(notPassing(offline.before.checks)).toEqual(['aqrf_level:info:aqrf_provisional']);
    expect(offline.after.verdict).toBe('INVALID');
    expect(failing(offline.after.checks)).toEqual(['signing_key:fail:key_retired']);
    expect(offline.after.checks.find((c) => c.id === 'signing_key')).toMatchObject({ key: 'key_retired', params: { retired: expect.stringMatching(/^\d{4}-/) } });
    expect(offline.undated.verdict).toBe('INVALID');
    expect(failing(offline.undated.checks)).toEqual(['signing_key:fail:key_retired']);
  });

  it('the key store never signs with a retired key: its private half is destroyed and only the new key is current', async () => {
    const rows = await t.db.kysely.selectFrom('issuer_keys').selectAll().where('issuer_id', '=', t.issuer.id).orderBy('created_at').execute();
    expect(rows.map((r) => r.status)).toEqual(['retired', 'current']);
    expect(rows[0]!.private_key_encrypted).toBe('');
    expect(rows[1]!.private_key_encrypted).toMatch(/^v1\./);
    expect((await t.services.keys.currentKey(t.issuer.id)).verificationMethod).toBe(rows[1]!.verification_method);
    const issued = await award(t);
    expect(issued.proof.verificationMethod).toBe(rows[1]!.verification_method);
    // A second current key for the body is refused by the database itself (two rotations racing).
    await expect(
      t.db.kysely
        .insertInto('issuer_keys')
        .values({ ...rows[1]!, id: crypto.randomUUID(), verification_method: `${rows[1]!.verification_method}-twin` })
        .execute(),
    ).rejects.toThrow();
  });

  it('a proof dated before its key existed is refused; a retired key backdated into its lifetime passes until the key is reported compromised', async () => {
    const current = await t.services.keys.currentKey(t.issuer.id);
    const original = await award(t);
    const impossible = await resignedWith(original, current, '2020-01-01T00:00:00Z');
    // (the demo body was not accredited in 2020 either: accreditation is checked when the proof says it was made)
    expect(failing((await serverVerify(t, impossible)).checks)).toEqual(['signing_key:fail:signing_time_invalid', 'issuer_accredited:fail:not_accredited']);

    // Dated inside the retired key's lifetime, a thief's signature looks like a genuine old credential: `created` is the
    // signer's word. Retirement cannot contain a stolen key; reporting it compromised does.
    const retired = await t.services.keys.keyRecord(leftover.verificationMethod);
    const backdated = await resignedWith(signedBefore, leftover, seconds(new Date(Date.parse(retired!.retiredAt!) - 1000)));
    const accepted = await serverVerify(t, backdated);
    expect(accepted.checks.find((c) => c.id === 'signing_key')).toMatchObject({ status: 'pass' });
    expect(failing(accepted.checks)).toEqual([]);
    expect(accepted.verified).toBe(true);

    await compromiseKey(
      { db: t.db, keys: t.services.keys, status: t.services.status, outbox: t.services.rpl.outbox },
      { issuerId: t.issuer.id, verificationMethod: leftover.verificationMethod, reason: 'backup disk lost', actor: { by: 'operator', userId: null } },
    );
    // (it also copied the status entry of the award it imitates, which the compromise re-issued and revoked)
    expect(failing((await serverVerify(t, backdated)).checks)).toEqual(['signing_key:fail:key_compromised', 'status:fail:revoked']);
  });
});
