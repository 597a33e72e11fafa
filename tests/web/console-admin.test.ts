import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { COHORT_COLUMNS, COHORT_ENCODINGS, importCohort } from '../../src/rpl/cohort-import.js';
import { ENCODINGS, TEMPLATE_COLUMNS, templateCsv } from '../../src/web/console/admin/columns.js';
import { consoleTranslate } from '../../src/web/console/i18n/index.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { HONG_KONG_CENTRE, HOUSEKEEPING, rplFixture } from '../rpl/fixtures.js';
import { chromiumPresent, launchChromium, newDevice, overflowsWidth, seriousViolations, SHOTS, signIn, staffAccount, type Device } from './console-driver.js';

/*
 * The console's admin screens in headless Chromium: an assessor's cohort import and its per-row report, an admin's
 * registry (a new assessment centre, a new staff account), an officer's certificate profile, statistics as charts
 * with the API's suppressed cells; staff of another body see none of it; axe-core and the 360 px width on every
 * screen, at 360 px and 1280 px.
 */
if (!chromiumPresent) process.stderr.write('SKIPPED tests/web/console-admin.test.ts: /usr/bin/chromium is absent\n');

let t: TestContext;
let base: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
type Account = Awaited<ReturnType<typeof staffAccount>>;
let assessor: Account;
let officer: Account;
let admin: Account;
let otherOfficer: Account;
const OTHER = 'other-body';

// One signed-in page per account and device: sign-in is rate-limited, so sessions are reused across tests.
const pages = new Map<string, { context: BrowserContext; page: Page }>();
async function pageOf(account: Account, device: Device): Promise<Page> {
  const key = `${account.email}|${device}`;
  let entry = pages.get(key);
  if (!entry) {
    entry = await newDevice(chromium.browser, device, { bypassCSP: true });
    await signIn(entry.page, base, account.email);
    pages.set(key, entry);
  }
  return entry.page;
}
async function open(page: Page, route: string, ready: string): Promise<void> {
  await page.evaluate((r) => (location.hash = r), route);
  await page.waitForSelector(ready);
}
async function checked(page: Page, shot: string): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  if (page.viewportSize()!.width <= 360) expect(await overflowsWidth(page)).toBe(false);
  await page.screenshot({ path: path.join(SHOTS, `admin-${shot}.png`), fullPage: true });
}

