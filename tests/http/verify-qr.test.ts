import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAward } from '../../src/awards/award-service.js';
import type { ProofPool } from '../../src/credentials/proof-pool.js';
import { signCredential } from '../../src/credentials/sign.js';
import { seedFrameworks } from '../../src/frameworks/seed.js';
import type { Actor } from '../../src/policy/policy.js';
import { decodeCredentialQr, encodeCredentialQr } from '../../src/qr/payload.js';
import type { TypeTableLoader } from '../../src/qr/type-table.js';
import { trustBundleService } from '../../src/trust/service.js';
import { verifyQrText } from '../../src/verifier/pipeline.js';
import type { Verdict } from '../../src/verifier/verdict.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge, newDidKey } from '../helpers/credentials.js';
import { testDialect } from '../helpers/db.js';

/*
 * POST /verify/qr decodes the payload on a verification worker, in the same job as the proofs. Every answer must be
 * what the pipeline gives in-process over the same trust bundle (the main-thread decode it replaced, and what the
 * offline verifiers compute), including for payloads that are damaged, foreign or newer than the bundle.
 */

let t: TestContext;
let admin: { authorization: string };
let officerAuth: { authorization: string };
let officer: Actor;
let pool: ProofPool;
const jobs = { qr: 0, proofs: 0, scans: 0 };

beforeAll(async () => {
  t = await createTestContext();
  await seedFrameworks(t.db.kysely);
  admin = (await t.login('admin', { issuerId: null })).headers;
  const login = await t.login('certifying_officer');
  officer = { id: login.userId, role: 'certifying_officer', issuerId: t.issuer.id };
  officerAuth = login.headers;
  // Counts the pool's jobs: a scan must be one QR job, never a decode here and a proof job there.
  pool = t.services.credentials.pool!;
  const verifyQr = pool.verifyQr.bind(pool);
  const verifyProofs = pool.verifyProofs.bind(pool);
  pool.verifyQr = (...args) => (jobs.qr++, verifyQr(...args));
  pool.verifyProofs = (...args) => (jobs.proofs++, verifyProofs(...args));
}, 60_000);
afterAll(async () => t.close());

/** A qualification entered and accredited through the registry routes, which publishes its QR type table. */
async function publishQualification(slug: string): Promise<string> {
  const imported = await t.app.inject({
    method: 'POST',
    url: '/qualifications/import',
    headers: admin,
    payload: {
      units: [1, 2, 3].map((n) => ({ code: `${slug.toUpperCase()}-U${n}`, titles: { en: `${slug} unit ${n}` }, scheme: 'TEST' })),
      qualifications: [{ slug, code: slug.toUpperCase(), titles: { en: `Qualification ${slug}` }, frameworkId: 'ph-pqf', nationalLevel: 2, sector: `Sector ${slug}`, core: [1, 2, 3].map((n) => `${slug.toUpperCase()}-U${n}`) }],
    },
  });
  expect(imported.statusCode, imported.body).toBe(201);
  const id = `https://tanda.example/qualifications/${slug}`;
  const accredited = await t.app.inject({ method: 'POST', url: `/issuers/${t.issuer.id}/accreditations`, headers: admin, payload: { country: 'PH', frameworkId: 'ph-pqf', validFrom: '2026-01-01', qualificationIds: [id] } });
  expect(accredited.statusCode, accredited.body).toBe(201);
  return id;
}

async function award(qualificationId: string) {
  const units = await t.db.kysely.selectFrom('qualification_units').select('unit_id').where('qualification_id', '=', qualificationId).execute();
  const issued = await issueAward(t.services, officer, { issuerId: t.issuer.id, qualificationId, achievedUnitIds: units.map((u) => u.unit_id), holder: { name: 'Maricel Dela Cruz Santos' } });
  const stored = (await t.services.credentials.find(String(issued.credential.id)))!;
  return { issued, payload: (await t.services.certificates.qrPayload(stored)).payload };
}

const newestTable = async () =>
  Number((await t.db.kysely.selectFrom('qr_type_tables').select((eb) => eb.fn.max('registry_entry_id').as('max')).executeTakeFirstOrThrow()).max);

const data = () => trustBundleService(t.services).verifierData();

/** The route's answer, checked equal to the in-process pipeline's over the bundle the route used, at the same instant. */
async function scan(payload: string): Promise<Verdict> {
  const res = await t.app.inject({ method: 'POST', url: '/verify/qr', payload: { payload } });
  jobs.scans++;
  expect(res.statusCode, res.body).toBe(200);
  const verdict = res.json<Verdict>();
  const inProcess = await verifyQrText(payload, await data(), { now: new Date(verdict.checkedAt) });
  expect(verdict).toEqual(JSON.parse(JSON.stringify(inProcess)));
  return verdict;
}

const check = (verdict: Verdict, id: string) => verdict.checks.find((c) => c.id === id);

