import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { listCertifyingBodies } from '../../src/frameworks/accreditation-repository.js';
import { getQualification, searchQualifications } from '../../src/frameworks/catalogue-repository.js';
import { getFramework, listFrameworks, listMappingTables } from '../../src/frameworks/framework-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { qualificationUrl, unitUrl } from '../../src/frameworks/urls.js';
import { createTestDb, testDialect } from '../helpers/db.js';
import { insertIssuer, registryCounts } from './fixtures.js';

describe(`registry repositories on ${testDialect}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
    const ph = await insertIssuer(db.kysely, 'ph-body', 'PH');
    const id = await insertIssuer(db.kysely, 'id-lsp', 'ID');
    await seedRegistry(db.kysely, { issuers: [ph, id] });
  });
  afterAll(async () => db.destroy());

  it('seeding twice adds nothing', async () => {
    const before = await registryCounts(db.kysely);
    await seedRegistry(db.kysely, { issuers: ['ph-body', 'id-lsp'] });
    expect(await registryCounts(db.kysely)).toEqual(before);
  });

  it('lists the AQRF and the national frameworks of the ten member states', async () => {
    const frameworks = await listFrameworks(db.kysely);
    const countries = new Set(frameworks.map((f) => f.country).filter(Boolean));
    expect([...countries].sort()).toEqual(['BN', 'ID', 'KH', 'LA', 'MM', 'MY', 'PH', 'SG', 'TH', 'VN']);
    const aqrf = frameworks.find((f) => f.id === 'aqrf')!;
    expect(aqrf.levels.map((l) => l.level)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(aqrf.descriptorDomains.map((d) => d.name.en)).toEqual(['Knowledge and skills', 'Application and responsibility']);
    expect((await listFrameworks(db.kysely, { country: 'ID' })).map((f) => f.acronym)).toEqual(['KKNI']);
  });

  it('reads one framework with its levels in order, in its own language and English', async () => {
    const kkni = await getFramework(db.kysely, 'id-kkni');
    expect(kkni?.levels).toHaveLength(9);
    expect(kkni?.levels[0]?.title).toEqual({ id: 'Jenjang 1 (operator)', en: 'Level 1 (operator)' });
    expect(await getFramework(db.kysely, 'nope')).toBeUndefined();
  });

  it('holds the demo mapping table as provisional, for the PQF only', async () => {
    const tables = await listMappingTables(db.kysely);
    expect(tables.map((t) => [t.frameworkId, t.status])).toEqual([['ph-pqf', 'provisional']]);
    expect(tables[0]?.source).toMatch(/ILLUSTRATIVE/);
    expect(tables[0]?.entries).toHaveLength(8);
  });

  it('finds qualifications by code, title, unit code and unit title, in any case', async () => {
    const codes = async (q: string) => (await searchQualifications(db.kysely, { q })).map((x) => x.code);
    expect(await codes('demo-tesda-hsk')).toEqual(['DEMO-TESDA-HSK-NC2']);
    expect(await codes('domestic work')).toEqual(['DEMO-TESDA-DW-NC2']);
    expect(await codes('J.620100.005.02')).toEqual(['DEMO-SKKNI-JWD']);
    expect(await codes('d1.hhk.cl3.03')).toEqual(['DEMO-ACCSTP-HK-RA']);
    expect(await codes('valet/butler')).toEqual(['DEMO-TESDA-HSK-NC2']);
    expect(await codes('tata graha')).toEqual(['DEMO-ACCSTP-HK-RA']);
    // LIKE wildcards in the query are literal characters
    expect(await codes('%')).toEqual([]);
  });

  it('filters by sector, country and language', async () => {
    const codes = async (s: Parameters<typeof searchQualifications>[1]) => (await searchQualifications(db.kysely, s)).map((x) => x.code);
    expect(await codes({ country: 'ph' })).toEqual(['DEMO-TESDA-DW-NC2', 'DEMO-TESDA-HSK-NC2']);
    expect(await codes({ sector: 'Tourism' })).toEqual(['DEMO-ACCSTP-HK-RA']);
    expect(await codes({ lang: 'fil' })).toEqual(['DEMO-TESDA-DW-NC2', 'DEMO-TESDA-HSK-NC2']);
    expect(await codes({ lang: 'id', q: 'web' })).toEqual(['DEMO-SKKNI-JWD']);
    expect(await codes({ limit: 1, offset: 1 })).toHaveLength(1);
  });

  it('reads a qualification with its core and elective units and award rule', async () => {
    const q = await getQualification(db.kysely, qualificationUrl('id-accstp-room-attendant'));
    expect(q).toMatchObject({
      code: 'DEMO-ACCSTP-HK-RA',
      frameworkId: 'id-kkni',
      frameworkAcronym: 'KKNI',
      nationalLevel: 2,
      country: 'ID',
      awardRule: { electives: 2 },
      validityYears: 3,
      demo: true,
      occupation: { isco08: '9112' },
    });
    expect(q?.units.map((u) => [u.code, u.kind])).toEqual([
      ['D1.HHK.CL3.01', 'core'],
      ['D1.HHK.CL3.03', 'core'],
      ['D1.HRS.CL1.01', 'elective'],
      ['D1.HRS.CL1.02', 'elective'],
      ['D1.LAN.CL1.01', 'elective'],
    ]);
    expect(q?.units[0]?.unitId).toBe(unitUrl('D1.HHK.CL3.01'));
    expect(await getQualification(db.kysely, 'https://tanda.example/qualifications/none')).toBeUndefined();
  });

  it('lists certifying bodies with accreditation and assessment centres, overseas ones included', async () => {
    const bodies = await listCertifyingBodies(db.kysely);
    const ph = bodies.find((b) => b.id === 'ph-body')!;
    expect(ph.accreditations).toHaveLength(1);
    expect(ph.accreditations[0]).toMatchObject({ country: 'PH', frameworkId: 'ph-pqf', validFrom: '2024-01-01T00:00:00.000Z' });
    expect(ph.assessmentCentres.map((c) => c.country).sort()).toEqual(['AE', 'HK', 'PH']);
  });
});
