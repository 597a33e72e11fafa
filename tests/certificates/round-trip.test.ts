import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAward } from '../../src/awards/award-service.js';
import { getQualification } from '../../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import type { Qualification } from '../../src/frameworks/types.js';
import type { Actor } from '../../src/policy/policy.js';
import { compactTypes, decodeCredentialQr } from '../../src/qr/payload.js';
import { typeTableLoaderFromDb } from '../../src/qr/type-table-repository.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { decodeQr, rasterisePage } from '../helpers/raster.js';

let t: TestContext;
let officer: { authorization: string };
let officerActor: Actor;
let qualification: Qualification;

beforeAll(async () => {
  t = await createTestContext();
  await seedRegistry(t.db.kysely, { issuers: [t.issuer.id] });
  qualification = (await getQualification(t.db.kysely, 'https://tanda.example/qualifications/ph-housekeeping-nc2'))!;
  const login = await t.login('certifying_officer');
  officer = login.headers;
  officerActor = { id: login.userId, role: 'certifying_officer', issuerId: t.issuer.id };
});
afterAll(async () => t.close());

const NAMES: Array<[script: string, name: string, latin?: string]> = [
  ['Latin', 'Maricel Dela Cruz Santos'],
  ['Vietnamese', 'Nguyễn Thị Hồng Nhung', 'Nguyen Thi Hong Nhung'],
  ['Thai', 'สมศรี ใจดี', 'Somsri Jaidee'],
  ['Khmer', 'សុខ ចាន់ធី', 'Sok Chanthy'],
  ['Lao', 'ບົວໄຂ ພົມມະຈັນ', 'Bouakhai Phommachan'],
  ['Burmese', 'မြင့်မြင့်ခိုင်', 'Myint Myint Khine'],
];