describe(`POST /verify/qr decodes on the verification pool (${testDialect})`, () => {
  let valid: Awaited<ReturnType<typeof award>>;
  beforeAll(async () => {
    valid = await award(await publishQualification('qr-pool-first'));
  }, 60_000);

  it('a valid certificate, its tampered copy, a foreign issuer\'s and a revoked one get the in-process verdicts', async () => {
    expect((await scan(valid.payload)).verdict).toBe('VALID');
    expect((await scan(`  ${valid.payload}\n`)).verdict).toBe('VALID');

    const loaders = await data();
    const decoded = await decodeCredentialQr(valid.payload, loaders);
    const subject = decoded.credentialSubject as Record<string, unknown>;
    const tampered = await encodeCredentialQr({ ...decoded, credentialSubject: { ...subject, name: 'Someone Else' } }, { ...loaders, registryEntryId: valid.issued.registryEntryId });
    const forged = await scan(tampered.payload);
    expect(forged.verdict).toBe('INVALID');
    expect(check(forged, 'signature')).toMatchObject({ status: 'fail' });

    const stranger = await newDidKey();
    const signed = await signCredential(badge(stranger.did), { signer: stranger.signer, documentLoader: t.services.documentLoader });
    const foreign = await scan((await encodeCredentialQr(signed, { ...loaders, registryEntryId: 1 })).payload);
    expect(foreign.verdict).toBe('INVALID');
    expect(check(foreign, 'signature')).toMatchObject({ status: 'pass' });
    expect(forged.checks.map((c) => c.code)).not.toEqual(foreign.checks.map((c) => c.code));

    const revoked = await award('https://tanda.example/qualifications/qr-pool-first');
    const res = await t.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(String(revoked.issued.credential.id))}/revoke`, headers: officerAuth, payload: { reason: 'error' } });
    expect(res.statusCode, res.body).toBe(200);
    const refused = await scan(revoked.payload);
    expect(refused.verdict).toBe('INVALID');
    expect(check(refused, 'status')).toMatchObject({ status: 'fail', code: 'revoked' });
  }, 60_000);

  it('text that is not a payload, or a damaged one, is INVALID qr_malformed; a missing or oversized one is refused with 400', async () => {
    for (const text of ['HELLO', 'VP1-RX', valid.payload.slice(0, 80), `${valid.payload.slice(0, -3)}:::`, 'VP1-B' + valid.payload.slice(5)]) {
      const verdict = await scan(text);
      expect([verdict.verdict, verdict.checks[0]]).toEqual(['INVALID', expect.objectContaining({ id: 'payload', code: 'qr_malformed', key: 'qr_malformed' })]);
    }
    for (const payload of ['', 'V'.repeat(8193)]) {
      const res = await t.app.inject({ method: 'POST', url: '/verify/qr', payload: { payload } });
      expect([res.statusCode, res.json().code]).toEqual([400, 'validation_failed']);
    }
    const unknownField = await t.app.inject({ method: 'POST', url: '/verify/qr', payload: { payload: valid.payload, extra: 1 } });
    expect([unknownField.statusCode, unknownField.json().code]).toEqual([400, 'unknown_field']);
  });

  it('a payload newer than the bundle is CANNOT CHECK YET; once its table is published after the server started, the next scan uses it', async () => {
    const loaders = await data();
    // A certificate printed with the next table id, which the bundle does not have yet.
    const next = (await newestTable()) + 1;
    const table: TypeTableLoader = async ({ registryEntryId }) => (registryEntryId === next ? loaders.typeTableLoader({ registryEntryId: valid.issued.registryEntryId }) : undefined);
    const newer = await encodeCredentialQr(valid.issued.credential, { documentLoader: loaders.documentLoader, typeTableLoader: table, registryEntryId: next });
    const waiting = await scan(newer.payload);
    expect(waiting.verdict).toBe('CANNOT_CHECK');
    expect(waiting.checks[0]).toMatchObject({ id: 'payload', code: 'qr_table_unknown' });

    // The registry publishes that id now, for a qualification entered after the server (and its workers) started.
    const later = await award(await publishQualification('qr-pool-later'));
    expect(later.issued.registryEntryId).toBe(next);
    expect((await verifyQrText(later.payload, loaders)).verdict, 'the bundle held before lacks the table').toBe('CANNOT_CHECK');
    expect((await scan(later.payload)).verdict).toBe('VALID');
    // The tables the worker was given before are still right for the certificates printed with them.
    expect((await scan(valid.payload)).verdict).toBe('VALID');
  }, 60_000);

  it('every scan was one job on the pool, decode and proofs together', () => {
    expect(jobs.scans).toBeGreaterThan(10);
    expect(jobs).toEqual({ qr: jobs.scans, proofs: 0, scans: jobs.scans });
  });
});
