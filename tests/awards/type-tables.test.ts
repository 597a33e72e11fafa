import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceWording } from '../../src/awards/evidence-wording.js';
import { issueAward } from '../../src/awards/award-service.js';
import { rotateKeyCommand } from '../../src/cli/keys.js';
import { compromiseKey } from '../../src/issuers/compromise.js';
import { seedFrameworks } from '../../src/frameworks/seed.js';
import { bundledContexts } from '../../src/jsonld/index.js';
import type { Actor } from '../../src/policy/policy.js';
import { compactTypes, decodeCredentialQr } from '../../src/qr/payload.js';
import { typeTableLoaderFromDb } from '../../src/qr/type-table-repository.js';
import { openTrustBundle } from '../../src/trust/open.js';
import { verifyQrText } from '../../src/verifier/pipeline.js';
import { createVerifierData } from '../../src/verifier/verifier-data.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { captured } from '../helpers/cli.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;
let admin: { authorization: string };
let officer: Actor;

beforeAll(async () => {
  t = await createTestContext();
  await seedFrameworks(t.db.kysely);
  admin = (await t.login('admin', { issuerId: null })).headers;
  const login = await t.login('certifying_officer');
  officer = { id: login.userId, role: 'certifying_officer', issuerId: t.issuer.id };
});
afterAll(async () => t.close());

const qualificationUrl = (slug: string) => `https://tanda.example/qualifications/${slug}`;

