import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { listMappingTables } from '../../src/frameworks/framework-repository.js';
import type { ImportRowError } from '../../src/frameworks/import-errors.js';
import { aqrfLevelFor } from '../../src/frameworks/mapping-rules.js';
import { importMappingTable, parseMappingCsv, parseMappingJson } from '../../src/frameworks/mapping-import.js';
import { seedFrameworks } from '../../src/frameworks/seed.js';
import { createTestDb, testDialect } from '../helpers/db.js';
import { registryCounts, rowErrors } from './fixtures.js';
import { OPERATOR } from '../../src/policy/policy.js';

const NOW = '2026-06-01T00:00:00.000Z';
const official = {
  id: 'my-mqf-test-official',
  frameworkId: 'my-mqf',
  status: 'official',
  source: 'Test fixture standing in for an endorsed referencing report',
  citation: 'Test report, Criterion 4, table 4.1',
  validFrom: '2026-07-01',
  entries: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ nationalLevel: n, aqrfLevel: n })),
};

describe(`mapping table import on ${testDialect}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDb();
    await seedFrameworks(db.kysely);
  });
  afterAll(async () => db.destroy());

  it('imports a JSON table and a CSV table as new versions', async () => {
    const t = await importMappingTable(db.kysely, OPERATOR, parseMappingJson(JSON.stringify(official)), { now: NOW });
    expect(t).toMatchObject({ id: 'my-mqf-test-official', status: 'official', validFrom: '2026-07-01T00:00:00.000Z', validUntil: null });
    expect(t.entries).toHaveLength(8);

    const csv = 'national_level,aqrf_level\n1,1\n2,2\n3,3\n';
    const v2 = await importMappingTable(
      db.kysely,
      OPERATOR,
      parseMappingCsv(csv, { id: 'my-mqf-test-v2', frameworkId: 'my-mqf', status: 'provisional', source: 'Test CSV', validFrom: '2027-01-01' }),
      { now: NOW },
    );
    expect(v2.entries).toEqual([
      { nationalLevel: 1, aqrfLevel: 1 },
      { nationalLevel: 2, aqrfLevel: 2 },
      { nationalLevel: 3, aqrfLevel: 3 },
    ]);
  });

  it('resolves the table in force on a date: a new version never changes an older date', async () => {
    const tables = await listMappingTables(db.kysely, { frameworkId: 'my-mqf' });
    expect(aqrfLevelFor(tables, 'my-mqf', 2, '2026-06-30T23:59:59.000Z')).toBeUndefined();
    expect(aqrfLevelFor(tables, 'my-mqf', 4, '2026-08-01T00:00:00.000Z')).toMatchObject({ aqrfLevel: 4, table: { id: 'my-mqf-test-official' } });
    // v2 maps only levels 1-3; from its start date level 4 has no AQRF level any more
    expect(aqrfLevelFor(tables, 'my-mqf', 2, '2027-02-01T00:00:00.000Z')?.table.id).toBe('my-mqf-test-v2');
    expect(aqrfLevelFor(tables, 'my-mqf', 4, '2027-02-01T00:00:00.000Z')).toBeUndefined();
  });

  const bad: [string, () => ReturnType<typeof importMappingTable>, Partial<ImportRowError>[]][] = [
    [
      'a national level mapped twice and an AQRF level out of range',
      () =>
        importMappingTable(db.kysely, OPERATOR, parseMappingCsv('national_level,aqrf_level\n1,1\n2,9\n1,2\n', { frameworkId: 'ph-pqf', status: 'provisional', source: 's', validFrom: '2027-01-01' }), { now: NOW }),
      [
        { row: 3, field: 'aqrfLevel' },
        { row: 4, field: 'nationalLevel', message: 'level 1 is mapped twice (first on row 2)' },
      ],
    ],
    [
      'a level the framework does not have, and a non-integer',
      () =>
        importMappingTable(db.kysely, OPERATOR, { frameworkId: 'la-nvqf', status: 'provisional', source: 's', validFrom: '2027-01-01', entries: [{ nationalLevel: 6, aqrfLevel: 5 }, { nationalLevel: 'two', aqrfLevel: 2 }] }, { now: NOW }),
      [
        { row: 1, field: 'nationalLevel', message: 'NVQF has no level 6' },
        { row: 2, field: 'nationalLevel', message: 'must be an integer' },
      ],
    ],
    [
      'an official table without a citation',
      () => importMappingTable(db.kysely, OPERATOR, { ...official, id: 'x-official', citation: null, validFrom: '2028-01-01' }, { now: NOW }),
      [{ row: null, field: 'citation' }],
    ],
    [
      'a table back-dated before the import',
      () => importMappingTable(db.kysely, OPERATOR, { ...official, id: 'ph-backdated', frameworkId: 'ph-pqf', validFrom: '2025-01-01' }, { now: NOW }),
      [{ field: 'validFrom' }],
    ],
    [
      'a table starting before the newest version of its framework',
      () => importMappingTable(db.kysely, OPERATOR, { ...official, id: 'my-mqf-between', validFrom: '2026-12-01' }, { now: NOW }),
      [{ field: 'validFrom', message: expect.stringContaining('my-mqf-test-v2') }],
    ],
    [
      'an id that already exists (tables are never rewritten)',
      () => importMappingTable(db.kysely, OPERATOR, { ...official, validFrom: '2028-01-01' }, { now: NOW }),
      [{ field: 'id', message: expect.stringContaining('already exists') }],
    ],
    [
      'an unknown framework, a bad status and no source',
      () => importMappingTable(db.kysely, OPERATOR, { frameworkId: 'xx', status: 'endorsed', entries: [] }, { now: NOW }),
      [{ field: 'frameworkId' }, { field: 'status' }, { field: 'source' }, { field: 'entries' }],
    ],
    [
      'a framework without recorded levels',
      () => importMappingTable(db.kysely, OPERATOR, { frameworkId: 'th-nqf', status: 'provisional', source: 's', validFrom: '2027-01-01', entries: [{ nationalLevel: 1, aqrfLevel: 1 }] }, { now: NOW }),
      [{ field: 'frameworkId', message: 'th-nqf has no levels in the registry to map' }],
    ],
  ];

  it.each(bad)('rejects %s with per-row errors and leaves the database unchanged', async (_name, run, expected) => {
    const before = await registryCounts(db.kysely);
    const errors = await rowErrors(run);
    for (const e of expected) expect(errors).toContainEqual(expect.objectContaining(e));
    expect(await registryCounts(db.kysely)).toEqual(before);
  });

  it('rejects malformed files before touching the database', async () => {
    expect((await rowErrors(async () => parseMappingJson('{"entries": [')))[0]?.message).toMatch(/not valid JSON/);
    expect((await rowErrors(async () => parseMappingCsv('level,aqrf\n1,1\n', {})))[0]?.message).toMatch(/national_level and aqrf_level/);
    expect((await rowErrors(async () => parseMappingCsv('national_level,aqrf_level\n1,1,1\n', {})))[0]?.message).toMatch(/not valid CSV/);
  });
});
