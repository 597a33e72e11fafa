import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrFromFile } from '../../src/cli/qr-decode.js';
import { trustBundleService } from '../../src/trust/service.js';
import { verifyQrText } from '../../src/verifier/pipeline.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { FILES, housekeepingAssessment, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { returneeInAssessment } from '../me/fixtures.js';
import { phoneFontsConfig } from './helpers.js';
import { meDriver } from './me-driver.js';

/*
 * The returnee space in real headless Chromium on a 360 × 740 phone, against the real app on 127.0.0.1: sign in with
 * the code the outbox sends, follow the case while staff move it on, upload evidence over a connection that drops
 * once, open the certificate and its full-screen QR, go offline and reload (the QR is still there and the offline
 * verifier's pipeline finds it VALID), share it by link, revoke and expire links; axe-core on every page.
 * Screenshots go to test-output/me/ (git-ignored) for a person to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present) process.stderr.write(`SKIPPED tests/web/me.test.ts: ${CHROMIUM} is absent (apt-get install -y chromium; CI installs it)\n`);

const SHOTS = path.resolve('test-output/me');
let t: TestContext;
let f: RplFixture;
let browser: Browser;
let base: string;
let returnee: Awaited<ReturnType<typeof returneeInAssessment>>;
let credentialId: string;
let shareToken: string;
let goneToken: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-me-'));
const photo = path.join(dir, 'payslip.jpg');
const photoBytes = Buffer.concat([FILES.jpeg(), crypto.randomBytes(600_000)]);

const { newPhone, codeFor, signIn } = meDriver({ browser: () => browser, fixture: () => f, base: () => base, shots: SHOTS });

/** axe-core's serious and critical violations on the page as it stands (the context must bypass the CSP). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') });
  return page.evaluate(async () => {
    const r = await (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run({ resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
  });
}

const decodeQr = async (page: Page): Promise<string> => {
  const png = await page.locator('#qr-image').screenshot();
  const text = await qrFromFile(png, 'image/png');
  if (!text) throw new Error('no QR code read from the screen');
  return text;
};

describe.skipIf(!present)('the returnee space in headless Chromium at 360 × 740', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(photo, photoBytes);
    t = await createTestContext();
    f = await rplFixture(t);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    returnee = await returneeInAssessment(f);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      // The fonts an Android phone has for Thai, Khmer, Lao and Burmese (the page ships none).
      env: { ...process.env, FONTCONFIG_FILE: phoneFontsConfig(dir) },
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with the code, follows the case, uploads evidence over a dropping line, and shows the QR full screen, offline too, where it verifies', async () => {
    const { context, page } = await newPhone();
    // Under the app's strict CSP (no inline script or style): every violation the page reports is kept.
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${base}/me`);
    expect((await page.request.get(`${base}/me`)).headers()['content-security-policy']).toContain("script-src 'self'");
    await page.fill('#contact', returnee.email);
    await page.click('button[type=submit]');
    // The code screen says where the code went, masked.
    const sentTo = await page.textContent('#sent-to');
    expect(sentTo).toContain(`${returnee.email[0]}•••@example.org`);
    expect(sentTo).not.toContain(returnee.email);
    await page.fill('#code', await codeFor(returnee.email));
    await page.click('button[type=submit]');
    await page.waitForSelector('#app-title');
    expect(await page.textContent('.case .state')).toBe('An assessor is looking at your skills.');
    await page.screenshot({ path: path.join(SHOTS, 'application.png'), fullPage: true });

    // Evidence: the second chunk's connection is cut once; the upload resumes from the server's offset.
    let cut = 0;
    await page.route('**/me/uploads/*', async (route) => {
      if (route.request().method() === 'PATCH' && route.request().headers()['upload-offset'] !== '0' && cut === 0) {
        cut++;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.click('.case a.button');
    await page.waitForSelector('#ev-kind');
    await page.selectOption('#ev-kind', 'pay_slip');
    await page.fill('#ev-title-input', 'Pay slip March');
    await page.setInputFiles('#ev-file', photo);
    await page.click('form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('ev-status')?.textContent === 'Uploaded. Thank you.', undefined, { timeout: 60_000 });
    await page.waitForSelector('#ev-list li');
    expect(cut).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'evidence.png'), fullPage: true });
    const items = (await t.app.inject({ method: 'GET', url: `/cases/${returnee.caseId}/evidence`, headers: returnee.bearer })).json() as Array<{ id: string; title: string }>;
    expect(items.map((i) => i.title)).toEqual(['Pay slip March']);
    const bytes = await t.app.inject({ method: 'GET', url: `/cases/${returnee.caseId}/evidence/${items[0]!.id}/content`, headers: returnee.bearer });
    expect(Buffer.compare(bytes.rawPayload, photoBytes)).toBe(0);

    // Staff take the case on to a certificate; the returnee sees where it stands.
    await t.app.inject({ method: 'POST', url: `/cases/${returnee.caseId}/assessments`, headers: f.assessor, payload: housekeepingAssessment(t.issuer.id, [items[0]!.id]) });
    await f.fire(returnee.caseId, f.assessor, 'decide');
    await page.goto(`${base}/me#/`);
    await page.waitForSelector('.case .deadline');
    expect(await page.textContent('.case .state')).toBe('The assessor has decided. The result is being checked.');
    expect(await page.textContent('.case .deadline')).toMatch(/you can appeal until \d{4}-\d{2}-\d{2}/);
    await page.screenshot({ path: path.join(SHOTS, 'application-decided.png'), fullPage: true });
    await f.fire(returnee.caseId, f.moderator, 'confirm');
    const certified = await f.fire(returnee.caseId, f.officer, 'certify');
    credentialId = certified.body.credentialId as string;
    await page.reload();
    await page.waitForFunction(() => document.querySelector('.case .state')?.textContent === 'Done. Your certificate is ready.');

    await page.click('nav a[href="#/credentials"]');
    await page.waitForSelector('.credential');
    expect(await page.textContent('.credential .status')).toBe('Valid');
    await page.screenshot({ path: path.join(SHOTS, 'credentials.png'), fullPage: true });
    await page.click('.credential a.button');
    await page.waitForSelector('#show-qr');
    expect(await page.textContent('.credential-view dl')).toContain('PQF 2');
    // The demo PQF → AQRF table is provisional: the level says so beside it, as the employer's verifier does.
    expect(await page.textContent('.credential-view dl')).toMatch(/AQRF level\s*2 \(provisional: the country’s AQRF mapping is not yet endorsed\)/);
    await page.screenshot({ path: path.join(SHOTS, 'credential.png'), fullPage: true });
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller, undefined, { timeout: 30_000 });

    await page.click('#show-qr');
    await page.waitForSelector('#qr-image');
    await page.screenshot({ path: path.join(SHOTS, 'qr-fullscreen.png') });
    const data = await trustBundleService(t.services).verifierData();
    const online = await decodeQr(page);
    expect((await verifyQrText(online, data)).verdict).toBe('VALID');

    // No network at all: the page, its script and the QR come from the phone.
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('#qr-image');
    await page.screenshot({ path: path.join(SHOTS, 'qr-offline.png') });
    const offline = await decodeQr(page);
    expect(offline).toBe(online);
    const verdict = await verifyQrText(offline, data);
    expect([verdict.verdict, verdict.summary?.holderName]).toEqual(['VALID', 'Maricel Dela Cruz']);
    expect(violations).toEqual([]);
    await context.setOffline(false);
    await context.close();
  }, 240_000);

  it('on a new phone the certificate is back after sign-in; a share link opens the public verdict page, lists when it was opened, and stops working when revoked or expired', async () => {
    // A new phone: signing in with a code gets the certificate back.
    const { context, page } = await newPhone();
    await signIn(page, returnee.email);
    await page.goto(`${base}/me#/credentials`);
    await page.waitForSelector('.credential');
    expect(await page.textContent('.credential h2')).toBe('Housekeeping NC II');
    await page.goto(`${base}/me#/share?c=${encodeURIComponent(credentialId)}`);
    await page.waitForSelector('input[name=credential]:checked');
    expect(await page.textContent('#share-until-hint')).toBe('This is only for the link. Your certificate keeps its own validity.');
    await page.click('form button[type=submit]');
    const url = await (await page.waitForSelector('#share-url')).inputValue();
    shareToken = url.split('/s/')[1]!;
    await page.screenshot({ path: path.join(SHOTS, 'share-made.png'), fullPage: true });

    const employer = await newPhone();
    await employer.page.goto(`${base}/s/${shareToken}`);
    expect(await employer.page.getAttribute('section.verdict', 'data-verdict')).toBe('VALID');
    expect(await employer.page.textContent('section.verdict .share-verdict')).toBe('VALID');
    expect(await employer.page.textContent('#link-expiry')).toMatch(/This link works until \d{4}-\d{2}-\d{2}/);
    await employer.page.screenshot({ path: path.join(SHOTS, 'share-public.png'), fullPage: true });

    await page.goto(`${base}/me#/privacy`);
    await page.waitForSelector('#opens li');
    await page.screenshot({ path: path.join(SHOTS, 'privacy.png'), fullPage: true });

    await page.goto(`${base}/me#/share`);
    await page.waitForSelector('li[data-state=active] button.revoke');
    expect(await page.textContent('li[data-state=active]')).toContain('Opened 1 times');
    await page.click('li[data-state=active] button.revoke');
    await page.waitForSelector('li[data-state=revoked]');
    const revoked = await employer.page.goto(`${base}/s/${shareToken}`);
    expect(revoked?.status()).toBe(410);
    expect(await employer.page.textContent('h1#share-verdict')).toBe('This link no longer works');
    await employer.page.screenshot({ path: path.join(SHOTS, 'share-gone.png'), fullPage: true });

    // A second link, past the date the returnee chose.
    await page.check('input[name=credential]');
    await page.click('form button[type=submit]');
    goneToken = (await (await page.waitForSelector('#share-url')).inputValue()).split('/s/')[1]!;
    expect((await employer.page.goto(`${base}/s/${goneToken}`))?.status()).toBe(200);
    await t.db.kysely.updateTable('share_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('revoked_at', 'is', null).execute();
    expect((await employer.page.goto(`${base}/s/${goneToken}`))?.status()).toBe(410);
    await employer.context.close();
    await context.close();
  }, 180_000);

  it('axe-core finds no serious or critical violation on any /me page at 360 px and on a desktop (1280 × 800), where nothing is wider than the window', async () => {
    // The pages' CSP rightly refuses injected scripts; this context lets axe in.
    const { context, page } = await newPhone({ bypassCSP: true });
    const check = async (name: string) => ({ name, found: await seriousViolations(page) });
    const results = [];
    await page.goto(`${base}/me`);
    await page.waitForSelector('#contact');
    results.push(await check('sign-in'));
    await signIn(page, returnee.email, 'axe');
    results.push(await check('application'));
    const pages: Array<[string, string, string]> = [
      ['evidence', `#/evidence/${returnee.caseId}`, '#ev-kind'],
      ['credentials', '#/credentials', '.credential'],
      ['credential', `#/credential/${encodeURIComponent(credentialId)}`, '#show-qr'],
      ['qr', `#/qr/${encodeURIComponent(credentialId)}`, '#qr-image'],
      ['share', '#/share', '#share-until'],
      ['privacy', '#/privacy', '#consent-state'],
    ];
    for (const [name, hash, ready] of pages) {
      await page.goto(`${base}/me${hash}`);
      await page.waitForSelector(ready);
      results.push(await check(name));
    }
    // The credential page in Thai, the public page and the page of a link that stopped.
    await page.goto(`${base}/me#/credential/${encodeURIComponent(credentialId)}`);
    await page.waitForSelector('#show-qr');
    await page.selectOption('#lang', 'th');
    await page.waitForFunction(() => document.documentElement.lang === 'th');
    await page.screenshot({ path: path.join(SHOTS, 'credential-th.png'), fullPage: true });
    results.push(await check('credential (th)'));
    await page.goto(`${base}/s/${shareToken}`);
    results.push(await check('share link stopped'));
    await page.goto(`${base}/me#/share`);
    await page.waitForSelector('#share-until');
    await page.check('input[name=credential]');
    await page.click('form button[type=submit]');
    const live = (await (await page.waitForSelector('#share-url')).inputValue()).split('/s/')[1]!;
    await page.goto(`${base}/s/${live}?lang=km`);
    await page.screenshot({ path: path.join(SHOTS, 'share-public-km.png'), fullPage: true });
    results.push(await check('public share page'));
    // The same pages on a desktop window: screenshots to look at, and nothing wider than the window.
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const [name, hash, ready] of [['application', '#/', '#app-title'], ...pages] as Array<[string, string, string]>) {
      await page.goto(`${base}/me${hash}`);
      await page.waitForSelector(ready);
      await page.screenshot({ path: path.join(SHOTS, `desktop-${name}.png`), fullPage: true });
      results.push({ ...(await check(`${name} (desktop)`)), ...((await page.evaluate(() => document.documentElement.scrollWidth)) > 1280 ? { wider: true } : {}) });
    }
    await page.goto(`${base}/s/${live}`);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-share-public.png'), fullPage: true });
    results.push(await check('public share page (desktop)'));
    expect(results.filter((r) => r.found.length || 'wider' in r)).toEqual([]);
    await context.close();
  }, 180_000);

  it('after a name correction the old certificate says it was replaced and links to the new one; a revoked one says why', async () => {
    const reissued = await t.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(credentialId)}/reissue`, headers: f.officer, payload: { holderName: 'Maricel Dela Cruz Santos', note: 'name corrected' } });
    expect(reissued.statusCode).toBe(201);
    const newId = reissued.json().verifiableCredential.id as string;
    const { context, page } = await newPhone();
    await signIn(page, returnee.email);
    await page.goto(`${base}/me#/credentials`);
    await page.waitForSelector('.credential[data-state=replaced]');
    expect(await page.textContent('.credential[data-state=replaced] .status')).toMatch(/^Replaced by a corrected certificate on \d{4}-\d{2}-\d{2}/);
    expect(await page.textContent('.credential[data-state=active] .status')).toBe('Valid');
    await page.screenshot({ path: path.join(SHOTS, 'credentials-replaced.png'), fullPage: true });
    await page.click('.credential[data-state=replaced] a.button');
    await page.click('.status a');
    await page.waitForFunction((id) => decodeURIComponent(location.hash) === `#/credential/${id}`, newId);
    await page.click('#show-qr');
    await page.waitForSelector('#qr-image');
    expect(await page.textContent('.qr-name')).toContain('Maricel Dela Cruz Santos');
    const verdict = await verifyQrText(await decodeQr(page), await trustBundleService(t.services).verifierData());
    expect([verdict.verdict, verdict.summary?.holderName]).toEqual(['VALID', 'Maricel Dela Cruz Santos']);

    const revoked = await t.app.inject({ method: 'POST', url: '/credentials/status', headers: f.officer, payload: { credentialId: newId, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true, reason: 'error', note: 'officer-only note' } });
    expect(revoked.statusCode).toBe(200);
    await page.goto(`${base}/me#/credential/${encodeURIComponent(newId)}`);
    await page.waitForSelector('.status[data-status=revoked]');
    expect(await page.textContent('.status[data-status=revoked]')).toMatch(/^Revoked on \d{4}-\d{2}-\d{2}$/);
    expect(await page.textContent('.why')).toBe('It was issued by mistake.');
    expect(await page.$('#show-qr')).toBeNull();
    expect(await page.content()).not.toContain('officer-only note');
    expect(await page.$('#wallet-title')).toBeNull();
    await page.screenshot({ path: path.join(SHOTS, 'credential-revoked.png'), fullPage: true });

    // A shared phone: the session ran out without a sign-out and someone else signs in; nothing of the first stays.
    const saved = () =>
      page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const open = indexedDB.open('tanda-me');
            open.onsuccess = () => {
              const count = open.result.transaction('credentials').objectStore('credentials').count();
              count.onsuccess = () => resolve(count.result);
            };
          }),
      );
    expect(await saved()).toBeGreaterThan(0);
    await context.clearCookies();
    const neighbour = await f.registerCandidate();
    await signIn(page, neighbour.email);
    await page.waitForFunction(() => localStorage.getItem('tanda-me-user') !== null);
    expect(await saved()).toBe(0);
    await context.close();
  }, 180_000);
});