/** A qualification entered through the registry route, as an admin does. */
async function importQualification(slug: string, sector: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/qualifications/import',
    headers: admin,
    payload: {
      units: [1, 2, 3].map((n) => ({ code: `${slug.toUpperCase()}-U${n}`, titles: { en: `${slug} unit ${n}` }, scheme: 'TEST' })),
      qualifications: [{ slug, code: slug.toUpperCase(), titles: { en: `Qualification ${slug}` }, frameworkId: 'ph-pqf', nationalLevel: 2, sector, core: [1, 2, 3].map((n) => `${slug.toUpperCase()}-U${n}`) }],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return qualificationUrl(slug);
}

async function accredit(payload: Record<string, unknown>): Promise<void> {
  const res = await t.app.inject({ method: 'POST', url: `/issuers/${t.issuer.id}/accreditations`, headers: admin, payload: { country: 'PH', frameworkId: 'ph-pqf', validFrom: '2026-01-01', ...payload } });
  expect(res.statusCode, res.body).toBe(201);
}

const tablesOf = async (qualificationId: string) =>
  (await t.db.kysely.selectFrom('qr_type_tables').select(['registry_entry_id', 'source_json']).where('qualification_id', '=', qualificationId).orderBy('registry_entry_id').execute()).map((r) => ({
    id: Number(r.registry_entry_id),
    urls: (JSON.parse(r.source_json) as { urls: string[] }).urls,
  }));

/** The verification data an employer downloads now (GET /trust-bundle), opened as the offline verifier does. */
async function downloadedData() {
  const authority = (await t.app.inject({ method: 'GET', url: '/trust-bundle/authority' })).json().did as string;
  const res = await t.app.inject({ method: 'GET', url: '/trust-bundle' });
  expect(res.statusCode).toBe(200);
  return createVerifierData(await openTrustBundle(res.body, { authority, contexts: bundledContexts() }), bundledContexts());
}

async function award(qualificationId: string, evidence = evidenceWording(['observation'], { city: 'Manila', country: 'PH' })) {
  const q = await t.db.kysely.selectFrom('qualification_units').select('unit_id').where('qualification_id', '=', qualificationId).execute();
  const issued = await issueAward(t.services, officer, {
    issuerId: t.issuer.id,
    qualificationId,
    achievedUnitIds: q.map((u) => u.unit_id),
    holder: { name: 'Maricel Dela Cruz Santos' },
    evidence,
  });
  const stored = (await t.services.credentials.find(String(issued.credential.id)))!;
  return { issued, qr: await t.services.certificates.qrPayload(stored) };
}

const currentKey = async () =>
  (await t.db.kysely.selectFrom('issuer_keys').select('verification_method').where('issuer_id', '=', t.issuer.id).where('status', '=', 'current').executeTakeFirstOrThrow()).verification_method;

describe(`QR type tables are published by the registry, not by the first certificate (${testDialect})`, () => {
  it('a trust bundle downloaded after catalogue entry and accreditation, before any certificate, verifies the first certificate offline', async () => {
    const q = await importQualification('first-cert', 'Tables A');
    expect(await tablesOf(q), 'no body is accredited for it yet: nothing to name').toEqual([]);
    await accredit({ qualificationIds: [q] });
    const published = await tablesOf(q);
    expect(published).toHaveLength(1);
    const body = await t.db.kysely.selectFrom('issuers').select('did').where('id', '=', t.issuer.id).executeTakeFirstOrThrow();
    expect(published[0]!.urls).toEqual(expect.arrayContaining([body.did, await currentKey()]));
    // Its award list was opened with the accreditation, so the table names it before any entry is used.
    expect(published[0]!.urls.some((u) => u.startsWith('https://tanda.test/status/'))).toBe(true);

    const data = await downloadedData();
    const { issued, qr } = await award(q);
    expect(issued.registryEntryId).toBe(published[0]!.id);
    expect(await tablesOf(q), 'the first certificate made no table').toHaveLength(1);
    const result = await verifyQrText(qr.payload, data);
    expect(result.verdict).toBe('VALID');
    // Its level alignment carries no targetType (docs/qr-payload.md): the level is still found, checked and shown.
    expect(result.checks.find((c) => c.id === 'national_level')).toMatchObject({ status: 'pass' });
    expect(result.summary?.nationalLevel).toEqual({ framework: 'PQF', level: '2' });
  });

  it('a qualification entering the catalogue inside a sector the body is accredited for gets its table at import', async () => {
    await accredit({ sectors: ['Tables B'] });
    const q = await importQualification('sector-entry', 'Tables B');
    expect(await tablesOf(q)).toHaveLength(1);
    const data = await downloadedData();
    expect((await verifyQrText((await award(q)).qr.payload, data)).verdict).toBe('VALID');
  });

  it('a cohort with two evidence wordings (another place, other methods) creates no second table version', async () => {
    const q = await importQualification('cohort', 'Tables C');
    await accredit({ qualificationIds: [q] });
    const before = await tablesOf(q);
    const first = await award(q, evidenceWording(['interview', 'observation'], { city: 'Hong Kong', country: 'HK' }));
    const second = await award(q, evidenceWording(['portfolio_review', 'written_test'], { city: 'Dubai', country: 'AE' }));
    expect(first.issued.credential.evidence).not.toEqual(second.issued.credential.evidence);
    expect(second.issued.registryEntryId).toBe(first.issued.registryEntryId);
    expect(await tablesOf(q)).toEqual(before);
    // Wording the table lacks is written uncompressed: the code still decodes to the signed credential.
    for (const { issued, qr } of [first, second]) {
      const decoded = await decodeCredentialQr(qr.payload, { typeTableLoader: typeTableLoaderFromDb(t.db.kysely), documentLoader: t.services.documentLoader });
      expect(decoded).toEqual(compactTypes(issued.credential));
    }
  });

  it('key rotation publishes the new key in a table version at rotation, and a bundle downloaded then verifies the next certificate', async () => {
    const q = await importQualification('rotation', 'Tables D');
    await accredit({ qualificationIds: [q] });
    const before = await tablesOf(q);
    const { value: code } = await captured(() => rotateKeyCommand([t.issuer.id], t.services));
    expect(code).toBe(0);
    const after = await tablesOf(q);
    expect(after).toHaveLength(before.length + 1);
    const key = await currentKey();
    expect(after.at(-1)!.urls).toContain(key);
    expect(before.at(-1)!.urls).not.toContain(key);

    const data = await downloadedData();
    const { issued, qr } = await award(q);
    expect(String(issued.credential.proof.verificationMethod)).toBe(key);
    expect(issued.registryEntryId).toBe(after.at(-1)!.id);
    expect(await tablesOf(q)).toHaveLength(after.length);
    expect((await verifyQrText(qr.payload, data)).verdict).toBe('VALID');
  });

  it('a key reported compromised: the replacement key is in a table version before any re-issue or new certificate', async () => {
    const q = await importQualification('compromise', 'Tables E');
    await accredit({ qualificationIds: [q] });
    const before = await tablesOf(q);
    const reported = await currentKey();
    const outcome = await compromiseKey(
      { db: t.db, keys: t.services.keys, status: t.services.status, outbox: t.services.rpl.outbox },
      { issuerId: t.issuer.id, reason: 'laptop stolen', actor: { by: 'operator', userId: null } },
    );
    expect(outcome.verificationMethod).toBe(reported);
    const after = await tablesOf(q);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)!.urls).toContain(outcome.replacement);

    const data = await downloadedData();
    const { issued, qr } = await award(q);
    expect(issued.registryEntryId).toBe(after.at(-1)!.id);
    expect((await verifyQrText(qr.payload, data)).verdict).toBe('VALID');
  });

  it('publishing again without a registry change writes nothing', async () => {
    await t.services.publishTypeTables();
    expect(await t.services.publishTypeTables()).toEqual([]);
  });
});
