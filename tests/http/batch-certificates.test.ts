import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { CertificationBatchWorker } from '../../src/rpl/certification-batch.js';
import { importCohort } from '../../src/rpl/cohort-import.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { actualTextSpans, openPdf } from '../helpers/pdf-inspect.js';
import { HONG_KONG_CENTRE, HOUSEKEEPING, memoryLog, rplFixture, type RplFixture } from '../rpl/fixtures.js';

/* GET /certification-batches/:id/certificates.pdf: printing what a batch has certified, for its body's officers. */

let t: TestContext;
let f: RplFixture;
let batchId: string;
const NAMES = ['Rosa Mendoza', 'Jun Bautista', 'Ana Lim'];
const ALL_C = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';

const print = (headers: Record<string, string>, query = '') => t.app.inject({ method: 'GET', url: `/certification-batches/${batchId}/certificates.pdf${query}`, headers });

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: 'print-other-body', name: 'Other Body', country: 'ID', didMethod: 'key' });
  const report = await importCohort(t.services.rpl, { id: f.assessor.userId, role: 'assessor', issuerId: t.issuer.id }, ['full_name,email,consent_purpose,decisions,methods', ...NAMES.map((n, i) => `${n},print${i}@example.org,RPL,${ALL_C},observation`)].join('\n'), {
    issuerId: t.issuer.id, qualification: HOUSEKEEPING, assessorId: f.assessor.userId, centreId: HONG_KONG_CENTRE(t.issuer.id), assessedOn: '2026-06-22', cohortRef: 'PRINT',
  });
  const caseIds = report.rows.map((r) => r.caseId!);
  for (const id of caseIds) expect((await f.fire(id, f.moderator, 'confirm')).statusCode).toBe(200);
  const batch = await t.app.inject({ method: 'POST', url: '/certification-batches', headers: f.officer, payload: { caseIds } });
  batchId = batch.json().id;
}, 60_000);
afterAll(async () => t.close());

describe(`printing a certification batch on ${testDialect}`, () => {
  it('answers 409 precondition_failed while nothing is certified, then one PDF with a page per certificate in the batch\'s order', async () => {
    const early = await print(f.officer);
    expect([early.statusCode, early.json().code]).toEqual([409, 'precondition_failed']);
    await new CertificationBatchWorker(t.services.rpl, { log: memoryLog() }).runOnce();
    const res = await print(f.officer, '?paper=A4');
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-total-count']).toBe('3');
    expect(openPdf(res.rawPayload).countPages()).toBe(3);
    const holders = [0, 1, 2].map((page) => NAMES.find((n) => actualTextSpans(res.rawPayload, page).some((s) => s.text === n)));
    expect(holders).toEqual(NAMES);
    const second = await print(f.officer, '?offset=2&limit=2');
    expect(openPdf(second.rawPayload).countPages()).toBe(1);
    expect(actualTextSpans(second.rawPayload, 0).some((s) => s.text === 'Ana Lim')).toBe(true);
    const past = await print(f.officer, '?offset=3');
    expect([past.statusCode, past.json().code]).toEqual([409, 'precondition_failed']);
  }, 60_000);

  it('is for a certifying officer of the batch\'s body: another body\'s officer learns of no such batch', async () => {
    const other = await t.login('certifying_officer', { issuerId: 'print-other-body' });
    const hidden = await print(other.headers);
    expect([hidden.statusCode, hidden.json().code]).toEqual([404, 'not_found']);
    for (const headers of [f.moderator, f.counsellor, f.assessor, f.admin]) {
      const refused = await print(headers);
      expect([refused.statusCode, refused.json().code]).toEqual([403, 'forbidden']);
    }
    expect((await print({})).statusCode).toBe(401);
  });
});
