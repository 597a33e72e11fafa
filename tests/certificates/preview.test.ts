import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { importCohort } from '../../src/rpl/cohort-import.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { actualTextSpans, tagging } from '../helpers/pdf-inspect.js';
import { decodeQr, rasterisePage } from '../helpers/raster.js';
import { HONG_KONG_CENTRE, HOUSEKEEPING, rplFixture, type RplFixture } from '../rpl/fixtures.js';

/*
 * GET /cases/:id/certificate-preview.pdf: the certificate a moderated case would get, for its body's certifying
 * officer, marked as a preview, with nothing issued or written.
 */

let t: TestContext;
let f: RplFixture;
const ALL_C = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';
const OTHER = 'preview-other-body';

async function importedCases(rows: string[], date: string): Promise<string[]> {
  const report = await importCohort(t.services.rpl, { id: f.assessor.userId, role: 'assessor', issuerId: t.issuer.id }, ['full_name,name_latin,email,consent_purpose,preferred_language,decisions,methods', ...rows].join('\n'), {
    issuerId: t.issuer.id, qualification: HOUSEKEEPING, assessorId: f.assessor.userId, centreId: HONG_KONG_CENTRE(t.issuer.id), assessedOn: date, cohortRef: `P-${date}`,
  });
  return report.rows.map((r) => r.caseId!);
}

const counts = async () =>
  Promise.all((['credentials', 'awards', 'status_entries', 'audit_log', 'idempotency_keys'] as const).map(async (table) => Number((await t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)));

const preview = (id: string, headers: Record<string, string>, query = '') => t.app.inject({ method: 'GET', url: `/cases/${id}/certificate-preview.pdf${query}`, headers });

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER, name: 'Other Body', country: 'ID', didMethod: 'key' });
}, 60_000);
afterAll(async () => t.close());

describe(`certificate preview on ${testDialect}`, () => {
  it('shows the moderated case\'s certificate marked PREVIEW, with a QR that says so, and writes nothing', async () => {
    const [id] = await importedCases([`Nguyễn Thị Hồng,Nguyen Thi Hong,hong@example.org,RPL,vi,${ALL_C},observation`], '2026-06-22');
    expect((await f.fire(id!, f.moderator, 'confirm')).body).toMatchObject({ state: 'moderated' });
    const before = await counts();
    const res = await preview(id!, f.officer, '?paper=A4');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('private, no-store');
    const texts = actualTextSpans(res.rawPayload).map((s) => s.text);
    expect(texts).toContain('PREVIEW \u2014 NOT VALID');
    expect(texts).toContain('Not issued, not signed: not a certificate');
    expect(texts).toContain('Nguyễn Thị Hồng');
    expect(tagging(res.rawPayload).title).toMatch(/^PREVIEW, NOT VALID/);
    const qr = decodeQr(await rasterisePage(res.rawPayload, 0, 200));
    expect(qr?.text).toBe('TANDA CERTIFICATE PREVIEW - NOT VALID - NOT ISSUED');
    expect(await counts()).toEqual(before);
    const kase = await t.db.kysely.selectFrom('rpl_cases').select(['state', 'version', 'credential_id']).where('id', '=', id!).executeTakeFirstOrThrow();
    expect(kase).toMatchObject({ state: 'moderated', credential_id: null });

    // Certifying then prints what the preview showed: every text of the certificate but its number and check code.
    const certified = await f.fire(id!, f.officer, 'certify');
    expect(certified.body).toMatchObject({ state: 'certified' });
    const real = await t.app.inject({ method: 'GET', url: `/credentials/${encodeURIComponent(certified.body.credentialId as string)}/certificate.pdf?paper=A4`, headers: f.officer });
    const award = await t.db.kysely.selectFrom('awards').select('verify_code').where('credential_id', '=', certified.body.credentialId as string).executeTakeFirstOrThrow();
    const number = String(certified.body.credentialId).replace(/^urn:uuid:/, '').toUpperCase();
    // Compared word by word: the check code's width moves a line break in the sentence that prints it.
    const words = (spans: string[]) => new Set(spans.join(' ').split(/\s+/).filter(Boolean));
    const previewWords = words(texts);
    const missing = [...words(actualTextSpans(real.rawPayload).map((s) => s.text))].filter((w) => !previewWords.has(w));
    expect(missing).toEqual([number, award.verify_code]);
  }, 60_000);

  it('is for a certifying officer of the case\'s body only; another body\'s officer learns nothing of the case', async () => {
    const [id] = await importedCases([`Rosa Mendoza,,rosa-p@example.org,RPL,fil,${ALL_C},observation`], '2026-06-23');
    await f.fire(id!, f.moderator, 'confirm');
    for (const [who, headers] of [['moderator', f.moderator], ['assessor', f.assessor], ['counsellor', f.counsellor]] as const) {
      const res = await preview(id!, headers);
      expect([who, res.statusCode, res.json().code]).toEqual([who, 403, 'forbidden']);
    }
    const otherOfficer = await t.login('certifying_officer', { issuerId: OTHER });
    const hidden = await preview(id!, otherOfficer.headers);
    expect([hidden.statusCode, hidden.json().code]).toEqual([404, 'not_found']);
    const admin = await preview(id!, { ...f.admin, 'x-tanda-access-reason': 'check' });
    expect([admin.statusCode, admin.json().code]).toEqual([403, 'forbidden']);
    expect((await preview(id!, {})).statusCode).toBe(401);
  });

  it('refuses a case that is not moderated, or with no unit Competent, with 409 precondition_failed', async () => {
    const [decided, nyc] = await importedCases([
      `Ana Lim,,ana-p@example.org,RPL,fil,${ALL_C},observation`,
      `Pia Santos,,pia-p@example.org,RPL,fil,${ALL_C.replaceAll('=C', '=NYC')},observation`,
    ], '2026-06-24');
    const notYet = await preview(decided!, f.officer);
    expect([notYet.statusCode, notYet.json().code]).toEqual([409, 'precondition_failed']);
    await f.fire(nyc!, f.moderator, 'confirm');
    const nothing = await preview(nyc!, f.officer);
    expect([nothing.statusCode, nothing.json().code]).toEqual([409, 'precondition_failed']);
  });
});
