import { describe, expect, it } from 'vitest';
import { buildAlignments } from '../../src/frameworks/alignments.js';
import { DEMO_CATALOGUE, DEMO_MAPPING, FRAMEWORKS } from '../../src/frameworks/seed.js';
import type { MappingTable, Qualification } from '../../src/frameworks/types.js';

/** The shipped reference data: what it may claim, and what it must not. */
describe('shipped registry data', () => {
  it('every framework carries sources, a confidence and ordered levels with language-keyed titles', () => {
    for (const f of FRAMEWORKS) {
      expect(f.sources.length, f.id).toBeGreaterThan(0);
      expect(['sourced', 'moderate', 'uncertain']).toContain(f.confidence);
      expect(f.levels.map((l) => l.level)).toEqual(f.levels.map((_, i) => i + 1));
      for (const l of f.levels) if (l.title) expect(Object.keys(l.title).length, `${f.id} ${l.level}`).toBeGreaterThan(0);
      // Where levels are missing the data says why, instead of leaving an unexplained gap.
      if (f.levels.length === 0) expect(f.gaps).toMatch(/not retrieved/i);
    }
  });

  it('the AQRF has 8 levels in two domains and no invented descriptors', () => {
    const aqrf = FRAMEWORKS.find((f) => f.id === 'aqrf')!;
    expect(aqrf.levels).toHaveLength(8);
    expect(aqrf.descriptorDomains).toHaveLength(2);
    expect(aqrf.levels.every((l) => l.descriptors === undefined)).toBe(true);
    expect(aqrf.gaps).toMatch(/not retrieved/);
  });

  it('ships no official mapping: the demo table is provisional and says it is illustrative', () => {
    expect(DEMO_MAPPING.status).toBe('provisional');
    expect(DEMO_MAPPING.citation).toBeNull();
    expect(DEMO_MAPPING.source).toMatch(/^ILLUSTRATIVE DEMO TABLE, not from any referencing report/);
  });

  it('demo units use the real code formats of their schemes and every entry is marked demo', () => {
    const formats: Record<string, RegExp> = {
      ACCSTP: /^D\d\.[A-Z]{3}\.CL\d\.\d{2}$/,
      'TESDA TR': /^[A-Z]{3}\d{6,7}$/,
      SKKNI: /^[A-Z]\.\d{6}\.\d{3}\.\d{2}$/,
    };
    expect(DEMO_CATALOGUE.demo).toBe(true);
    for (const u of DEMO_CATALOGUE.units!) expect(String(u.code), String(u.scheme)).toMatch(formats[String(u.scheme)]!);
    // Where a code was not retrieved, the unit says so.
    for (const u of DEMO_CATALOGUE.units!.filter((x) => x.confidence === 'uncertain')) expect(String(u.source)).toMatch(/NOT retrieved/);
  });

  it('demo qualifications have titles in English and a national language', () => {
    for (const q of DEMO_CATALOGUE.qualifications!) {
      const langs = Object.keys(q.titles as object);
      expect(langs).toContain('en');
      expect(langs.some((l) => l !== 'en'), String(q.code)).toBe(true);
    }
  });
});

describe('buildAlignments', () => {
  const q: Qualification = {
    id: 'https://tanda.example/qualifications/x',
    code: 'X',
    titles: { en: 'X' },
    descriptions: null,
    frameworkId: 'id-kkni',
    frameworkAcronym: 'KKNI',
    nationalLevel: 2,
    country: 'ID',
    sector: 'Tourism',
    occupation: { isco08: '9112', title: 'Cleaners and helpers in offices, hotels and other establishments', escoUri: null },
    awardRule: { electives: 1 },
    validityYears: null,
    units: [
      { unitId: 'https://tanda.example/units/A', code: 'A', titles: { en: 'Unit A', id: 'Unit A (id)' }, kind: 'core' },
      { unitId: 'https://tanda.example/units/B', code: 'B', titles: { id: 'Hanya B' }, kind: 'elective' },
    ],
    source: null,
    demo: true,
  };
  const table = (over: Partial<MappingTable>): MappingTable => ({
    id: 't1',
    frameworkId: 'id-kkni',
    status: 'provisional',
    source: 's',
    citation: null,
    validFrom: '2025-01-01T00:00:00.000Z',
    validUntil: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    entries: [{ nationalLevel: 2, aqrfLevel: 3 }],
    ...over,
  });

  it('units carry only title and URL; the national level is typed; no AQRF level without a mapping', () => {
    expect(buildAlignments(q, { date: '2026-01-01T00:00:00Z', mappings: [] })).toEqual([
      { type: ['Alignment'], targetName: 'Unit A', targetUrl: 'https://tanda.example/units/A' },
      {
        type: ['Alignment'],
        targetFramework: 'KKNI',
        targetCode: '2',
        targetName: 'KKNI Level 2',
        targetUrl: 'https://tanda.example/frameworks/id-kkni/levels/2',
      },
    ]);
  });

  it('adds the AQRF level from the table in force on the date, the achieved units, and the occupation on request', () => {
    const mappings = [table({}), table({ id: 't2', validFrom: '2027-01-01T00:00:00.000Z', entries: [{ nationalLevel: 2, aqrfLevel: 2 }] })];
    const a = buildAlignments(q, { date: '2026-06-01T00:00:00Z', mappings, achievedUnitIds: ['https://tanda.example/units/A', 'https://tanda.example/units/B'], lang: 'id', occupation: true });
    expect(a.map((x) => x.targetName)).toEqual(['Unit A (id)', 'Hanya B', 'KKNI Level 2', 'AQRF Level 3', 'Cleaners and helpers in offices, hotels and other establishments']);
    expect(a[3]).toEqual({ type: ['Alignment'], targetFramework: 'AQRF', targetCode: '3', targetName: 'AQRF Level 3', targetUrl: 'https://tanda.example/frameworks/aqrf/levels/3' });
    expect(a[4]).toMatchObject({ targetFramework: 'ISCO-08', targetCode: '9112', targetUrl: 'http://data.europa.eu/esco/isco/C9112' });
    expect(buildAlignments(q, { date: '2027-06-01T00:00:00Z', mappings })[2]?.targetCode).toBe('2');
    // an expired table no longer applies
    expect(buildAlignments(q, { date: '2026-06-01T00:00:00Z', mappings: [table({ validUntil: '2026-01-01T00:00:00.000Z' })] })).toHaveLength(2);
  });
});
