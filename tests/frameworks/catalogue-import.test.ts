import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { isTandaError } from '../../src/errors.js';
import { importCatalogue, parseCatalogueCsv, parseCatalogueJson, type CatalogueInput } from '../../src/frameworks/catalogue-import.js';
import { getQualificationByCode } from '../../src/frameworks/catalogue-repository.js';
import type { ImportRowError } from '../../src/frameworks/import-errors.js';
import { DEMO_CATALOGUE, seedFrameworks } from '../../src/frameworks/seed.js';
import { createTestDb, testDialect } from '../helpers/db.js';
import { registryCounts, rowErrors } from './fixtures.js';
import { OPERATOR } from '../../src/policy/policy.js';

// A Malaysian SKM by NOSS units, as a training centre's spreadsheet would list it (one line per unit).
const CSV = [
  'qualification_code,qualification_slug,framework,national_level,sector,electives_required,validity_years,isco08,isco08_title,title_en,title_ms,unit_code,unit_kind,unit_scheme,unit_title_en,unit_title_ms',
  'TEST-SKM-HK-2,my-test-skm-hk-2,my-mqf,2,Hospitality,1,,9112,Cleaners and helpers in offices hotels and other establishments,Housekeeping (test),Pengemasan (ujian),TEST-HK-001,core,NOSS,Room cleaning,Pembersihan bilik',
  'TEST-SKM-HK-2,my-test-skm-hk-2,my-mqf,2,Hospitality,1,,9112,Cleaners and helpers in offices hotels and other establishments,Housekeeping (test),Pengemasan (ujian),TEST-HK-002,elective,NOSS,Laundry,Dobi',
  'TEST-SKM-HK-2,my-test-skm-hk-2,my-mqf,2,Hospitality,1,,9112,Cleaners and helpers in offices hotels and other establishments,Housekeeping (test),Pengemasan (ujian),TEST-HK-003,elective,NOSS,Public areas,Kawasan awam',
].join('\n');

