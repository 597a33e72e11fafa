import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createIssuer } from '../../src/issuers/issuers.js';
import { CertificationBatchWorker } from '../../src/rpl/certification-batch.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { HOUSEKEEPING, HOUSEKEEPING_UNITS, memoryLog, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { caseIn } from './console-cases.js';
import { chromiumPresent, launchChromium, newDevice, overflowsWidth, seriousViolations, SHOTS, signIn, staffAccount, type Device } from './console-driver.js';

/*
 * The office screens of the staff console in headless Chromium, on the in-process server: a moderator confirms a
 * decided case and cannot confirm one they assessed; a certifying officer previews, issues and downloads a
 * certificate, runs a batch with its progress bar, revokes a credential and corrects a holder's name; staff of
 * another body see none of it. axe-core and the 360 px layout on every screen; screenshots office-*.png.
 */
if (!chromiumPresent) process.stderr.write('SKIPPED tests/web/console-office.test.ts: /usr/bin/chromium is absent\n');

const OTHER_BODY = 'console-other-body';
let t: TestContext;
let f: RplFixture;
let base: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let worker: CertificationBatchWorker | undefined;
const browser = (): Browser => chromium.browser;
type Staff = Awaited<ReturnType<typeof staffAccount>>;
let moderator: Staff;
let officer: Staff;
/** One signed-in page per person and device: sign-in is rate-limited, so each signs in once. */
const pages = new Map<string, { context: BrowserContext; page: Page }>();

async function pageOf(who: Staff, device: Device): Promise<Page> {
  const key = `${who.email}/${device}`;
  let entry = pages.get(key);
  if (!entry) {
    entry = await newDevice(browser(), device, { bypassCSP: true });
    await signIn(entry.page, base, who.email);
    pages.set(key, entry);
  }
  return entry.page;
}

/** axe-core, no sideways scroll at 360 px, a screenshot to look at. */
async function look(page: Page, name: string, device: Device): Promise<void> {
  await page.waitForSelector('main h1');
  expect(await seriousViolations(page), `${name} (${device})`).toEqual([]);
  if (device === 'phone') expect(await overflowsWidth(page), `${name} overflows at 360 px`).toBe(false);
  await page.screenshot({ path: path.join(SHOTS, `office-${name}-${device}.png`), fullPage: true });
}

async function open(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForFunction((h) => location.hash === h, hash);
}

async function candidate(fullName: string): Promise<string> {
  return (await f.registerCandidate({ fullName })).id;
}

const caseRow = (id: string) => t.db.kysely.selectFrom('rpl_cases').select(['state', 'credential_id', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
const api = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers: f.officer });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
};
const holderName = (doc: Record<string, unknown>) =>
  ((doc.credentialSubject as { identifier: Array<{ identityType: string; identityHash: string }> }).identifier.find((i) => i.identityType === 'name') ?? {}).identityHash;

let decidedByOther: string;
let decidedByModerator: string;
let toIssue: string;
let leftModerated: string;
let batchCases: string[];
let nothingCompetent: string;
let issuedCredential: string;
let batchId: string;