const ALL_C = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';
/** An assessment day: `n` rows, every returnee counted in statistics; countries as given, in order. */
function sheet(countries: string[], bad?: { at: number; methods: string }): string {
  const header = 'full_name,email,sex,birth_year,country_of_work,sector,consent_purpose,consent_statistics,decisions,methods';
  const rows = countries.map((c, i) => {
    const methods = bad && bad.at === i ? bad.methods : 'observation;interview';
    return `Returnee ${i + 1} Cruz,returnee-${i + 1}-${c.toLowerCase()}@cohort.example,${i === 0 ? 'male' : 'female'},${1980 + i},${c},domestic work,RPL and certification,yes,${ALL_C},${methods}`;
  });
  return [header, ...rows].join('\r\n');
}
/** The page answers after the server has: imports and saves take more than expect.poll's default second. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });
const casesOf = async (ref: string) => (await t.db.kysely.selectFrom('rpl_cases').select('id').where('cohort_ref', '=', ref).execute()).length;

describe('cohort sheet template', () => {
  it('has the columns and encodings the server reads', () => {
    expect([...TEMPLATE_COLUMNS]).toEqual([...COHORT_COLUMNS]);
    expect([...ENCODINGS]).toEqual([...COHORT_ENCODINGS]);
  });
});

describe.skipIf(!chromiumPresent)('the console admin screens in headless Chromium', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    t = await createTestContext();
    await createIssuer(t.db.kysely, t.services.keys, 'https://tanda.test', { id: OTHER, name: 'Other Certifying Body', country: 'ID', didMethod: 'key' });
    await rplFixture(t);
    assessor = await staffAccount(t, 'assessor', t.issuer.id, 'Jose Assessor');
    officer = await staffAccount(t, 'certifying_officer', t.issuer.id, 'Olga Officer');
    admin = await staffAccount(t, 'admin', null, 'Ada Admin');
    otherOfficer = await staffAccount(t, 'certifying_officer', OTHER, 'Otto Other');
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    chromium = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    for (const { context } of pages.values()) await context.close();
    await chromium?.close();
    await t?.close();
  });

  it('an assessor is offered a template for the qualification and imports a sheet with a bad row: the report names its line and error and the row leaves nothing behind; the corrected sheet imports it, the rest reported as duplicates', async () => {
    const page = await pageOf(assessor, 'phone');
    await open(page, '/cohort-import', '#cohort-file');
    expect(await page.textContent('nav.side')).not.toContain('Registry');
    const send = async (csv: string) => {
      await page.selectOption('#cohort-qualification', HOUSEKEEPING);
      await page.selectOption('#cohort-centre', HONG_KONG_CENTRE(t.issuer.id));
      await page.fill('#cohort-date', '2026-06-22');
      await page.fill('#cohort-ref', 'HK-CONSOLE');
      await page.setInputFiles('#cohort-file', { name: 'hk.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.click('form button[type=submit]');
      await page.waitForSelector('#cohort-report');
    };
    await page.selectOption('#cohort-qualification', HOUSEKEEPING);
    const template = decodeURIComponent((await page.getAttribute('a[download]', 'href'))!.replace(/^data:text\/csv;charset=utf-8,/, ''));
    expect(template.split('\r\n')[0]).toBe(COHORT_COLUMNS.join(','));
    expect(template).toContain(ALL_C);
    const countries = [...Array(6).fill('HK'), ...Array(5).fill('SA'), 'AE'];
    await send(sheet(countries, { at: 2, methods: 'telepathy' }));
    const failed = page.locator('table.cohort-rows tr.failed');
    expect(await failed.count()).toBe(1);
    expect(await failed.locator('th').textContent()).toBe('4');
    expect(await failed.textContent()).toContain('validation_failed');
    expect(await failed.textContent()).toContain('methods: one or more of');
    expect(await page.textContent('#cohort-report + p')).toContain('11 of 12 rows imported; 1 failed and left nothing behind.');
    expect(await casesOf('HK-CONSOLE')).toBe(11);
    // Nothing of the refused row: no returnee was registered for it.
    expect(await t.db.kysely.selectFrom('candidates').select('id').where('email', '=', 'returnee-3-hk@cohort.example').executeTakeFirst()).toBeUndefined();
    await checked(page, 'cohort-refused-phone');

    await send(sheet(countries));
    await eventually(() => page.textContent('#cohort-report + p')).toBe('1 of 12 rows imported.');
    expect(await page.textContent('#cohort-report ~ p.note')).toBe('11 rows were imported before (duplicates): no second case was made for them.');
    const rows = await page.locator('table.cohort-rows tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('.badge')!.textContent]));
    expect(rows.filter(([, s]) => s === 'Imported')).toEqual([['4', 'Imported']]);
    expect(rows.filter(([, s]) => s === 'Duplicate')).toHaveLength(11);
    expect(await casesOf('HK-CONSOLE')).toBe(12);
    await checked(page, 'cohort-imported-phone');
  });

  it('statistics show each dimension as a chart with its table, and the cells the API suppresses as suppressed, never as a number', async () => {
    const api = await t.app.inject({ method: 'GET', url: `/rpl/statistics?issuerId=${t.issuer.id}`, headers: (await t.login('admin', { issuerId: null })).headers });
    const country = api.json().dimensions.country_of_work as Array<{ value: string; count: number | null; suppressed: boolean }>;
    // The imported day: 6 in HK, 5 in SA, 1 in AE → AE is under 5, and SA goes too so AE cannot be worked out.
    expect(country).toEqual([
      { value: 'AE', count: null, suppressed: true },
      { value: 'HK', count: 6, suppressed: false },
      { value: 'SA', count: null, suppressed: true },
    ]);
    const page = await pageOf(officer, 'phone');
    await open(page, '/statistics', '#chart-country_of_work-title');
    expect(await page.locator('section.stat').count()).toBe(6);
    expect(await page.locator('section.stat svg.chart').count()).toBe(6);
    const table = page.locator('section[aria-labelledby=chart-country_of_work-title] table');
    const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent]));
    expect(cells).toEqual([
      ['AE', 'Suppressed (small cell, under 5 or protecting one)'],
      ['HK', '6'],
      ['SA', 'Suppressed (small cell, under 5 or protecting one)'],
    ]);
    // The picture draws no bar for a suppressed cell and writes no number for it.
    const svg = page.locator('section[aria-labelledby=chart-country_of_work-title] svg');
    expect(await svg.locator('rect.suppressed').count()).toBe(2);
    expect(await svg.locator('rect.bar').count()).toBe(1);
    expect((await svg.textContent())!.replace(/\D+/g, ' ').trim()).toBe('6');
    await page.click('section[aria-labelledby=chart-country_of_work-title] summary');
    await checked(page, 'statistics-phone');

    // A period with none of the day's cases: nothing to show, and the total is suppressed rather than given.
    await page.fill('#stats-from', '2020-01-01');
    await page.fill('#stats-to', '2020-02-01');
    await page.click('form.filters button[type=submit]');
    await eventually(() => page.textContent('main [role=status]')).toBe('Fewer than 5 cases: the total is suppressed.');
  });

  it('an admin adds an assessment centre and a staff account and finds both listed', async () => {
    const page = await pageOf(admin, 'desktop');
    await open(page, '/registry/centres', '#centres-body');
    await page.selectOption('#centres-body', t.issuer.id);
    await page.waitForSelector('table.centres tbody tr');
    await page.fill('#centre-name', 'Riyadh Embassy Hall');
    await page.fill('#centre-country', 'SA');
    await page.fill('#centre-city', 'Riyadh');
    await page.click('form button[type=submit]');
    await eventually(() => page.textContent('main [role=status]')).toBe('Assessment centre Riyadh Embassy Hall added.');
    await eventually(() => page.textContent('table.centres')).toContain('Riyadh Embassy Hall');
    // The message is kept as what it says, not as English text: a language switch words it again.
    await page.selectOption('header.top select', 'id');
    await eventually(() => page.textContent('main [role=status]')).toBe(consoleTranslate('id', 'admin.centres.added', { name: 'Riyadh Embassy Hall' }));
    await page.selectOption('header.top select', 'en');
    await eventually(() => page.textContent('main [role=status]')).toBe('Assessment centre Riyadh Embassy Hall added.');
    // A refusal from the server is shown with its code and the server's words.
    await page.fill('#centre-name', 'Nowhere');
    await page.fill('#centre-country', 'S1');
    await page.click('form button[type=submit]');
    await eventually(() => page.textContent('form [role=alert]')).toContain('validation_failed');
    await checked(page, 'centres-desktop');

    await open(page, '/staff', '#staff-name');
    await page.selectOption('#staff-body', t.issuer.id);
    await page.fill('#staff-name', 'Nina Newassessor');
    await page.fill('#staff-email', 'nina@console.example');
    await page.selectOption('#staff-role', 'assessor');
    await page.selectOption('#staff-issuer', t.issuer.id);
    await page.fill('#staff-password', 'another long console secret');
    await page.click('form button[type=submit]');
    await eventually(() => page.textContent('main [role=status]')).toBe('Account for Nina Newassessor created.');
    await eventually(() => page.textContent('table.staff')).toContain('nina@console.example');
    // The same e-mail again is refused as already existing, in words.
    await page.fill('#staff-name', 'Nina Again');
    await page.fill('#staff-email', 'nina@console.example');
    await page.fill('#staff-password', 'another long console secret');
    await page.click('form button[type=submit]');
    await eventually(() => page.textContent('main [role=alert]')).toContain('This already exists.');
    await checked(page, 'staff-desktop');
    const row = await t.db.kysely.selectFrom('users').select(['role', 'issuer_id', 'disabled']).where('email', '=', 'nina@console.example').executeTakeFirstOrThrow();
    expect([row.role, row.issuer_id, Number(row.disabled)]).toEqual(['assessor', t.issuer.id, 0]);

    await page.click('button[aria-label="Deactivate: Nina Newassessor"]');
    await eventually(() => page.textContent('main [role=status]')).toBe('Nina Newassessor is deactivated and signed out everywhere.');
    const after = await t.db.kysely.selectFrom('users').select('disabled').where('email', '=', 'nina@console.example').executeTakeFirstOrThrow();
    expect(Number(after.disabled)).toBe(1);
  });

  it('an admin imports a mapping table version and a catalogue (a refused one lists its rows and imports nothing) and accredits a body for sectors', async () => {
    const page = await pageOf(admin, 'desktop');
    await open(page, '/registry/frameworks/my-mqf', '#mapping-file');
    const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.setInputFiles('#mapping-file', { name: 'mqf.csv', mimeType: 'text/csv', buffer: Buffer.from('national_level,aqrf_level\n1,1\n2,2\n') });
    await page.fill('#mapping-id', 'my-mqf-console');
    await page.selectOption('#mapping-status', 'provisional');
    await page.fill('#mapping-source', 'Console test');
    await page.fill('#mapping-from', future);
    await page.click('form button[type=submit]');
    await eventually(() => page.textContent('main [role=status]')).toBe('Mapping table my-mqf-console imported with 2 levels.');
    await eventually(() => page.textContent('main')).toContain('1 → 1 · 2 → 2');

    await open(page, '/registry/qualifications', '#catalogue-file');
    const header = 'qualification_code,qualification_slug,framework,national_level,sector,title_en,unit_code,unit_kind,unit_scheme,unit_title_en';
    const sheet = (level: number) => `${header}\nCONSOLE-Q1,console-q1,vn-vqf,3,Construction,Console one,CONSOLE-U1,core,TEST,U1\nCONSOLE-Q2,console-q2,vn-vqf,${level},Construction,Console two,CONSOLE-U2,core,TEST,U2\n`;
    await page.setInputFiles('#catalogue-file', { name: 'catalogue.csv', mimeType: 'text/csv', buffer: Buffer.from(sheet(99)) });
    await page.click('form:has(#catalogue-file) button[type=submit]');
    await eventually(() => page.textContent('form:has(#catalogue-file) [role=alert]')).toContain('The file has errors; nothing was imported.');
    expect(await page.textContent('form:has(#catalogue-file) [role=alert] li')).toMatch(/^Line 3: /);
    expect((await t.app.inject({ method: 'GET', url: '/qualifications?q=CONSOLE-Q' })).json().qualifications).toEqual([]);
    await page.setInputFiles('#catalogue-file', { name: 'catalogue.csv', mimeType: 'text/csv', buffer: Buffer.from(sheet(4)) });
    await page.click('form:has(#catalogue-file) button[type=submit]');
    await eventually(() => page.textContent('form:has(#catalogue-file) [role=status]')).toBe('2 qualifications and 2 units added; 0 were already there unchanged.');
    await eventually(() => page.textContent('main table')).toContain('CONSOLE-Q2');

    await open(page, '/registry/accreditations', '#acc-country');
    await page.selectOption('#accreditations-body', t.issuer.id);
    await page.fill('#acc-country', 'PH');
    await page.fill('#acc-sectors', 'Tourism; Domestic work');
    await page.fill('#acc-from', '2026-01-01');
    await page.click('form button[type=submit]');
    await eventually(() => page.textContent('main [role=status]')).toBe('Accreditation added.');
    await eventually(() => page.textContent('main table')).toContain('PH · Tourism, Domestic work');
    const scopes = (await t.app.inject({ method: 'GET', url: `/issuers/${t.issuer.id}/accreditations` })).json().accreditations as Array<{ country: string; sectors: string[] }>;
    expect(scopes).toContainEqual(expect.objectContaining({ country: 'PH', sectors: ['Tourism', 'Domestic work'] }));
  });

  it('an officer edits their body\'s certificate profile, signatory and logo', async () => {
    const logo = createCanvas(80, 40);
    logo.getContext('2d').fillRect(0, 0, 80, 20);
    const page = await pageOf(officer, 'phone');
    await open(page, '/body-profile', '#profile-name');
    expect(await page.textContent('main')).toContain(`Certifying body: ${t.issuer.name}`);
    await page.fill('#profile-name', 'Dr. Ramon Reyes');
    await page.fill('#profile-title', 'Director, Certification Office');
    await page.setInputFiles('#profile-logo', { name: 'logo.png', mimeType: 'image/png', buffer: logo.toBuffer('image/png') });
    await page.click('form button[type=submit]');
    await eventually(() => page.textContent('main [role=status]')).toContain('Certificate profile saved');
    await eventually(() => page.textContent('main')).toContain('Now: PNG, 80 × 40 px');
    const profile = (await t.app.inject({ method: 'GET', url: `/issuers/${t.issuer.id}/profile` })).json();
    expect([profile.signatoryName, profile.signatoryTitle, profile.images.logo.width]).toEqual(['Dr. Ramon Reyes', 'Director, Certification Office', 80]);

    // A file that is not an image is refused by the server, and the page says so in words.
    await page.setInputFiles('#profile-seal', { name: 'seal.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
    await page.click('form button[type=submit]');
    await eventually(() => page.textContent('main [role=alert]')).toContain('The image is not a PNG or JPEG a certificate can print.');
    // The refusal keeps what is on file and on the form.
    expect(await page.inputValue('#profile-name')).toBe('Dr. Ramon Reyes');
    expect(await page.textContent('main')).toContain('Now: PNG, 80 × 40 px');
    await checked(page, 'profile-phone');
  });

  it('staff of another body see nothing of this body: their own profile and statistics, and refusals for this body\'s', async () => {
    const page = await pageOf(otherOfficer, 'phone');
    await open(page, '/body-profile', '#profile-name');
    expect(await page.textContent('main')).toContain('Certifying body: Other Certifying Body');
    expect(await page.inputValue('#profile-name')).toBe('');
    await open(page, '/statistics', '#chart-country_of_work-title');
    await eventually(() => page.textContent('main [role=status]')).toBe('Fewer than 5 cases: the total is suppressed.');
    expect(await page.textContent('main')).not.toContain('HK');
    expect(await page.textContent('nav.side')).not.toMatch(/Cohort import|Registry|Staff accounts/);
    const refused = await page.evaluate(async (body) => {
      const csrf = (await (await fetch('/console/session')).json()).csrfToken as string;
      const stats = await fetch(`/rpl/statistics?issuerId=${body}`);
      const profile = await fetch(`/issuers/${body}/profile`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ signatoryName: 'Mallory', signatoryTitle: 'Impostor' }) });
      const staff = await fetch(`/staff?issuerId=${body}`);
      const centre = await fetch('/assessment-centres', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ issuerId: body, name: 'Mine now', country: 'ID' }) });
      return [stats.status, profile.status, staff.status, centre.status];
    }, t.issuer.id);
    expect(refused).toEqual([403, 403, 403, 403]);
    expect((await t.app.inject({ method: 'GET', url: `/issuers/${t.issuer.id}/profile` })).json().signatoryName).toBe('Dr. Ramon Reyes');
  });

  it('the template CSV the page offers for a qualification imports through the server\'s importer', async () => {
    const q = (await t.app.inject({ method: 'GET', url: '/qualifications/DEMO-TESDA-HSK-NC2' })).json();
    const report = await importCohort(t.services.rpl, { id: assessor.id, role: 'assessor', issuerId: t.issuer.id }, templateCsv(q), {
      issuerId: t.issuer.id, qualification: q.id, assessorId: assessor.id, country: 'HK', assessedOn: '2026-01-05', cohortRef: 'TEMPLATE',
    });
    expect(report.rows.map((r) => [r.status, r.outcome, r.errors])).toEqual([['imported', 'full_qualification', undefined]]);
  });

  it.each(['phone', 'desktop'] as Device[])('every admin screen passes axe-core and fits the width (%s)', async (device) => {
    const frameworks = (await t.app.inject({ method: 'GET', url: '/frameworks' })).json().frameworks as Array<{ id: string }>;
    const page = await pageOf(admin, device);
    const screens: Array<[string, string, string]> = [
      ['/registry', 'a[href^="#/registry/frameworks/"]', 'frameworks'],
      [`/registry/frameworks/${frameworks[0]!.id}`, '#mapping-file', 'framework'],
      ['/registry/qualifications', 'table tbody tr', 'qualifications'],
      ['/registry/accreditations', '#acc-country', 'accreditations'],
      ['/registry/centres', '#centre-name', 'centres'],
      ['/staff', 'table.staff tbody tr', 'staff'],
      ['/body-profile', '#profile-name', 'profile-admin'],
      ['/statistics', '#chart-sex-title', 'statistics-admin'],
    ];
    for (const [route, ready, name] of screens) {
      await open(page, route, ready);
      await checked(page, `${name}-${device}`);
    }
    const field = await pageOf(assessor, device);
    await open(field, '/cohort-import', '#cohort-file');
    await checked(field, `cohort-${device}`);
    await page.selectOption('header.top select', 'id');
    await open(page, '/statistics', '#chart-sex-title');
    expect(await page.textContent('h1')).toBe('Statistik');
    await checked(page, `statistics-id-${device}`);
    await page.selectOption('header.top select', 'en');
  });
});
