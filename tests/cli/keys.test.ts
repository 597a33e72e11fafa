import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKeyCommand } from '../../src/cli/keys.js';
import { signCredential } from '../../src/credentials/sign.js';
import { captured } from '../helpers/cli.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { badge as award } from '../status/fixtures.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => t.close());

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { value: code, out, err } = await captured(() => rotateKeyCommand(argv, t.services));
  return { code, out, err };
}

describe(`tanda rotate-key on ${testDialect}`, () => {
  it('refuses to retire a key whose credentials have undated proofs (they would stop verifying) unless forced', async () => {
    const dated = await t.services.credentials.issue(award(t.issuer.did), { issuerId: t.issuer.id });
    // A credential as issued before proofs were dated: signed by the same key, no proof.created.
    const key = await t.services.keys.currentKey(t.issuer.id);
    const legacy = await signCredential({ ...award(t.issuer.did), id: `urn:uuid:${crypto.randomUUID()}` }, { signer: key.signer, documentLoader: t.services.documentLoader });
    expect(legacy.proof.created).toBeUndefined();
    await t.db.kysely
      .insertInto('credentials')
      .values({ id: legacy.id as string, issuer_id: t.issuer.id, issued_by: null, qualification_id: null, case_id: null, holder_user_id: null, holder_name: null, document: JSON.stringify(legacy), valid_from: null, valid_until: null, created_at: new Date().toISOString() })
      .execute();

    const refused = await run([t.issuer.id]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`1 unrevoked credential(s) signed by ${key.verificationMethod} have undated proofs`);
    expect((await t.services.keys.currentKey(t.issuer.id)).verificationMethod).toBe(key.verificationMethod);

    const forced = await run([t.issuer.id, '--force']);
    expect(forced.code).toBe(0);
    const current = await t.services.keys.currentKey(t.issuer.id);
    expect(forced.out).toBe(`new current key: ${current.verificationMethod}\n`);
    expect(current.verificationMethod).not.toBe(key.verificationMethod);
    // What the guard warned about: the undated one no longer verifies; the dated one still does.
    const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: legacy } });
    expect(res.json().checks.find((c: { id: string }) => c.id === 'signing_key')).toMatchObject({ status: 'fail', code: 'key_retired' });
    const ok = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: dated } });
    expect(ok.json().checks.find((c: { id: string }) => c.id === 'signing_key')).toMatchObject({ status: 'pass' });
    expect(ok.json().verified).toBe(true);

    // The new key has signed nothing undated: the next rotation needs no --force.
    expect((await run([t.issuer.id])).code).toBe(0);
  });
});
