import { officerOf } from '../helpers/credentials.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compromiseKeyCommand } from '../../src/cli/keys.js';
import type { SignedCredential } from '../../src/credentials/sign.js';
import { compromiseKey } from '../../src/issuers/compromise.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { listAudit, verifyAuditChain } from '../../src/rpl/audit.js';
import type { StatusService } from '../../src/status/status-service.js';
import { verifyQrText } from '../../src/verifier/pipeline.js';
import { captured } from '../helpers/cli.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { housekeepingAssessment, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { badge as plainAward } from '../status/fixtures.js';
import { award, failing, notPassing, offlineVerifier, offlineVerify, serverVerify } from './fixtures.js';

let t: TestContext;
let f: RplFixture;
beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

const TEMPLATE = 'credential_reissued_key_compromise';

/** A returnee's RPL case taken through the workflow over HTTP up to certification. */
async function certifiedCase(): Promise<{ credentialId: string; email: string; userId: string }> {
  const candidate = await f.registerCandidate();
  const me = await f.candidateSession(candidate.email);
  const kase = await f.openCase(me);
  const ok = (r: { statusCode: number; body: unknown }) => expect(r.statusCode, JSON.stringify(r.body)).toBe(200);
  ok(await f.fire(kase.id, me, 'submit'));
  ok(await f.fire(kase.id, f.counsellor, 'start_screening'));
  ok(await f.fire(kase.id, f.counsellor, 'accept', { assessorId: f.assessor.userId }));
  const record = await t.app.inject({
    method: 'POST',
    url: `/cases/${kase.id}/evidence/records`,
    headers: f.assessor,
    payload: { kind: 'demonstration_record', title: 'Room turnaround', description: 'Prepared a guest room to checklist.' },
  });
  expect(record.statusCode).toBe(201);
  const assessed = await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/assessments`, headers: f.assessor, payload: housekeepingAssessment(t.issuer.id, [record.json().id]) });
  expect(assessed.statusCode).toBe(200);
  ok(await f.fire(kase.id, f.assessor, 'decide'));
  ok(await f.fire(kase.id, f.moderator, 'confirm', { note: 'Consistent.' }));
  const certified = await f.fire(kase.id, f.officer, 'certify');
  ok(certified);
  return { credentialId: certified.body.credentialId as string, email: candidate.email, userId: candidate.userId };
}

async function runCli(argv: string[]): Promise<{ code: number; out: string }> {
  const { value: code, out } = await captured(() => compromiseKeyCommand(argv, t.services));
  return { code, out };
}

const notices = () => t.db.kysely.selectFrom('notifications').select(['recipient', 'channel', 'body']).where('template', '=', TEMPLATE).orderBy('recipient').execute();
const replacementOf = async (id: string) =>
  (await t.db.kysely.selectFrom('credential_links').select(['replacement_id', 'kind']).where('replaced_id', '=', id).execute());

describe(`reporting a key compromised, on ${testDialect}`, () => {
  const old: Record<string, SignedCredential> = {};
  let compromised: string;

  it('refuses everything the key signed, gives the body a new key, re-issues in one batch and tells the returnees', async () => {
    const rpl = await certifiedCase();
    old.rpl = (await t.services.credentials.find(rpl.credentialId))!.document;
    const second = await f.registerCandidate();
    old.held = await award(t, second.userId, 'Jun Bautista');
    old.unheld = await award(t);
    old.fraud = await award(t);
    await t.services.status.revoke({ credentialId: old.fraud.id as string, actor: await officerOf(t), reason: 'fraud' });
    compromised = (await t.services.keys.currentKey(t.issuer.id)).verificationMethod;
    // Until the report, its credentials verify (and the server's registry snapshot is now warm).
    expect((await serverVerify(t, old.unheld)).statusCode).toBe(200);
    for (const c of Object.values(old)) expect(c.proof.verificationMethod).toBe(compromised);

    const officer = await t.app.inject({ method: 'POST', url: `/issuers/${t.issuer.id}/keys/compromise`, headers: f.officer, payload: { reason: 'laptop stolen' } });
    expect(officer.statusCode).toBe(403);
    expect((await t.services.keys.currentKey(t.issuer.id)).verificationMethod).toBe(compromised);

    const res = await t.app.inject({ method: 'POST', url: `/issuers/${t.issuer.id}/keys/compromise`, headers: f.admin, payload: { reason: 'laptop stolen' } });
    expect(res.statusCode, res.body).toBe(200);
    const outcome = res.json();
    const current = await t.services.keys.currentKey(t.issuer.id);
    expect(outcome).toMatchObject({ verificationMethod: compromised, replacement: current.verificationMethod, newlyReported: true, notified: 2, failed: [], completed: true });
    expect(outcome.statusListsResigned).toBeGreaterThanOrEqual(1);
    expect(outcome.reissued.map((r: { replaced: string }) => r.replaced).sort()).toEqual([old.rpl.id, old.held.id, old.unheld.id].sort());
    expect(current.verificationMethod).not.toBe(compromised);
    expect(await t.services.keys.keyRecord(compromised)).toMatchObject({ status: 'compromised', compromisedAt: expect.any(String) });

    const data = await offlineVerifier(t);
    expect(data.bundle.format).toBe(2);
    expect(data.signingKey(compromised)).toMatchObject({ status: 'compromised', compromisedAt: outcome.reportedAt });
    for (const [name, credential] of Object.entries(old)) {
      const server = await serverVerify(t, credential);
      expect(server.statusCode, name).toBe(400); // VC API: a credential that does not verify
      // Revoked too: the fraud one by its officer, the others as superseded by their replacement.
      expect(failing(server.checks), name).toEqual(['signing_key:fail:key_compromised', 'status:fail:revoked']);
      const offline = await offlineVerify(data, credential);
      expect(offline.verdict, name).toBe('INVALID');
      expect(failing(offline.checks), name).toContain('signing_key:fail:key_compromised');
    }

    for (const name of ['rpl', 'held', 'unheld']) {
      const [link] = await replacementOf(old[name]!.id as string);
      expect(link, name).toMatchObject({ kind: 'key_compromise' });
      const stored = (await t.services.credentials.find(link!.replacement_id))!;
      const doc = stored.document;
      expect(doc.proof.verificationMethod).toBe(current.verificationMethod);
      expect(doc.validFrom).toBe(old[name]!.validFrom);
      expect(doc.credentialSubject).toEqual(old[name]!.credentialSubject);
      expect(Date.parse(String(doc.proof.created))).toBeGreaterThanOrEqual(Date.parse(outcome.reportedAt) - 1000);
      const server = await serverVerify(t, doc);
      expect(server.statusCode, name).toBe(200);
      expect(failing(server.checks)).toEqual([]);
      // The registry lines see the body's new DID at once (the server's registry snapshot was dropped).
      expect(server.checks.find((c) => c.id === 'issuer_accredited'), name).toMatchObject({ status: 'pass' });
      // The employer's path: the re-printed certificate's QR code, checked offline with the new verification data.
      const qr = await t.services.certificates.qrPayload(stored);
      const verdict = await verifyQrText(qr.payload, data);
      // The demo AQRF mapping is provisional: a note beside the level, not a warning, so VALID.
      expect(verdict.verdict, name).toBe('VALID');
      expect(notPassing(verdict.checks), name).toEqual(['aqrf_level:info:aqrf_provisional']);
    }
    expect((await replacementOf(old.fraud.id as string))).toEqual([]);
    const revocation = await t.db.kysely.selectFrom('revocations').select('reason').where('credential_id', '=', old.rpl.id as string).executeTakeFirstOrThrow();
    expect(revocation.reason).toBe('superseded');

    const sent = await notices();
    expect(sent.map((n) => [n.recipient, n.channel])).toEqual([[rpl.email, 'email'], [second.email, 'email']].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    for (const n of sent) expect(n.body).toMatch(/Test Certifying Body has replaced your certificate for .+ no longer verify/);

    const audit = (await listAudit(t.db.kysely, { limit: 1000 })).filter((e) => e.action.startsWith('key.') || e.action === 'credential.reissued_key_compromise');
    expect(audit.map((e) => e.action)).toEqual(['key.compromised', 'credential.reissued_key_compromise', 'credential.reissued_key_compromise', 'credential.reissued_key_compromise', 'key.compromise_completed']);
    // Every step is the admin's who reported it; the reason stays in the report, out of the unerasable chain.
    const actors = [...new Set(audit.map((e) => e.actorId))];
    expect(actors).toHaveLength(1);
    expect(await t.db.kysely.selectFrom('users').select('role').where('id', '=', actors[0]!).executeTakeFirst()).toEqual({ role: 'admin' });
    expect(JSON.stringify(audit)).not.toContain('laptop stolen');
    expect(await verifyAuditChain(t.db.kysely)).toMatchObject({ valid: true });
  });

  it('re-running the same report, over HTTP or on the command line, does nothing twice', async () => {
    const count = async () => ({
      keys: (await t.db.kysely.selectFrom('issuer_keys').select('id').where('issuer_id', '=', t.issuer.id).execute()).length,
      credentials: (await t.db.kysely.selectFrom('credentials').select('id').execute()).length,
      notices: (await notices()).length,
      audit: (await listAudit(t.db.kysely, { limit: 1000 })).length,
    });
    const before = await count();
    const current = (await t.services.keys.currentKey(t.issuer.id)).verificationMethod;

    const again = await t.app.inject({ method: 'POST', url: `/issuers/${t.issuer.id}/keys/compromise`, headers: f.admin, payload: { reason: 'laptop stolen' } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ verificationMethod: compromised, newlyReported: false, reissued: [], notified: 0, completed: true });
    const cli = await runCli([t.issuer.id, '--reason', 'laptop stolen']);
    expect(cli.code).toBe(0);
    expect(cli.out).toContain(`key ${compromised} was already reported compromised`);
    expect(cli.out).toContain('re-issued 0 credential(s)');

    expect(await count()).toEqual(before);
    expect((await t.services.keys.currentKey(t.issuer.id)).verificationMethod).toBe(current);
  });

  it('a run stopped half-way resumes: what it re-issued is not re-issued again (did:web body)', async () => {
    const body = await createIssuer(t.db.kysely, t.services.keys, 'https://tanda.test', { id: 'web-body', name: 'Web Body', country: 'PH', didMethod: 'web' });
    const issued: SignedCredential[] = [];
    for (const name of ['Ana Lim', 'Liza Go', 'Pia Santos']) issued.push(await t.services.credentials.issue(plainAward(body.did, { name }), { issuerId: body.id }));
    const vm = issued[0]!.proof.verificationMethod as string;

    // The process dies after the first re-issue: later ones never happen (and leave nothing behind).
    let calls = 0;
    const dying = new Proxy(t.services.status, {
      get(target, prop, receiver) {
        if (prop !== 'reissueUnderCurrentKey') return Reflect.get(target, prop, receiver);
        return (...args: Parameters<StatusService['reissueUnderCurrentKey']>) => {
          if (++calls > 1) throw new Error('process killed');
          return target.reissueUnderCurrentKey(...args);
        };
      },
    });
    const deps = { db: t.db, keys: t.services.keys, outbox: t.services.rpl.outbox };
    const request = { issuerId: body.id, reason: 'HSM tampered', actor: { by: 'operator', userId: null } };
    const first = await compromiseKey({ ...deps, status: dying }, request);
    expect(first).toMatchObject({ verificationMethod: vm, newlyReported: true, completed: false });
    expect(first.reissued).toHaveLength(1);
    expect(first.failed.map((x) => x.code)).toEqual(['internal', 'internal']);

    const second = await compromiseKey({ ...deps, status: t.services.status }, request);
    expect(second).toMatchObject({ verificationMethod: vm, newlyReported: false, failed: [], completed: true });
    expect(second.reissued.map((r) => r.replaced).sort()).toEqual(issued.map((c) => c.id as string).filter((id) => id !== first.reissued[0]!.replaced).sort());
    for (const c of issued) expect(await replacementOf(c.id as string)).toHaveLength(1);

    // The DID document says the key is revoked (for verifiers elsewhere); ours name why.
    const doc = (await t.app.inject({ method: 'GET', url: `/issuers/${body.id}/did.json` })).json();
    expect(doc.verificationMethod).toEqual([
      expect.objectContaining({ id: vm, revoked: first.reportedAt }),
      expect.not.objectContaining({ revoked: expect.anything() }),
    ]);
    // (a plain VC API credential claims no catalogue qualification: its registry lines fail, outside `verified`)
    const refused = await serverVerify(t, issued[1]);
    expect(refused.verified).toBe(false);
    expect(failing(refused.checks).filter((c) => /^(signature|signing_key|status):/.test(c))).toEqual(['signing_key:fail:key_compromised', 'status:fail:revoked']);
    const replacement = await t.services.credentials.find(second.reissued[0]!.replacement);
    expect(replacement!.document.issuer).toMatchObject({ id: body.did });
    const accepted = await serverVerify(t, replacement!.document);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.checks.find((c) => c.id === 'signing_key')).toMatchObject({ status: 'pass' });
  });
});
