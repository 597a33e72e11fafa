import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { isTandaError } from '../../src/errors.js';
import { addAccreditation, assertAccredited } from '../../src/frameworks/accreditation-repository.js';
import { buildAlignments, type Alignment } from '../../src/frameworks/alignments.js';
import { getQualification } from '../../src/frameworks/catalogue-repository.js';
import { importMappingTable } from '../../src/frameworks/mapping-import.js';
import { checkCredentialAgainstRegistry } from '../../src/frameworks/registry-check.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import type { RegistrySnapshot } from '../../src/frameworks/snapshot.js';
import { loadRegistrySnapshot } from '../../src/frameworks/snapshot-loader.js';
import type { Qualification } from '../../src/frameworks/types.js';
import { qualificationUrl, unitUrl } from '../../src/frameworks/urls.js';
import { createTestDb, testDialect } from '../helpers/db.js';
import { insertIssuer } from './fixtures.js';
import { OPERATOR } from '../../src/policy/policy.js';

const HSK = qualificationUrl('ph-housekeeping-nc2');
const RA = qualificationUrl('id-accstp-room-attendant');

/** An unsigned credential in the profile's shape: the registry check reads only issuer, dates and achievement. */
function credential(issuerDid: string, q: Qualification, validFrom: string, alignment: Alignment[], achievementType = 'Certificate') {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: issuerDid, type: ['Profile'], name: 'x' },
    validFrom,
    credentialSubject: {
      type: ['AchievementSubject'],
      achievement: { id: q.id, type: ['Achievement'], achievementType, name: q.titles.en, alignment },
    },
  };
}

const byId = (checks: ReturnType<typeof checkCredentialAgainstRegistry>, id: string) => checks.find((c) => c.id === id);