describe(`certificate round trip on ${testDialect}: PDF → raster → QR → CBOR-LD → same credential → verifies`, () => {
  for (const template of ['full-qualification', 'statement-of-attainment'] as const) {
    for (const [script, name, latin] of NAMES) {
      it(`${template}, ${script} name`, async () => {
        const core = qualification.units.filter((u) => u.kind === 'core').map((u) => u.unitId);
        const award = await issueAward(t.services, officerActor, {
          issuerId: t.issuer.id,
          qualificationId: qualification.id,
          achievedUnitIds: template === 'full-qualification' ? core : core.slice(0, 3),
          holder: { name, nameLatin: latin },
          assessment: { centre: 'Overseas Assessment, Migrant Workers Office Hong Kong (demo)', country: 'HK' },
        });
        expect(award.kind).toBe(template === 'full-qualification' ? 'full_qualification' : 'statement_of_attainment');
        const id = encodeURIComponent(String(award.credential.id));
        const paper = script === 'Latin' ? 'Letter' : 'A4';
        const res = await t.app.inject({ method: 'GET', url: `/credentials/${id}/certificate.pdf?paper=${paper}`, headers: officer });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('application/pdf');

        const qr = decodeQr(await rasterisePage(res.rawPayload, 0, 200));
        expect(qr, 'QR code found on the page').not.toBeNull();
        const decoded = await decodeCredentialQr(qr!.text, { typeTableLoader: typeTableLoaderFromDb(t.db.kysely), documentLoader: t.services.documentLoader });
        expect(decoded).toEqual(compactTypes(award.credential));

        const verified = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: decoded } });
        expect(verified.statusCode, verified.body).toBe(200);
        const checks = verified.json().checks as Array<{ id: string; status: string }>;
        expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
      });
    }
  }

  it('serves the QR alone as PNG and SVG, only to the holder\'s side, and the short code checks online', async () => {
    const award = await issueAward(t.services, officerActor, {
      issuerId: t.issuer.id,
      qualificationId: qualification.id,
      achievedUnitIds: qualification.units.filter((u) => u.kind === 'core').map((u) => u.unitId),
      holder: { name: 'Rosalinda Aquino' },
    });
    const id = encodeURIComponent(String(award.credential.id));
    const png = await t.app.inject({ method: 'GET', url: `/credentials/${id}/qr.png`, headers: officer });
    expect([png.statusCode, png.headers['content-type']]).toEqual([200, 'image/png']);
    const svg = await t.app.inject({ method: 'GET', url: `/credentials/${id}/qr.svg`, headers: officer });
    expect(svg.body).toContain('<svg');
    const anon = await t.app.inject({ method: 'GET', url: `/credentials/${id}/certificate.pdf` });
    expect(anon.statusCode).toBe(401);
    const stranger = (await t.login('candidate')).headers;
    expect((await t.app.inject({ method: 'GET', url: `/credentials/${id}/certificate.pdf`, headers: stranger })).statusCode).toBe(404);

    const check = await t.app.inject({ method: 'GET', url: `/check/${award.verifyCode.toLowerCase()}` });
    expect(check.statusCode).toBe(200);
    expect(check.json().verified).toBe(true);
    // The employer's verdict from the verifiers' pipeline: the demo PQF → AQRF mapping is provisional, a note only.
    expect(check.json().verdict).toMatchObject({ verdict: 'VALID', claimsConfirmed: true, reason: { key: 'reason.VALID' } });
    expect((await t.app.inject({ method: 'GET', url: '/check/AAAAA-AAAAA' })).statusCode).toBe(404);
  });

  it('a re-issued (corrected) credential keeps a printable certificate, and the original reads as revoked', async () => {
    const award = await issueAward(t.services, officerActor, {
      issuerId: t.issuer.id,
      qualificationId: qualification.id,
      achievedUnitIds: qualification.units.filter((u) => u.kind === 'core').map((u) => u.unitId),
      holder: { name: 'Rosalind Aquino' },
    });
    const id = encodeURIComponent(String(award.credential.id));
    const re = await t.app.inject({ method: 'POST', url: `/credentials/${id}/reissue`, headers: officer, payload: { holderName: 'Rosalinda Aquino', note: 'name misspelt' } });
    expect(re.statusCode, re.body).toBe(201);
    const replacement = re.json().verifiableCredential;
    const pdf = await t.app.inject({ method: 'GET', url: `/credentials/${encodeURIComponent(replacement.id)}/certificate.pdf`, headers: officer });
    expect(pdf.statusCode).toBe(200);
    const qr = decodeQr(await rasterisePage(pdf.rawPayload, 0, 200));
    const decoded = await decodeCredentialQr(qr!.text, { typeTableLoader: typeTableLoaderFromDb(t.db.kysely), documentLoader: t.services.documentLoader });
    expect(decoded).toEqual(compactTypes(replacement));
    const old = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: award.credential } });
    expect(old.statusCode).toBe(400);
    expect(old.json().checks.find((c: { id: string }) => c.id === 'status')).toMatchObject({ code: 'revoked' });
  });

  it('a typical credential (30-character name, 6 units, both levels, status, evidence, dated proof) fits QR version 16 at ECC M', async () => {
    const issue = () =>
      issueAward(t.services, officerActor, {
        issuerId: t.issuer.id,
        qualificationId: qualification.id,
        achievedUnitIds: qualification.units.filter((u) => u.kind === 'core').map((u) => u.unitId),
        holder: { name: 'Maria Clara Dela Cruz Santos Jr' },
        evidence: { name: 'RPL, Hong Kong, HK', description: 'interview, observation, portfolio' },
      });
    await issue();
    // The place (an assessment centre of the body) and the methods are in the table the registry published.
    const award = await issue();
    const stored = (await t.services.credentials.find(String(award.credential.id)))!;
    const qr = await t.services.certificates.qrPayload(stored);
    expect(award.credential.evidence).toBeDefined();
    expect(qr.version, `${qr.bytes} bytes`).toBeLessThanOrEqual(16);
  });

  it('refuses to certify outside accreditation, and with no competent unit', async () => {
    const other = await getQualification(t.db.kysely, 'https://tanda.example/qualifications/id-skkni-junior-web-developer');
    await expect(
      issueAward(t.services, officerActor, { issuerId: t.issuer.id, qualificationId: other!.id, achievedUnitIds: [other!.units[0]!.unitId], holder: { name: 'X' } }),
    ).rejects.toMatchObject({ code: 'not_accredited' });
    await expect(
      issueAward(t.services, officerActor, { issuerId: t.issuer.id, qualificationId: qualification.id, achievedUnitIds: [], holder: { name: 'X' } }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    const rows = await t.db.kysely.selectFrom('credentials').select('holder_name').where('holder_name', '=', 'X').execute();
    expect(rows).toEqual([]);
  });
});