describe(`catalogue import on ${testDialect}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
    await seedFrameworks(db.kysely);
    await importCatalogue(db.kysely, OPERATOR, DEMO_CATALOGUE);
  });
  afterAll(async () => db.destroy());

  it('imports a CSV catalogue, one line per unit, and reads it back', async () => {
    const result = await importCatalogue(db.kysely, OPERATOR, parseCatalogueCsv(CSV));
    expect(result).toEqual({ unitsCreated: 3, qualificationsCreated: 1, unchanged: 0 });
    const q = await getQualificationByCode(db.kysely, 'TEST-SKM-HK-2');
    expect(q).toMatchObject({
      id: 'https://tanda.example/qualifications/my-test-skm-hk-2',
      titles: { en: 'Housekeeping (test)', ms: 'Pengemasan (ujian)' },
      country: 'MY',
      awardRule: { electives: 1 },
      validityYears: null,
      demo: false,
    });
    expect(q?.units.map((u) => `${u.code}:${u.kind}`)).toEqual(['TEST-HK-001:core', 'TEST-HK-002:elective', 'TEST-HK-003:elective']);
  });

  it('re-importing the same files changes nothing', async () => {
    const before = await registryCounts(db.kysely);
    expect(await importCatalogue(db.kysely, OPERATOR, parseCatalogueCsv(CSV))).toEqual({ unitsCreated: 0, qualificationsCreated: 0, unchanged: 4 });
    expect((await importCatalogue(db.kysely, OPERATOR, DEMO_CATALOGUE)).unchanged).toBe(DEMO_CATALOGUE.units!.length + DEMO_CATALOGUE.qualifications!.length);
    expect(await registryCounts(db.kysely)).toEqual(before);
  });

  const good = { code: 'TEST-NEW', slug: 'test-new', titles: { en: 'New' }, frameworkId: 'vn-vqf', nationalLevel: 2, sector: 'Construction', core: ['TEST-U1'] };
  const unit = { code: 'TEST-U1', titles: { en: 'Unit one' }, scheme: 'TEST' };
  const bad: [string, CatalogueInput, Partial<ImportRowError>[]][] = [
    [
      'malformed rows (bad code, no titles, unknown framework, missing level, unknown unit)',
      {
        units: [unit, { code: 'bad code!', titles: {}, scheme: '' }],
        qualifications: [
          good,
          { ...good, code: 'TEST-2', slug: 'test-2', frameworkId: 'xx-none' },
          { ...good, code: 'TEST-3', slug: 'test-3', nationalLevel: 12 },
          { ...good, code: 'TEST-4', slug: 'test-4', core: ['TEST-U1', 'NOPE-1'] },
          { ...good, code: 'TEST-5', slug: 'test-5', frameworkId: 'aqrf', nationalLevel: 2 },
        ],
      },
      [
        { row: 2, field: 'unit.code' },
        { row: 2, field: 'unit.titles' },
        { row: 2, field: 'unit.scheme' },
        { row: 2, field: 'qualification.frameworkId', message: 'unknown framework xx-none' },
        { row: 3, field: 'qualification.nationalLevel', message: 'VQF has no level 12' },
        { row: 4, field: 'qualification.units', message: 'unknown unit code(s): NOPE-1' },
        { row: 5, field: 'qualification.frameworkId' },
      ],
    ],
    [
      'an award rule asking for more electives than listed, a unit listed twice, a bad occupation',
      {
        units: [unit],
        qualifications: [{ ...good, awardRule: { electives: 2 }, core: ['TEST-U1', 'TEST-U1'], occupation: { isco08: '91', title: 'x' } }],
      },
      [{ field: 'qualification.awardRule' }, { field: 'qualification.units', message: 'unit TEST-U1 is listed twice' }, { field: 'qualification.occupation' }],
    ],
    [
      'conflicts with the published catalogue (changed unit title, changed qualification)',
      {
        units: [unit, { code: 'TRS5123111', titles: { en: 'Something else' }, scheme: 'TESDA TR' }],
        qualifications: [good, { ...good, code: 'DEMO-TESDA-HSK-NC2', slug: 'ph-housekeeping-nc2', frameworkId: 'ph-pqf' }],
      },
      [
        { row: 2, field: 'unit.code', message: expect.stringContaining('already exists with different content') },
        { row: 2, field: 'qualification.code', message: expect.stringContaining('already exists with different content') },
      ],
    ],
    [
      'duplicates inside one file',
      { units: [unit, unit], qualifications: [good, good] },
      [
        { row: 2, field: 'unit.code', message: 'TEST-U1 appears twice in the file' },
        { row: 2, field: 'qualification.code', message: 'TEST-NEW appears twice in the file' },
      ],
    ],
  ];

  it.each(bad)('rejects %s with per-row errors and imports nothing', async (_name, input, expected) => {
    const before = await registryCounts(db.kysely);
    const errors = await rowErrors(() => importCatalogue(db.kysely, OPERATOR, input));
    for (const e of expected) expect(errors).toContainEqual(expect.objectContaining(e));
    expect(await registryCounts(db.kysely)).toEqual(before);
    expect(await getQualificationByCode(db.kysely, 'TEST-NEW')).toBeUndefined();
  });

  it('reports CSV problems by line: inconsistent qualification columns, bad unit kind, missing columns', async () => {
    const lines = CSV.split('\n');
    const inconsistent = [...lines, lines[1]!.replace('TEST-HK-001,core', 'TEST-HK-004,optional').replace(',2,Hospitality,', ',3,Hospitality,')].join('\n');
    const errors = await rowErrors(async () => parseCatalogueCsv(inconsistent));
    expect(errors).toContainEqual(expect.objectContaining({ row: 5, field: 'qualification' }));
    expect(errors).toContainEqual(expect.objectContaining({ row: 5, field: 'unit_kind' }));
    const missing = await rowErrors(async () => parseCatalogueCsv('qualification_code,unit_code\nA,B\n'));
    expect(missing.map((e) => e.field)).toEqual(['framework', 'national_level', 'sector', 'unit_kind']);
    expect((await rowErrors(async () => parseCatalogueJson('[1,2]')))[0]?.message).toMatch(/expected an object/);
  });

  it('the error message itself names the rows, for API and CLI users', async () => {
    try {
      await importCatalogue(db.kysely, OPERATOR, { units: [unit, unit] });
      expect.unreachable();
    } catch (e) {
      expect(isTandaError(e) && e.statusCode).toBe(422);
      expect((e as Error).message).toMatch(/row 2: unit.code: TEST-U1 appears twice/);
    }
  });
});