describe(`registry verification on ${testDialect}`, () => {
  let db: Db;
  let snapshot: RegistrySnapshot;
  let hsk: Qualification;
  let ra: Qualification;
  const ISSUED = '2026-03-01T08:00:00Z';

  beforeAll(async () => {
    db = await createTestDb();
    await insertIssuer(db.kysely, 'ph-body', 'PH');
    await insertIssuer(db.kysely, 'id-lsp', 'ID');
    await insertIssuer(db.kysely, 'ph-old', 'PH');
    await seedRegistry(db.kysely, { issuers: ['ph-body', 'id-lsp'] });
    // A body whose accreditation for Housekeeping NC II ran 2020-2022 only.
    await addAccreditation(db.kysely, OPERATOR, 'ph-old', { country: 'PH', qualificationIds: [HSK], validFrom: '2020-01-01', validUntil: '2022-01-01' });
    // The official PQF table arrives later and applies only from 2027: what was issued before keeps the provisional one.
    await importMappingTable(
      db.kysely,
      OPERATOR,
      {
        id: 'ph-pqf-test-official',
        frameworkId: 'ph-pqf',
        status: 'official',
        source: 'Test fixture standing in for the endorsed AQRF Referencing Report of the Philippines',
        citation: 'Test citation, Criterion 4',
        validFrom: '2027-01-01',
        entries: [{ nationalLevel: 2, aqrfLevel: 2 }],
      },
      { now: '2026-12-01T00:00:00.000Z' },
    );
    // Snapshots travel as JSON in the trust bundle: check over the serialised form.
    snapshot = JSON.parse(JSON.stringify(await loadRegistrySnapshot(db.kysely)));
    hsk = (await getQualification(db.kysely, HSK))!;
    ra = (await getQualification(db.kysely, RA))!;
  });
  afterAll(async () => db.destroy());

  const alignmentsAt = (q: Qualification, date: string, achievedUnitIds?: string[]) =>
    buildAlignments(q, { date, mappings: snapshot.mappingTables, ...(achievedUnitIds ? { achievedUnitIds } : {}) });

  it('accredited body, catalogue units, levels agreeing with a provisional mapping → passes with a provisional warning', () => {
    const checks = checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, alignmentsAt(hsk, ISSUED)), snapshot);
    expect(checks.map((c) => [c.id, c.status, c.code])).toEqual([
      ['issuer_known', 'pass', undefined],
      ['qualification_known', 'pass', undefined],
      ['issuer_accredited', 'pass', undefined],
      ['units_in_qualification', 'pass', undefined],
      ['national_level', 'pass', undefined],
      ['aqrf_level', 'warn', 'aqrf_provisional'],
    ]);
    expect(checks.every((c) => c.valid)).toBe(true);
    expect(byId(checks, 'aqrf_level')?.data).toMatchObject({ aqrfLevel: 2, aqrfStatus: 'provisional', mappingTableId: 'ph-pqf-demo-provisional-v1' });
  });

  it('AQRF level from an official table in force on the issue date → pass with aqrfStatus official', () => {
    const issued = '2027-03-01T00:00:00Z';
    const checks = checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, issued, alignmentsAt(hsk, issued)), snapshot);
    expect(byId(checks, 'aqrf_level')).toMatchObject({ status: 'pass', valid: true, data: { aqrfStatus: 'official', mappingTableId: 'ph-pqf-test-official' } });
  });

  it('no mapping for the national level → no AQRF alignment is built, and the check reports it absent', () => {
    const alignment = alignmentsAt(ra, ISSUED, ra.units.slice(0, 4).map((u) => u.unitId));
    expect(alignment.some((a) => a.targetFramework === 'AQRF')).toBe(false);
    const checks = checkCredentialAgainstRegistry(credential('did:key:zid-lsp', ra, ISSUED, alignment), snapshot);
    expect(checks.every((c) => c.status === 'pass')).toBe(true);
    expect(byId(checks, 'aqrf_level')?.data).toEqual({ aqrfStatus: 'absent', mappingAvailable: false });
  });

  it('body not accredited for the qualification → not_accredited', () => {
    const checks = checkCredentialAgainstRegistry(credential('did:key:zid-lsp', hsk, ISSUED, alignmentsAt(hsk, ISSUED)), snapshot);
    expect(byId(checks, 'issuer_accredited')).toMatchObject({ status: 'fail', valid: false, code: 'not_accredited' });
  });

  it('accreditation ended before the issue date → accreditation_expired; inside its period → pass', () => {
    const late = checkCredentialAgainstRegistry(credential('did:key:zph-old', hsk, '2023-05-01T00:00:00Z', alignmentsAt(hsk, '2023-05-01T00:00:00Z')), snapshot);
    expect(byId(late, 'issuer_accredited')).toMatchObject({ status: 'fail', code: 'accreditation_expired', data: { validUntil: '2022-01-01T00:00:00.000Z' } });
    const inTime = checkCredentialAgainstRegistry(credential('did:key:zph-old', hsk, '2021-05-01T00:00:00Z', alignmentsAt(hsk, '2021-05-01T00:00:00Z')), snapshot);
    expect(byId(inTime, 'issuer_accredited')?.status).toBe('pass');
  });

  it('a unit of another qualification → unit_not_in_qualification', () => {
    const alignment = alignmentsAt(hsk, ISSUED);
    alignment.unshift({ type: ['Alignment'], targetName: 'Provide housekeeping services to guests', targetUrl: unitUrl('D1.HHK.CL3.01') });
    const checks = checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, alignment), snapshot);
    expect(byId(checks, 'units_in_qualification')).toMatchObject({ status: 'fail', code: 'unit_not_in_qualification', data: { units: [unitUrl('D1.HHK.CL3.01')] } });
  });

  it('a full award missing core units fails its award rule; a statement of attainment may list a subset', () => {
    const some = hsk.units.slice(0, 2).map((u) => u.unitId);
    const full = checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, alignmentsAt(hsk, ISSUED, some)), snapshot);
    expect(byId(full, 'units_in_qualification')).toMatchObject({ status: 'fail', code: 'award_rule_not_met' });
    const partial = checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, alignmentsAt(hsk, ISSUED, some), 'Competency'), snapshot);
    expect(byId(partial, 'units_in_qualification')?.status).toBe('pass');
    // Room Attendant: 2 core + 2 of 3 electives
    const oneElective = ra.units.slice(0, 3).map((u) => u.unitId);
    const ra1 = checkCredentialAgainstRegistry(credential('did:key:zid-lsp', ra, ISSUED, alignmentsAt(ra, ISSUED, oneElective)), snapshot);
    expect(byId(ra1, 'units_in_qualification')?.data).toMatchObject({ electives: 1, electivesRequired: 2 });
  });

  it('national level or AQRF level not matching the registry → level_mismatch', () => {
    const wrongNational = alignmentsAt(hsk, ISSUED).map((a) => (a.targetFramework === 'PQF' ? { ...a, targetCode: '3' } : a));
    expect(byId(checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, wrongNational), snapshot), 'national_level')).toMatchObject({ status: 'fail', code: 'level_mismatch' });

    const wrongAqrf = alignmentsAt(hsk, ISSUED).map((a) => (a.targetFramework === 'AQRF' ? { ...a, targetCode: '4' } : a));
    expect(byId(checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, wrongAqrf), snapshot), 'aqrf_level')).toMatchObject({ status: 'fail', code: 'level_mismatch', data: { aqrfLevel: 2, stated: '4' } });

    // An AQRF level where no mapping was in force (KKNI has none)
    const claimed = [...alignmentsAt(ra, ISSUED), { type: ['Alignment'] as ['Alignment'], targetFramework: 'AQRF', targetCode: '2', targetName: 'AQRF Level 2', targetUrl: 'https://tanda.example/frameworks/aqrf/levels/2', targetType: 'ext:ReferenceFrameworkLevel' }];
    expect(byId(checkCredentialAgainstRegistry(credential('did:key:zid-lsp', ra, ISSUED, claimed), snapshot), 'aqrf_level')).toMatchObject({ status: 'fail', code: 'level_mismatch' });
  });

  it('levels are told by framework without targetType: another framework than the catalogue\'s fails; the older tagged shape is checked alike', () => {
    const built = alignmentsAt(hsk, ISSUED);
    expect(built.filter((a) => a.targetFramework !== undefined).every((a) => a.targetType === undefined)).toBe(true);
    const otherFramework = built.map((a) => (a.targetFramework === 'PQF' ? { ...a, targetFramework: 'KKNI' } : a));
    expect(byId(checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, otherFramework), snapshot), 'national_level')).toMatchObject({ status: 'fail', code: 'level_mismatch' });
    // Printed before 2026-11-28: the same levels tagged with targetType.
    const tagged = built.map((a) =>
      a.targetFramework === 'PQF' ? { ...a, targetType: 'ext:QualificationFrameworkLevel' } : a.targetFramework === 'AQRF' ? { ...a, targetType: 'ext:ReferenceFrameworkLevel' } : a,
    );
    const checks = checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, tagged), snapshot);
    expect(byId(checks, 'national_level')).toMatchObject({ status: 'pass' });
    expect(byId(checks, 'aqrf_level')).toMatchObject({ valid: true, data: { aqrfLevel: 2 } });
    expect(byId(checks, 'units_in_qualification')).toMatchObject({ status: 'pass' });
    const wrongTagged = tagged.map((a) => (a.targetType === 'ext:QualificationFrameworkLevel' ? { ...a, targetCode: '3' } : a));
    expect(byId(checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, ISSUED, wrongTagged), snapshot), 'national_level')).toMatchObject({ status: 'fail', code: 'level_mismatch' });
  });

  it('a credential issued before the provisional table existed cannot claim an AQRF level from it', () => {
    const early = '2023-06-01T00:00:00Z';
    const alignment = alignmentsAt(hsk, ISSUED); // built with the 2026 table
    const checks = checkCredentialAgainstRegistry(credential('did:key:zph-body', hsk, early, alignment), snapshot);
    expect(byId(checks, 'aqrf_level')).toMatchObject({ status: 'fail', code: 'level_mismatch' });
  });

  it('unknown issuer and unknown qualification', () => {
    const unknownIssuer = checkCredentialAgainstRegistry(credential('did:key:zstranger', hsk, ISSUED, alignmentsAt(hsk, ISSUED)), snapshot);
    expect(byId(unknownIssuer, 'issuer_known')).toMatchObject({ status: 'fail', code: 'issuer_unknown' });
    expect(byId(unknownIssuer, 'issuer_accredited')).toBeUndefined();
    const unknownQ = checkCredentialAgainstRegistry(credential('did:key:zph-body', { ...hsk, id: 'https://tanda.example/qualifications/none' }, ISSUED, []), snapshot);
    expect(unknownQ.map((c) => [c.id, c.code])).toEqual([
      ['issuer_known', undefined],
      ['qualification_known', 'qualification_unknown'],
    ]);
    expect(checkCredentialAgainstRegistry({ nope: true }, snapshot)).toEqual([expect.objectContaining({ id: 'registry', valid: false, code: 'invalid_credential' })]);
  });

  it('accreditation is checked when the proof was made, not only on the validFrom the signer chose', () => {
    const signedAt = (c: ReturnType<typeof credential>, created: string) => ({ ...c, proof: { type: 'DataIntegrityProof', created } });
    const inPeriod = credential('did:key:zph-old', hsk, '2021-05-01T00:00:00Z', alignmentsAt(hsk, '2021-05-01T00:00:00Z'));
    // Accredited 2020-2022, signed in 2026 with validFrom written back into 2021: refused (passed on validFrom alone).
    expect(byId(checkCredentialAgainstRegistry(signedAt(inPeriod, '2026-03-01T08:00:00Z'), snapshot), 'issuer_accredited')).toMatchObject({
      status: 'fail',
      code: 'accreditation_expired',
      message: expect.stringContaining('before it signed this credential on 2026-03-01'),
      data: { at: '2026-03-01T08:00:00.000Z' },
    });
    // Signed inside the period, valid from an earlier date also inside it (a re-issue keeps the award date): pass.
    expect(byId(checkCredentialAgainstRegistry(signedAt(inPeriod, '2021-11-30T00:00:00Z'), snapshot), 'issuer_accredited')).toMatchObject({ status: 'pass', data: { at: '2021-11-30T00:00:00.000Z' } });
    // Valid from before the accreditation began: the body would vouch for a time it was not accredited.
    const early = credential('did:key:zph-old', hsk, '2019-06-01T00:00:00Z', alignmentsAt(hsk, '2019-06-01T00:00:00Z'));
    expect(byId(checkCredentialAgainstRegistry(signedAt(early, '2021-11-30T00:00:00Z'), snapshot), 'issuer_accredited')).toMatchObject({
      status: 'fail',
      code: 'not_accredited',
      data: { at: '2019-06-01T00:00:00.000Z' },
    });
    // A proof without `created` (signed before proofs were dated) is judged on validFrom alone, as before.
    expect(byId(checkCredentialAgainstRegistry(inPeriod, snapshot), 'issuer_accredited')?.status).toBe('pass');
  });

  it('an explicit issue date overrides validFrom', () => {
    const c = credential('did:key:zph-old', hsk, ISSUED, alignmentsAt(hsk, '2021-05-01T00:00:00Z'));
    expect(byId(checkCredentialAgainstRegistry(c, snapshot, { issueDate: '2021-05-01' }), 'issuer_accredited')?.status).toBe('pass');
  });

  it('assertAccredited refuses issuing outside scope or validity with not_accredited', async () => {
    await expect(assertAccredited(db.kysely, { issuerId: 'ph-body', qualificationId: HSK, date: ISSUED })).resolves.toMatchObject({ issuerId: 'ph-body' });
    for (const args of [
      { issuerId: 'id-lsp', qualificationId: HSK, date: ISSUED },
      { issuerId: 'ph-old', qualificationId: HSK, date: ISSUED },
      { issuerId: 'ph-body', qualificationId: HSK, date: '2031-01-01' },
    ]) {
      const e = await assertAccredited(db.kysely, args).catch((x: unknown) => x);
      expect(isTandaError(e) && e.code).toBe('not_accredited');
    }
  });

  it('the snapshot carries the issuers, accreditations, frameworks, mapping versions and the catalogue', () => {
    expect(snapshot.issuers.map((i) => i.did)).toContain('did:key:zph-body');
    expect(snapshot.mappingTables.map((t) => t.id)).toEqual(['ph-pqf-demo-provisional-v1', 'ph-pqf-test-official']);
    expect(snapshot.frameworks).toHaveLength(12);
    expect(snapshot.qualifications).toHaveLength(4);
  });

  it('the registry check bundles for the browser with no Node built-ins', async () => {
    const entry = fileURLToPath(new URL('../../src/frameworks/registry-check.ts', import.meta.url));
    const out = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    expect(out.errors).toEqual([]);
    expect(out.outputFiles[0]!.text).not.toMatch(/node:|require\(/);
  });
});