describe.skipIf(!chromiumPresent)('the console office screens in headless Chromium', () => {
  beforeAll(async () => {
    t = await createTestContext();
    f = await rplFixture(t);
    await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER_BODY, name: 'Other Body', country: 'ID', didMethod: 'key' });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    chromium = await launchChromium();
    moderator = await staffAccount(t, 'moderator', t.issuer.id, 'Moderator Siti');
    officer = await staffAccount(t, 'certifying_officer', t.issuer.id, 'Officer Budi');
    decidedByOther = await caseIn(t, 'decided', await candidate('Maricel Dela Cruz'), f.assessor.userId);
    decidedByModerator = await caseIn(t, 'decided', await candidate('Rosalinda Bautista'), moderator.id);
    toIssue = await caseIn(t, 'moderated', await candidate('Jocelyn Ramos'), f.assessor.userId);
    leftModerated = await caseIn(t, 'moderated', await candidate('Lorna Villanueva'), f.assessor.userId);
    batchCases = [
      await caseIn(t, 'moderated', await candidate('Batch One'), f.assessor.userId),
      await caseIn(t, 'moderated', await candidate('Batch Two'), f.assessor.userId),
      await caseIn(t, 'moderated', await candidate('Batch Three'), f.assessor.userId),
    ];
    nothingCompetent = await caseIn(t, 'moderated', await candidate('Batch Failing'), f.assessor.userId, { nyc: true });
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    for (const { context } of pages.values()) await context.close();
    await chromium?.close();
    await t?.close();
  }, 120_000);

  it('a moderator confirms a decided case, is not offered confirm on a case they assessed, and sees the server refuse returning it', async () => {
    const page = await pageOf(moderator, 'phone');
    expect(await page.textContent('nav.side')).toContain('Moderation');
    await open(page, '#/moderation');
    await page.waitForSelector(`a[href="#/moderation/${decidedByOther}"]`);
    expect(await page.isVisible(`a[href="#/moderation/${decidedByModerator}"]`)).toBe(true);
    await look(page, 'moderation-queue', 'phone');

    await page.click(`a[href="#/moderation/${decidedByOther}"]`);
    await page.waitForSelector('text=Unit decisions');
    await expect.poll(() => page.locator('.card h3').count(), { timeout: 15_000 }).toBe(HOUSEKEEPING_UNITS.length);
    await look(page, 'moderation-case', 'phone');
    await page.click('button:has-text("Confirm the decision")');
    await page.fill('#moderation-note', 'Evidence checked against the unit standards.');
    await look(page, 'moderation-confirm', 'phone');
    await page.click('button[type=submit]:has-text("Confirm")');
    await expect.poll(() => page.textContent('[role=status].ok')).toContain('Confirmed.');
    expect((await caseRow(decidedByOther)).state).toBe('moderated');

    await open(page, `#/moderation/${decidedByModerator}`);
    await page.waitForSelector('text=You assessed this case yourself');
    expect(await page.locator('button:has-text("Confirm the decision")').count()).toBe(0);
    await page.click('button:has-text("Return to the assessor")');
    await page.fill('#moderation-note', 'Trying to return my own case.');
    await page.click('button[type=submit]:has-text("Return the case")');
    await expect.poll(() => page.textContent('[role=alert]')).toContain('The moderator must be a different person from the assessor');
    await look(page, 'moderation-refused', 'phone');
    expect((await caseRow(decidedByModerator)).state).toBe('decided');
  }, 120_000);

  it('a certifying officer previews the certificate, issues it and downloads the PDF', async () => {
    const page = await pageOf(officer, 'desktop');
    await open(page, '#/certification');
    await page.waitForSelector(`a[href="#/certification/${toIssue}"]`);
    await look(page, 'certification-queue', 'desktop');
    await page.click(`a[href="#/certification/${toIssue}"]`);
    await page.waitForSelector('#certificate-preview');
    await page.selectOption('#preview-paper', 'Letter');
    await page.selectOption('#preview-lang', 'fil');
    expect(await page.getAttribute('#certificate-preview', 'href')).toBe(`/cases/${toIssue}/certificate-preview.pdf?paper=Letter&lang=fil`);
    const preview = await page.context().request.get(new URL((await page.getAttribute('#certificate-preview', 'href'))!, base).href);
    expect(preview.status()).toBe(200);
    expect(preview.headers()['content-type']).toContain('application/pdf');
    expect((await preview.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await caseRow(toIssue)).credential_id).toBeNull();
    await look(page, 'certification-case', 'desktop');

    await page.click('button:has-text("Issue the certificate")');
    await look(page, 'certification-confirm', 'desktop');
    await page.click('button:has-text("Yes, issue it")');
    await page.waitForSelector('#credential-id');
    const row = await caseRow(toIssue);
    expect(row.state).toBe('certified');
    expect(row.credential_id).toBeTruthy();
    issuedCredential = row.credential_id!;
    expect(await page.textContent('#credential-id')).toBe(issuedCredential);

    await page.selectOption('#print-paper', 'Letter');
    await page.selectOption('#print-lang', 'id');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Download the certificate (PDF)")')]);
    const file = await download.path();
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    expect(download.url()).toContain('paper=Letter');
    await look(page, 'certification-issued', 'desktop');
  }, 120_000);

  it('a batch of moderated cases shows its progress bar until done, the case with nothing competent listed as failed', async () => {
    const page = await pageOf(officer, 'desktop');
    await open(page, '#/certification');
    for (const id of [...batchCases, nothingCompetent]) {
      await page.check(`tr:has(a[href="#/certification/${id}"]) input[type=checkbox]`);
    }
    await expect.poll(() => page.textContent('form.card')).toContain('The cases ticked above (4)');
    // A double click is one batch: the button waits for the answer, and both clicks would carry one Idempotency-Key.
    await page.dblclick('button:has-text("Start the batch")');
    await page.waitForSelector('#batch-progress');
    batchId = page.url().split('/').pop()!;
    const batches = await t.db.kysely.selectFrom('certification_batches').select('id').execute();
    expect(batches.map((b) => b.id)).toEqual([batchId]);
    expect(await page.getAttribute('#batch-progress', 'max')).toBe('4');
    expect(await page.textContent('#batch-status')).toBe('Certifying: 0 of 4 handled…');
    await look(page, 'batch-running', 'desktop');

    worker = new CertificationBatchWorker(t.services.rpl, { log: memoryLog(), intervalMs: 200 });
    worker.start();
    await expect.poll(() => page.textContent('#batch-status'), { timeout: 30_000 }).toBe('Done: 3 issued, 1 failed, of 4.');
    expect(await page.evaluate(() => (document.getElementById('batch-progress') as HTMLProgressElement).value)).toBe(4);
    expect(await page.textContent('#batch-failures')).toContain(nothingCompetent.slice(0, 8));
    expect(await page.textContent('#batch-failures')).toContain('precondition_failed');
    for (const id of batchCases) expect((await caseRow(id)).state).toBe('certified');
    expect((await caseRow(nothingCompetent)).state).toBe('moderated');
    await look(page, 'batch-done', 'desktop');
  }, 120_000);

  it('an officer corrects the holder\'s name (the replacement carries it) and revokes a credential with a reason', async () => {
    const page = await pageOf(officer, 'desktop');
    await open(page, '#/credentials');
    await page.waitForSelector('text=Certified cases');
    await look(page, 'credentials', 'desktop');
    await page.click(`a[href="#/credentials/${encodeURIComponent(issuedCredential.replace(/^urn:uuid:/, ''))}"]`);
    await page.waitForSelector('#credential-holder');
    expect(await page.textContent('#credential-holder')).toBe('Jocelyn Ramos');

    await page.click('button:has-text("Correct the name")');
    await page.fill('#correct-name', 'Jocelyn Ramos-Santos');
    await page.fill('#action-note', 'Married name, marriage certificate seen.');
    await page.click('button:has-text("Review")');
    await page.waitForSelector('text=Issue a corrected credential in the name "Jocelyn Ramos-Santos"?');
    await look(page, 'credential-correct-confirm', 'desktop');
    await page.click('button:has-text("Yes, do it")');
    await page.waitForSelector('#credential-result');
    const replacement = (await page.textContent('#credential-result a[href^="#/credentials/"]'))!;
    expect(replacement).not.toBe(issuedCredential);
    const fetched = await api(`/credentials/${encodeURIComponent(replacement)}`);
    expect(fetched.status).toBe(200);
    expect(holderName(fetched.body)).toBe('Jocelyn Ramos-Santos');
    expect(((await api(`/credentials/${encodeURIComponent(issuedCredential)}/history`)).body.replacedBy as { id: string }).id).toBe(replacement);
    await expect.poll(() => page.textContent('#credential-status')).toContain('Revoked (Superseded)');
    await look(page, 'credential-corrected', 'desktop');

    const batchCredential = (await caseRow(batchCases[0]!)).credential_id!;
    await open(page, `#/credentials/${encodeURIComponent(batchCredential.replace(/^urn:uuid:/, ''))}`);
    await page.waitForSelector('#credential-holder');
    await page.click('button:has-text("Revoke")');
    await page.selectOption('#revoke-reason', 'error');
    await page.fill('#action-note', 'Issued before the appeal period ended.');
    await page.click('button:has-text("Review")');
    await page.waitForSelector('text=Revocation is final');
    expect(await caseRow(batchCases[0]!).then((r) => r.state)).toBe('certified');
    expect((await api(`/credentials/${encodeURIComponent(batchCredential)}/history`)).body.revocation).toBeNull();
    await page.click('button:has-text("Yes, do it")');
    await expect.poll(() => page.textContent('#credential-status')).toContain('Revoked (Issued in error)');
    const history = (await api(`/credentials/${encodeURIComponent(batchCredential)}/history`)).body;
    expect(history.revocation).toMatchObject({ reason: 'error', note: 'Issued before the appeal period ended.', revokedBy: officer.id });
    await look(page, 'credential-revoked', 'desktop');
  }, 120_000);

  it('lays every office screen out at 360 px and 1280 px with no serious axe violation', async () => {
    const mod = await pageOf(moderator, 'desktop');
    await open(mod, '#/moderation');
    await mod.waitForSelector(`a[href="#/moderation/${decidedByModerator}"]`);
    await look(mod, 'moderation-queue', 'desktop');
    await open(mod, `#/moderation/${decidedByModerator}`);
    await mod.waitForSelector('text=Unit decisions');
    await look(mod, 'moderation-case', 'desktop');

    const phone = await pageOf(officer, 'phone');
    await open(phone, '#/certification');
    await phone.waitForSelector(`a[href="#/certification/${leftModerated}"]`);
    await look(phone, 'certification-queue', 'phone');
    await open(phone, `#/certification/${leftModerated}`);
    await phone.waitForSelector('#certificate-preview');
    await look(phone, 'certification-case', 'phone');
    await open(phone, `#/certification/${toIssue}`);
    await phone.waitForSelector('#credential-id');
    await look(phone, 'certification-issued', 'phone');
    await open(phone, `#/certification/batches/${batchId}`);
    await phone.waitForSelector('#batch-failures');
    await look(phone, 'batch-done', 'phone');
    await open(phone, '#/credentials');
    await phone.waitForSelector('text=Certified cases');
    await look(phone, 'credentials', 'phone');
    await open(phone, `#/credentials/${encodeURIComponent((await caseRow(batchCases[1]!)).credential_id!.replace(/^urn:uuid:/, ''))}`);
    await phone.waitForSelector('#credential-holder');
    await phone.click('button:has-text("Correct the name")');
    await look(phone, 'credential-correct', 'phone');
    await phone.selectOption('header.top select', 'id');
    await phone.waitForSelector('text=Perbaiki nama');
    await look(phone, 'credential-correct-id', 'phone');
    await phone.selectOption('header.top select', 'en');
  }, 120_000);

  it('a batch of every moderated case of a qualification in one cohort, chosen from the counted qualifications and their cohorts, certifies that cohort only', async () => {
    const cohort = [
      await caseIn(t, 'moderated', await candidate('Cohort One'), f.assessor.userId, { cohortRef: 'HK-2026-11' }),
      await caseIn(t, 'moderated', await candidate('Cohort Two'), f.assessor.userId, { cohortRef: 'HK-2026-11' }),
    ];
    const page = await pageOf(officer, 'phone');
    await open(page, '#/certification');
    await page.waitForSelector(`a[href="#/certification/${cohort[1]}"]`);
    await page.check('text=Every moderated case of a qualification');
    // The screen counts what the batch takes (every moderated case of the body for the qualification, then of the
    // cohort) and offers the qualification's cohorts.
    const moderated = (await t.db.kysely.selectFrom('rpl_cases').select('id').where('issuer_id', '=', t.issuer.id).where('qualification_id', '=', HOUSEKEEPING).where('state', '=', 'moderated').execute()).length;
    await page.selectOption('#batch-qualification', HOUSEKEEPING);
    await expect.poll(() => page.textContent('#batch-takes')).toBe(`This batch takes ${moderated} moderated cases.`);
    expect(await page.$$eval('#batch-cohorts option', (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['HK-2026-11']);
    await page.fill('#batch-cohort', 'HK-2026-11');
    expect(await page.textContent('#batch-takes')).toBe('This batch takes 2 moderated cases.');
    await look(page, 'batch-by-cohort', 'phone');
    await page.click('button:has-text("Start the batch")');
    await expect.poll(() => page.textContent('#batch-status'), { timeout: 30_000 }).toBe('Done: 2 issued, 0 failed, of 2.');
    for (const id of cohort) expect((await caseRow(id)).state).toBe('certified');
    expect((await caseRow(leftModerated)).state).toBe('moderated');
    expect((await caseRow(nothingCompetent)).state).toBe('moderated');
  }, 120_000);

  it('staff of another body see none of these cases: empty queues, and a direct link is not found', async () => {
    const otherOfficer = await staffAccount(t, 'certifying_officer', OTHER_BODY, 'Other Officer');
    const otherModerator = await staffAccount(t, 'moderator', OTHER_BODY, 'Other Moderator');
    const page = await pageOf(otherOfficer, 'desktop');
    await open(page, '#/certification');
    await page.waitForSelector('text=No moderated case is waiting for certification.');
    expect(await page.textContent('main')).not.toContain('Lorna');
    await open(page, '#/credentials');
    await page.waitForSelector('text=No certified case yet.');
    await open(page, `#/certification/${leftModerated}`);
    await expect.poll(() => page.textContent('main [role=alert]')).toBe('Not found.');
    expect(await page.textContent('main')).not.toContain('Lorna');
    await open(page, `#/credentials/${encodeURIComponent(issuedCredential)}`);
    await expect.poll(() => page.textContent('main [role=alert]')).toBe('Not found.');
    expect(await page.textContent('main')).not.toContain('Jocelyn');
    await look(page, 'other-body-not-found', 'desktop');

    const mod = await pageOf(otherModerator, 'phone');
    await open(mod, '#/moderation');
    await mod.waitForSelector('text=No decided case is waiting for moderation.');
    await look(mod, 'other-body-moderation', 'phone');
    await open(mod, `#/moderation/${decidedByModerator}`);
    await expect.poll(() => mod.textContent('main [role=alert]')).toBe('Not found.');
    expect(await mod.textContent('main')).not.toContain('Rosalinda');
  }, 120_000);
});
