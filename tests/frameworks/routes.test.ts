import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { registryCounts } from './fixtures.js';

let t: TestContext;
let admin: { authorization: string };
let officer: { authorization: string };

beforeAll(async () => {
  t = await createTestContext();
  await seedRegistry(t.db.kysely, { issuers: [t.issuer.id] });
  admin = (await t.login('admin', { issuerId: null })).headers;
  officer = (await t.login('certifying_officer')).headers;
});
afterAll(async () => t.close());

describe(`registry routes on ${testDialect}`, () => {
  it('GET /frameworks and /frameworks/:id answer with levels, sources and mapping versions', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/frameworks' });
    expect(list.statusCode).toBe(200);
    expect(list.json().frameworks).toHaveLength(12);
    expect(list.json().frameworks.find((f: { id: string }) => f.id === 'aqrf').levels).toHaveLength(8);
    const pqf = await t.app.inject({ method: 'GET', url: '/frameworks/ph-pqf' });
    expect(pqf.json()).toMatchObject({ acronym: 'PQF', confidence: 'sourced', mappingTables: [{ status: 'provisional', entries: expect.any(Array) }] });
    expect(pqf.json().levels[1]).toEqual({ level: 2, title: { en: 'National Certificate II (NC II)' }, source: expect.any(String), confidence: 'moderate' });
    expect((await t.app.inject({ method: 'GET', url: '/frameworks/xx' })).json().code).toBe('not_found');
  });

  it('GET /qualifications searches codes, titles and unit codes, with filters; GET /qualifications/:id by slug or code', async () => {
    const byUnit = await t.app.inject({ method: 'GET', url: '/qualifications?q=TRS5123113' });
    expect(byUnit.json().qualifications.map((q: { code: string }) => q.code)).toEqual(['DEMO-TESDA-HSK-NC2']);
    const filtered = await t.app.inject({ method: 'GET', url: '/qualifications?country=ID&lang=id&sector=Tourism' });
    expect(filtered.json().qualifications.map((q: { code: string }) => q.code)).toEqual(['DEMO-ACCSTP-HK-RA']);
    const one = await t.app.inject({ method: 'GET', url: '/qualifications/ph-domestic-work-nc2' });
    expect(one.json()).toMatchObject({ id: 'https://tanda.example/qualifications/ph-domestic-work-nc2', units: expect.any(Array), demo: true });
    expect(one.json().units[0]).toMatchObject({ code: 'HCS323309', kind: 'core', titles: { en: expect.any(String), fil: expect.any(String) } });
    expect((await t.app.inject({ method: 'GET', url: '/qualifications/DEMO-SKKNI-JWD' })).json().frameworkAcronym).toBe('KKNI');
    expect((await t.app.inject({ method: 'GET', url: '/qualifications?bogus=1' })).statusCode).toBe(400);
  });

  it('GET /issuers lists bodies with accreditation and overseas assessment centres', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/issuers' });
    const body = res.json().issuers.find((i: { id: string }) => i.id === t.issuer.id);
    expect(body.accreditations[0]).toMatchObject({ country: 'PH', frameworkId: 'ph-pqf' });
    expect(body.assessmentCentres.map((c: { country: string }) => c.country).sort()).toEqual(['AE', 'HK', 'PH']);
  });

  it('writes are admin-only', async () => {
    const payload = { country: 'PH', sectors: ['Tourism (Hotel and Restaurant)'], validFrom: '2026-01-01' };
    expect((await t.app.inject({ method: 'POST', url: `/issuers/${t.issuer.id}/accreditations`, payload })).statusCode).toBe(401);
    const forbidden = await t.app.inject({ method: 'POST', url: `/issuers/${t.issuer.id}/accreditations`, headers: officer, payload });
    expect(forbidden.statusCode).toBe(403);
    const ok = await t.app.inject({ method: 'POST', url: `/issuers/${t.issuer.id}/accreditations`, headers: admin, payload });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ issuerId: t.issuer.id, validFrom: '2026-01-01T00:00:00.000Z', validUntil: null });
    const centre = await t.app.inject({ method: 'POST', url: '/assessment-centres', headers: admin, payload: { issuerId: t.issuer.id, name: 'Overseas assessment, Riyadh', country: 'SA', city: 'Riyadh' } });
    expect(centre.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: '/assessment-centres', headers: admin, payload: { issuerId: 'nobody', name: 'x', country: 'SA' } })).statusCode).toBe(404);
  });

  it('imports a mapping table as CSV and refuses a conflicting one with per-row errors', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const query = `frameworkId=my-mqf&status=provisional&source=Route%20test&validFrom=${future}&id=my-mqf-route-test`;
    const ok = await t.app.inject({ method: 'POST', url: `/frameworks/mappings/import?${query}`, headers: { ...admin, 'content-type': 'text/csv' }, payload: 'national_level,aqrf_level\n1,1\n2,2\n' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ id: 'my-mqf-route-test', entries: [{ nationalLevel: 1, aqrfLevel: 1 }, { nationalLevel: 2, aqrfLevel: 2 }] });

    const before = await registryCounts(t.db.kysely);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/frameworks/mappings/import',
      headers: admin,
      payload: { frameworkId: 'my-mqf', status: 'official', source: 'x', validFrom: future, entries: [{ nationalLevel: 1, aqrfLevel: 1 }, { nationalLevel: 1, aqrfLevel: 9 }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('import_failed');
    expect(bad.json().details.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'citation' }),
        expect.objectContaining({ row: 2, field: 'nationalLevel' }),
        expect.objectContaining({ row: 2, field: 'aqrfLevel' }),
      ]),
    );
    expect(await registryCounts(t.db.kysely)).toEqual(before);
  });

  it('imports a catalogue as JSON, and as CSV, all or nothing', async () => {
    const catalogue = {
      units: [{ code: 'ROUTE-U1', titles: { en: 'Route unit', vi: 'Đơn vị' }, scheme: 'TEST' }],
      qualifications: [{ slug: 'vn-route-test', code: 'ROUTE-Q1', titles: { en: 'Route test', vi: 'Kiểm tra' }, frameworkId: 'vn-vqf', nationalLevel: 3, sector: 'Construction', core: ['ROUTE-U1'] }],
    };
    const ok = await t.app.inject({ method: 'POST', url: '/qualifications/import', headers: admin, payload: catalogue });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ unitsCreated: 1, qualificationsCreated: 1, unchanged: 0 });
    expect((await t.app.inject({ method: 'GET', url: '/qualifications?lang=vi' })).json().qualifications).toHaveLength(1);

    const before = await registryCounts(t.db.kysely);
    const csv = 'qualification_code,qualification_slug,framework,national_level,sector,title_en,unit_code,unit_kind,unit_scheme,unit_title_en\nROUTE-Q2,route-q2,vn-vqf,3,Construction,Q2,ROUTE-U2,core,TEST,U2\nROUTE-Q3,route-q3,vn-vqf,99,Construction,Q3,ROUTE-U3,core,TEST,U3\n';
    const bad = await t.app.inject({ method: 'POST', url: '/qualifications/import', headers: { ...admin, 'content-type': 'text/csv' }, payload: csv });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().details.errors).toEqual([expect.objectContaining({ row: 3, field: 'qualification.nationalLevel' })]);
    expect(await registryCounts(t.db.kysely)).toEqual(before);
    expect((await t.app.inject({ method: 'POST', url: '/qualifications/import', headers: officer, payload: catalogue })).statusCode).toBe(403);
  });

  it('documents every registry route in OpenAPI', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/frameworks', '/frameworks/{id}', '/frameworks/mappings/import', '/qualifications', '/qualifications/{id}', '/qualifications/import', '/issuers', '/issuers/{id}/accreditations', '/assessment-centres']) {
      expect(spec.paths[path], path).toBeDefined();
    }
  });
});
