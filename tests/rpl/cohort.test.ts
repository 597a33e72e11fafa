import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rplCommand } from '../../src/cli/rpl.js';
import { captured } from '../helpers/cli.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { HONG_KONG_CENTRE, HOUSEKEEPING, rplFixture, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

const HEADER = 'full_name,email,phone,sex,birth_year,country_of_work,sector,years_experience,national_id,consent_purpose,decisions,methods';
const ALL_C = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';

async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { value: code, out, err } = await captured(() => rplCommand(argv, t.services));
  return { code, out, err };
}

describe(`cohort import on ${testDialect}`, () => {
  it('imports each good row as a candidate and a decided case, reports each bad row, and keeps nothing of a bad row', async () => {
    const already = await f.registerCandidate({ nationalId: 'PSN-7777', email: 'rosa@example.org' });
    const csv = [
      HEADER,
      `Rosa Mendoza,rosa@example.org,,female,1985,HK,domestic work,10,PSN 7777,RPL and certification,${ALL_C},observation;interview`,
      `Jun Bautista,,+852 5555 0101,male,1990,HK,hotel,6,PSN-0101,RPL and certification,TRS5123111=C;TRS5123112=NYC;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C,practical_demonstration`,
      `Ana Lim,ana@example.org,,female,1992,HK,hotel,4,PSN-0102,RPL and certification,TRS5123111=C,observation`,
      `Liza Go,liza@example.org,,female,1979,AE,hotel,12,PSN-0103,RPL and certification,${ALL_C},telepathy`,
      `"Cruz, Maria",maria@example.org,,female,1983,AE,hotel,9,PSN-0104,,${ALL_C},observation`,
      `Pia Santos,pia@example.org,,female,1995,HK,hotel,3,PSN-0105,RPL and certification,TRS5123111=NYC;TRS5123112=NYC;TRS5123113=NYC;TRS5123114=NYC;TRS5123115=NYC;TRS5123122=NYC,interview`,
    ].join('\n');
    const file = path.join(t.dataDir, 'hk-2026.csv');
    fs.writeFileSync(file, csv);
    const reportFile = path.join(t.dataDir, 'report.json');
    const candidatesBefore = (await t.db.kysely.selectFrom('candidates').select('id').execute()).length;

    const run = await runCli(['import-cohort', file, '--issuer', t.issuer.id, '--qualification', 'DEMO-TESDA-HSK-NC2', '--assessor', f.assessor.userId, '--centre', HONG_KONG_CENTRE(t.issuer.id), '--date', '2026-06-22', '--ref', 'HK-OAP-2026', '--report', reportFile]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('cohort HK-OAP-2026: 3 imported, 3 failed of 6 row(s)');
    expect(run.err).toContain('6/6 rows');
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    expect(report.rows.map((r: { line: number; status: string; outcome?: string }) => [r.line, r.status, r.outcome ?? null])).toEqual([
      [2, 'imported', 'full_qualification'],
      [3, 'imported', 'statement_of_attainment'],
      [4, 'failed', null],
      [5, 'failed', null],
      [6, 'failed', null],
      [7, 'imported', 'not_yet_competent'],
    ]);
    expect(report.rows[0]).toMatchObject({ candidateId: already.id, reusedCandidate: true });
    expect(report.rows[2].errors.join()).toContain('no decision for core unit(s) TRS5123112');
    expect(report.rows[3].errors.join()).toContain('methods');
    expect(report.rows[4].errors.join()).toContain('consent_purpose');
    expect((await t.db.kysely.selectFrom('candidates').select('id').execute()).length).toBe(candidatesBefore + 2);

    // Imported cases wait for moderation like any other; the assessor's decisions are on record.
    const kase = await t.db.kysely.selectFrom('rpl_cases').selectAll().where('id', '=', report.rows[1].caseId).executeTakeFirstOrThrow();
    expect(kase).toMatchObject({ state: 'decided', cohort_ref: 'HK-OAP-2026', qualification_id: HOUSEKEEPING, assessor_id: f.assessor.userId });
    const confirmed = await f.fire(kase.id, f.moderator, 'confirm');
    expect(confirmed.body).toMatchObject({ state: 'moderated' });
    const certified = await f.fire(kase.id, f.officer, 'certify');
    expect(certified.body).toMatchObject({ state: 'certified' });
    const vc = (await t.services.credentials.find(certified.body.credentialId as string))!.document as unknown as { evidence: Array<{ name: string; description: string }> };
    expect(vc.evidence[0]).toMatchObject({ name: 'RPL, Hong Kong, HK', description: 'demonstration' });
  });

  it('records the consent to statistics only on an explicit yes, and refuses anything but yes or no', async () => {
    const csv = [
      'full_name,email,consent_purpose,consent_statistics,decisions,methods',
      `Mila Reyes,mila@example.org,RPL and certification,yes,${ALL_C},observation`,
      `Nora Diaz,nora@example.org,RPL and certification,,${ALL_C},observation`,
      `Olga Cruz,olga@example.org,RPL and certification,no,${ALL_C},observation`,
      `Rita Uy,rita@example.org,RPL and certification,maybe,${ALL_C},observation`,
    ].join('\n');
    const file = path.join(t.dataDir, 'stats-consent.csv');
    fs.writeFileSync(file, csv);
    const reportFile = path.join(t.dataDir, 'stats-consent.json');
    const run = await runCli(['import-cohort', file, '--issuer', t.issuer.id, '--qualification', 'DEMO-TESDA-HSK-NC2', '--assessor', f.assessor.userId, '--centre', HONG_KONG_CENTRE(t.issuer.id), '--date', '2026-06-22', '--ref', 'STATS-2026', '--report', reportFile]);
    expect(run.code).toBe(1);
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    expect(report.rows.map((r: { status: string }) => r.status)).toEqual(['imported', 'imported', 'imported', 'failed']);
    expect(report.rows[3].errors.join()).toContain('consent_statistics');
    const rows = await t.db.kysely.selectFrom('candidates').select(['email', 'statistics_consent_at']).where('email', 'in', ['mila@example.org', 'nora@example.org', 'olga@example.org']).orderBy('email').execute();
    expect(rows.map((r) => [r.email, r.statistics_consent_at !== null])).toEqual([['mila@example.org', true], ['nora@example.org', false], ['olga@example.org', false]]);
  });

  it('a row that fails half-way in the database leaves nothing behind (all-or-nothing); the next row still imports', async () => {
    // A trigger stands in for any failure after the candidate and the case are written (a constraint, a lost race).
    if (t.db.dialect === 'sqlite') {
      await sql`CREATE TRIGGER fail_unit BEFORE INSERT ON unit_assessments WHEN NEW.notes = 'explode' BEGIN SELECT RAISE(ABORT, 'boom'); END`.execute(t.db.kysely);
    } else {
      await sql`CREATE FUNCTION fail_unit() RETURNS trigger AS $$ BEGIN IF NEW.notes = 'explode' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(t.db.kysely);
      await sql`CREATE TRIGGER fail_unit BEFORE INSERT ON unit_assessments FOR EACH ROW EXECUTE FUNCTION fail_unit()`.execute(t.db.kysely);
    }
    const csv = [
      `${HEADER},notes`,
      `Half Way,half@example.org,,female,1990,HK,hotel,5,PSN-9001,RPL,${ALL_C},observation,explode`,
      `Whole Way,whole@example.org,,female,1991,HK,hotel,5,PSN-9002,RPL,${ALL_C},observation,fine`,
    ].join('\n');
    const file = path.join(t.dataDir, 'half.csv');
    fs.writeFileSync(file, csv);
    const count = async (tb: 'rpl_cases' | 'candidates' | 'users' | 'audit_log') => (await t.db.kysely.selectFrom(tb).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    const before = await Promise.all([count('rpl_cases'), count('candidates'), count('users'), count('audit_log')]);
    const run = await runCli(['import-cohort', file, '--issuer', t.issuer.id, '--qualification', HOUSEKEEPING, '--assessor', f.assessor.userId, '--country', 'HK', '--date', '2026-06-23']);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/line 2: FAILED database error: .*boom/);
    expect(run.out).toMatch(/line 3: case /);
    const after = await Promise.all([count('rpl_cases'), count('candidates'), count('users'), count('audit_log')]);
    expect(after.map((n, i) => Number(n) - Number(before[i]))).toEqual([1, 1, 1, 2]);
    expect(await t.db.kysely.selectFrom('candidates').select('id').where('email', '=', 'half@example.org').executeTakeFirst()).toBeUndefined();
  });

  it('refuses a file with an unknown column, and an assessor of another body', async () => {
    const file = path.join(t.dataDir, 'bad.csv');
    fs.writeFileSync(file, 'full_name,favourite_colour\nX,blue\n');
    const args = ['import-cohort', file, '--issuer', t.issuer.id, '--qualification', HOUSEKEEPING, '--country', 'HK', '--date', '2026-06-23'];
    await expect(runCli([...args, '--assessor', f.assessor.userId])).rejects.toMatchObject({ code: 'import_failed' });
    // The decisions are recorded as the assessor's own: only an assessor of the body imports them.
    await expect(runCli([...args, '--assessor', (await t.login('moderator')).userId])).rejects.toMatchObject({ code: 'forbidden' });
    await expect(runCli([...args, '--assessor', (await t.login('assessor', { issuerId: null })).userId])).rejects.toMatchObject({ code: 'forbidden' });
    const { createIssuer } = await import('../../src/issuers/issuers.js');
    await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: 'cohort-other-body', name: 'Other Body', country: 'ID', didMethod: 'key' });
    await expect(runCli([...args, '--assessor', (await t.login('assessor', { issuerId: 'cohort-other-body' })).userId])).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe(`cohort import run again, duplicates and encodings on ${testDialect}`, () => {
  const row = (name: string, email: string, id: string) => `${name},${email},,female,1990,HK,hotel,5,${id},RPL and certification,${ALL_C},observation`;
  const casesOf = async (email: string) =>
    (await t.db.kysely.selectFrom('rpl_cases').innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id').select('rpl_cases.id').where('candidates.email', '=', email).execute()).length;
  const importArgs = (file: string, date: string) => ['import-cohort', file, '--issuer', t.issuer.id, '--qualification', HOUSEKEEPING, '--assessor', f.assessor.userId, '--country', 'HK', '--date', date];

  it('a run stopped half-way and run again imports each row exactly once; a third run changes nothing', async () => {
    const { importCohort } = await import('../../src/rpl/cohort-import.js');
    const lines = Array.from({ length: 5 }, (_, i) => row(`Resume ${i}`, `resume${i}@example.org`, `PSN-R${i}`));
    const csv = [HEADER, ...lines].join('\n');
    const actor = { id: f.assessor.userId, role: 'assessor' as const, issuerId: t.issuer.id };
    const options = { issuerId: t.issuer.id, qualification: HOUSEKEEPING, assessorId: f.assessor.userId, country: 'HK', assessedOn: '2026-07-01', cohortRef: 'RESUME' };
    // The process "dies" after the second row has committed: nothing after it runs.
    await expect(importCohort(t.services.rpl, actor, csv, options, (done) => {
      if (done === 2) throw new Error('killed');
    })).rejects.toThrow('killed');
    expect(await Promise.all(lines.map((_, i) => casesOf(`resume${i}@example.org`)))).toEqual([1, 1, 0, 0, 0]);

    const file = path.join(t.dataDir, 'resume.csv');
    fs.writeFileSync(file, csv);
    const second = await runCli(importArgs(file, '2026-07-01'));
    expect(second.code).toBe(0);
    expect(second.out).toContain('3 imported, 2 imported by an earlier run, 0 failed of 5 row(s)');
    const third = await runCli(importArgs(file, '2026-07-01'));
    expect(third.out).toContain('0 imported, 5 imported by an earlier run, 0 failed of 5 row(s)');
    expect(await Promise.all(lines.map((_, i) => casesOf(`resume${i}@example.org`)))).toEqual([1, 1, 1, 1, 1]);
  });

  it('the same person three times (in one file, then in another file) gets one case; the others are reported as duplicates', async () => {
    const once = row('Dup Person', 'dup@example.org', 'PSN-D1');
    const file = path.join(t.dataDir, 'dups.csv');
    fs.writeFileSync(file, [HEADER, once, row('Other Person', 'other-dup@example.org', 'PSN-D2'), once, once].join('\n'));
    const reportFile = path.join(t.dataDir, 'dups.json');
    const run = await runCli([...importArgs(file, '2026-07-02'), '--report', reportFile]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('2 imported, 2 duplicate, 0 failed of 4 row(s)');
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    expect(report.rows.map((r: { line: number; status: string }) => [r.line, r.status])).toEqual([[2, 'imported'], [3, 'imported'], [4, 'duplicate'], [5, 'duplicate']]);
    expect(report.rows[2].caseId).toBe(report.rows[0].caseId);
    expect(report.rows[2].errors.join()).toContain('already has an imported case');
    // Another file naming the same person for the same day: still one case. Another day is another assessment.
    const other = path.join(t.dataDir, 'dups-2.csv');
    fs.writeFileSync(other, [HEADER, once].join('\n'));
    expect((await runCli(importArgs(other, '2026-07-02'))).out).toContain('0 imported, 1 duplicate');
    expect((await runCli(importArgs(other, '2026-07-03'))).out).toContain('1 imported, 0 failed');
    expect(await casesOf('dup@example.org')).toBe(2);
  });

  it('reads UTF-8 with or without a byte-order mark and UTF-16 LE/BE with one; names arrive intact', async () => {
    const names = ['Nguyễn Thị Hà', 'Siti Nurhaliza Binti Abdul', 'សុខ ចាន់ធី', 'Juan dela Cruz Ñ'];
    const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
    const encodings: Array<[string, (text: string) => Buffer]> = [
      ['utf-8', (s) => Buffer.from(s, 'utf8')],
      ['utf-8 BOM', (s) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')])],
      ['utf-16le BOM', (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')])],
      ['utf-16be BOM', (s) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(s)])],
    ];
    for (const [i, [label, encode]] of encodings.entries()) {
      const file = path.join(t.dataDir, `enc-${i}.csv`);
      fs.writeFileSync(file, encode([HEADER, row(names[i]!, `enc${i}@example.org`, `PSN-E${i}`)].join('\r\n')));
      const run = await runCli(importArgs(file, '2026-07-04'));
      expect(run.out, label).toContain('1 imported, 0 failed');
      const stored = await t.db.kysely.selectFrom('candidates').select('full_name').where('email', '=', `enc${i}@example.org`).executeTakeFirstOrThrow();
      expect(stored.full_name, label).toBe(names[i]);
    }
    // Declared: UTF-16 LE without a byte-order mark.
    const declared = path.join(t.dataDir, 'enc-declared.csv');
    fs.writeFileSync(declared, Buffer.from([HEADER, row('Trần Văn Bình', 'enc-declared@example.org', 'PSN-E9')].join('\n'), 'utf16le'));
    expect((await runCli([...importArgs(declared, '2026-07-04'), '--encoding', 'utf-16le'])).out).toContain('1 imported, 0 failed');
    expect((await t.db.kysely.selectFrom('candidates').select('full_name').where('email', '=', 'enc-declared@example.org').executeTakeFirstOrThrow()).full_name).toBe('Trần Văn Bình');
  });

  it('refuses a Latin-1 file, naming its lines, and imports nothing of it; a BOM contradicting the declared encoding too', async () => {
    const file = path.join(t.dataDir, 'latin1.csv');
    fs.writeFileSync(file, Buffer.from([HEADER, row('José Peña', 'latin1-a@example.org', 'PSN-L1'), row('Ana Ruiz', 'latin1-b@example.org', 'PSN-L2'), row('Müller Zoë', 'latin1-c@example.org', 'PSN-L3')].join('\n'), 'latin1'));
    const reportFile = path.join(t.dataDir, 'latin1.json');
    const run = await runCli([...importArgs(file, '2026-07-05'), '--report', reportFile]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('0 imported, 2 failed');
    expect(run.out).toMatch(/line 2: FAILED not valid UTF-8/);
    expect(run.out).toMatch(/line 4: FAILED not valid UTF-8/);
    expect(run.out).not.toMatch(/line 3:/);
    expect(await casesOf('latin1-b@example.org')).toBe(0);
    expect(await t.db.kysely.selectFrom('candidates').select('id').where('email', 'like', 'latin1-%').execute()).toEqual([]);

    const bom = path.join(t.dataDir, 'bom-mismatch.csv');
    fs.writeFileSync(bom, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([HEADER, row('X Y', 'bom@example.org', 'PSN-B1')].join('\n'), 'utf16le')]));
    const mismatch = await runCli([...importArgs(bom, '2026-07-05'), '--encoding', 'utf-8']);
    expect(mismatch.out).toContain('utf-16le byte-order mark but was declared utf-8');
    expect(await casesOf('bom@example.org')).toBe(0);
  });
});
