import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { HONG_KONG_CENTRE, multipart, rplFixture, type RplFixture } from '../rpl/fixtures.js';

/* POST /cohort-imports: the CLI's cohort import for the staff console, with its per-row report. */

let t: TestContext;
let f: RplFixture;
const OTHER = 'cohort-http-other-body';
const HEADER = 'full_name,email,sex,country_of_work,consent_purpose,decisions,methods';
const ALL_C = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';
const row = (name: string, email: string, decisions = ALL_C, methods = 'observation') => `${name},${email},female,HK,RPL and certification,${decisions},${methods}`;
const url = (date: string, extra = '') => `/cohort-imports?qualification=DEMO-TESDA-HSK-NC2&date=${date}&centreId=${HONG_KONG_CENTRE(t.issuer.id)}${extra}`;
const csv = (headers: Record<string, string>) => ({ ...headers, 'content-type': 'text/csv' });
const post = (path: string, headers: Record<string, string>, payload: string | Buffer) => t.app.inject({ method: 'POST', url: path, headers, payload });

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER, name: 'Other Body', country: 'ID', didMethod: 'key' });
}, 60_000);
afterAll(async () => t.close());

describe(`POST /cohort-imports on ${testDialect}`, () => {
  it('imports the good rows as decided cases of the assessor and reports each bad row with its line, a code and the reasons', async () => {
    const file = [HEADER, row('Rosa Mendoza', 'rosa@cohort.example'), row('Ana Lim', 'ana@cohort.example', 'TRS5123111=C'), row('Liza Go', 'liza@cohort.example', ALL_C, 'telepathy'), row('Pia Santos', 'pia@cohort.example')].join('\n');
    const res = await post(url('2026-06-22', '&cohortRef=HK-DAY'), csv(f.assessor), file);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ cohortRef: 'HK-DAY', total: 4, imported: 2, alreadyImported: 0, duplicates: 0, failed: 2, encoding: 'utf-8' });
    expect(report.rows.map((r: { line: number; status: string; code?: string }) => [r.line, r.status, r.code ?? null])).toEqual([
      [2, 'imported', null], [3, 'failed', 'validation_failed'], [4, 'failed', 'validation_failed'], [5, 'imported', null],
    ]);
    expect(report.rows[1].errors.join()).toContain('no decision for core unit(s) TRS5123112');
    expect(report.rows[2].errors.join()).toContain('methods');
    const kase = await t.db.kysely.selectFrom('rpl_cases').selectAll().where('id', '=', report.rows[0].caseId).executeTakeFirstOrThrow();
    expect(kase).toMatchObject({ state: 'decided', cohort_ref: 'HK-DAY', issuer_id: t.issuer.id, assessor_id: f.assessor.userId, outcome: 'full_qualification' });
    expect(await t.db.kysely.selectFrom('candidates').select('id').where('email', '=', 'ana@cohort.example').executeTakeFirst()).toBeUndefined();
    // The imported cases wait in the moderation queue.
    const queue = (await t.app.inject({ method: 'GET', url: '/cases?state=decided', headers: f.moderator })).json().map((c: { id: string }) => c.id);
    expect(queue).toEqual(expect.arrayContaining([report.rows[0].caseId, report.rows[3].caseId]));
  });

  it('sent again imports nothing twice; with an Idempotency-Key answers the first report again, and refuses the key for another file', async () => {
    const file = [HEADER, row('Jun Bautista', 'jun@cohort.example')].join('\n');
    const first = await post(url('2026-06-23'), { ...csv(f.assessor), 'idempotency-key': 'day-23' }, file);
    expect(first.json()).toMatchObject({ imported: 1 });
    const replay = await post(url('2026-06-23'), { ...csv(f.assessor), 'idempotency-key': 'day-23' }, file);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const mismatch = await post(url('2026-06-23'), { ...csv(f.assessor), 'idempotency-key': 'day-23' }, `${file}\n${row('Someone Else', 'else@cohort.example')}`);
    expect([mismatch.statusCode, mismatch.json().code]).toEqual([400, 'idempotency_key_mismatch']);
    const sameQueryOtherDay = await post(url('2026-06-24'), { ...csv(f.assessor), 'idempotency-key': 'day-23' }, file);
    expect([sameQueryOtherDay.statusCode, sameQueryOtherDay.json().code]).toEqual([400, 'idempotency_key_mismatch']);
    // Without a key the file is still imported once: its rows are known.
    const again = await post(url('2026-06-23'), csv(f.assessor), file);
    expect(again.json()).toMatchObject({ imported: 0, alreadyImported: 1 });
    expect(again.json().rows[0]).toMatchObject({ status: 'already_imported', caseId: first.json().rows[0].caseId });
  });

  it('takes the file as a form upload, and reads its encoding as the CLI does: a Latin-1 file fails its lines instead of importing garbled names', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([HEADER, row('Nguyễn Thị Hà', 'ha@cohort.example')].join('\r\n'), 'utf16le')]);
    const up = multipart({}, { name: 'day.csv', bytes: utf16, type: 'text/csv' });
    const res = await post(url('2026-06-25'), { ...f.assessor, ...up.headers }, up.payload);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ imported: 1, encoding: 'utf-16le' });
    expect((await t.db.kysely.selectFrom('candidates').select('full_name').where('email', '=', 'ha@cohort.example').executeTakeFirstOrThrow()).full_name).toBe('Nguyễn Thị Hà');

    const latin1 = Buffer.from([HEADER, row('Juan dela Cruz', 'juan@cohort.example'), row('Iñigo Peña', 'inigo@cohort.example')].join('\n'), 'latin1');
    const refused = await post(url('2026-06-25'), csv(f.assessor), latin1);
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ imported: 0, failed: 1 });
    expect(refused.json().rows).toEqual([expect.objectContaining({ line: 3, status: 'failed', code: 'invalid_text' })]);
    expect(await t.db.kysely.selectFrom('candidates').select('id').where('email', '=', 'juan@cohort.example').executeTakeFirst()).toBeUndefined();
    // Declared: a file whose byte-order mark says otherwise is refused at line 1.
    const declared = await post(url('2026-06-25', '&encoding=utf-16be'), csv(f.assessor), utf16);
    expect(declared.json()).toMatchObject({ imported: 0, failed: 1 });
    expect(declared.json().rows).toEqual([expect.objectContaining({ line: 1, status: 'failed', code: 'invalid_text' })]);
  });

  it('refuses a file that is not a CSV or has an unknown column whole (422 import_failed), and a request without a file (400)', async () => {
    const unknown = await post(url('2026-06-26'), csv(f.assessor), 'full_name,favourite_colour\nX,blue\n');
    expect([unknown.statusCode, unknown.json().code]).toEqual([422, 'import_failed']);
    const broken = await post(url('2026-06-26'), csv(f.assessor), `${HEADER}\n"Unclosed,${'x'.repeat(10)}\n`);
    expect([broken.statusCode, broken.json().code]).toEqual([422, 'import_failed']);
    const ragged = await post(url('2026-06-26'), csv(f.assessor), `${HEADER}\n${row('A B', 'ab@cohort.example')},extra`);
    expect([ragged.statusCode, ragged.json().code]).toEqual([422, 'import_failed']);
    // Beyond the JSON routes' 1 MB (an assessment day's sheet may be larger), up to the file limit.
    const large = await post(url('2026-06-26'), csv(f.assessor), `full_name,favourite_colour\n${'X,blue\n'.repeat(300_000)}`);
    expect([large.statusCode, large.json().code]).toEqual([422, 'import_failed']);
    const tooLarge = await post(url('2026-06-26'), csv(f.assessor), Buffer.alloc(8 * 1024 * 1024 + 1, 0x41));
    expect([tooLarge.statusCode, tooLarge.json().code]).toEqual([413, 'payload_too_large']);
    const none = await t.app.inject({ method: 'POST', url: url('2026-06-26'), headers: f.assessor });
    expect([none.statusCode, none.json().code]).toEqual([400, 'validation_failed']);
    const json = await t.app.inject({ method: 'POST', url: url('2026-06-26'), headers: f.assessor, payload: { rows: [] } });
    expect([json.statusCode, json.json().code]).toEqual([415, 'unsupported_media_type']);
    const field = multipart({ qualification: 'x' }, { name: 'day.csv', bytes: Buffer.from(HEADER) });
    const withField = await post(url('2026-06-26'), { ...f.assessor, ...field.headers }, field.payload);
    expect([withField.statusCode, withField.json().code]).toEqual([400, 'unknown_field']);
    const noDate = await post('/cohort-imports?qualification=DEMO-TESDA-HSK-NC2', csv(f.assessor), HEADER);
    expect([noDate.statusCode, noDate.json().code]).toEqual([400, 'validation_failed']);
  });

  it('is for an assessor of the body only; another body\'s assessor imports into their own body, which this body\'s staff never see', async () => {
    const file = [HEADER, row('Mila Reyes', 'mila@cohort.example')].join('\n');
    for (const [who, headers] of [['moderator', f.moderator], ['officer', f.officer], ['counsellor', f.counsellor], ['admin', f.admin]] as const) {
      const res = await post(url('2026-06-27'), csv(headers), file);
      expect([who, res.statusCode, res.json().code]).toEqual([who, 403, 'forbidden']);
    }
    expect((await post(url('2026-06-27'), { 'content-type': 'text/csv' }, file)).statusCode).toBe(401);
    const otherAssessor = await t.login('assessor', { issuerId: OTHER });
    const intoOwn = await post(url('2026-06-27', `&issuerId=${t.issuer.id}`), csv(otherAssessor.headers), file);
    expect([intoOwn.statusCode, intoOwn.json().code]).toEqual([403, 'forbidden']);
    const theirs = await post(`/cohort-imports?qualification=DEMO-TESDA-HSK-NC2&date=2026-06-27&country=TW`, csv(otherAssessor.headers), file);
    expect(theirs.statusCode, theirs.body).toBe(200);
    const caseId = theirs.json().rows[0].caseId as string;
    expect((await t.db.kysely.selectFrom('rpl_cases').select('issuer_id').where('id', '=', caseId).executeTakeFirstOrThrow()).issuer_id).toBe(OTHER);
    for (const headers of [f.moderator, f.officer, f.counsellor]) {
      expect((await t.app.inject({ method: 'GET', url: '/cases?q=mila', headers })).json()).toEqual([]);
      expect((await t.app.inject({ method: 'GET', url: `/cases/${caseId}`, headers })).statusCode).toBe(404);
    }
  });
});
