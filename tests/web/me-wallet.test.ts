import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrFromFile } from '../../src/cli/qr-decode.js';
import { ME_CATALOGUES } from '../../src/web/me/i18n/index.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { returneeInAssessment } from '../me/fixtures.js';
import { FILES, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { returneeWithAward, routeFetchTo, walletTakesOffer } from '../wallets/wallet-side.js';
import { phoneFontsConfig } from './helpers.js';
import { meDriver, PHONE } from './me-driver.js';

/*
 * The rest of the returnee space in headless Chromium at 360 × 740: the "Add to a wallet app" panel (its POST carries
 * the anti-forgery token, its QR code reads back as the offer, a wallet takes the offer with the code from the
 * outbox), the statistics consent on "My data", and an upload resumed after the page was reloaded.
 * Screenshots go to test-output/me/ (git-ignored) for a person to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present) process.stderr.write(`SKIPPED tests/web/me-wallet.test.ts: ${CHROMIUM} is absent (apt-get install -y chromium; CI installs it)\n`);

const SHOTS = path.resolve('test-output/me');
let t: TestContext;
let f: RplFixture;
let browser: Browser;
let base: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-me-wallet-'));
const { newPhone: phone, signIn } = meDriver({ browser: () => browser, fixture: () => f, base: () => base, shots: SHOTS });


const axeSource = () => fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
async function seriousViolations(page: Page, include?: string): Promise<string[]> {
  await page.addScriptTag({ content: axeSource() });
  return page.evaluate(async (selector) => {
    const axe = (globalThis as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe;
    const r = await axe.run(selector ? { include: [selector] } : document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
  }, include);
}

describe.skipIf(!present)('the returnee space\'s wallet panel, statistics consent and upload resume in headless Chromium at 360 × 740', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    t = await createTestContext();
    f = await rplFixture(t);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], env: { ...process.env, FONTCONFIG_FILE: phoneFontsConfig(dir) } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the wallet panel asks for offers with the CSRF token, shows both offers and where the code went; its QR reads back as the offer, which a wallet takes with the code from the outbox', async () => {
    const r = await returneeWithAward(t, f);
    // The page's own CSP would refuse axe, injected below; the page's scripts are the same either way.
    const { context, page } = await phone({ bypassCSP: true });
    await signIn(page, r.candidate.email);
    const url = `/me/credentials/${encodeURIComponent(r.credentialId)}/wallet-offers`;

    // A cookie-session POST without the token is refused: the page has to send it.
    const bare = await page.request.post(`${base}${url}`);
    expect([bare.status(), (await bare.json()).code]).toEqual([403, 'csrf_failed']);

    await page.goto(`${base}/me#/credential/${encodeURIComponent(r.credentialId)}`);
    await page.waitForSelector('#wallet-title');
    await page.screenshot({ path: path.join(SHOTS, 'wallet-closed.png'), fullPage: true });
    const [request, response] = await Promise.all([
      page.waitForRequest((q) => q.url().endsWith(url) && q.method() === 'POST'),
      page.waitForResponse((q) => q.url().endsWith(url)),
      page.click('#wallet-start'),
    ]);
    expect(response.status()).toBe(201);
    // The transaction code for this offer, before the check below asks for another one.
    await f.deliver();
    const txCode = f.transport.lastCodeFor(r.candidate.email);
    // The token the page sent is this session's: the same POST with it (and only it) added goes through.
    const token = request.headers()['x-csrf-token'];
    expect(token).toMatch(/\S{16,}/);
    expect((await page.request.post(`${base}${url}`, { headers: { 'x-csrf-token': token! } })).status()).toBe(201);
    const offers = (await response.json()) as { oid4vci: { credentialOfferUri: string; txCodeSentTo: string; expiresAt: string }; vcapi: { deepLink: string } };

    await page.waitForSelector('#wallet-offers img.wallet-qr >> nth=1');
    expect(await page.getAttribute('#wallet-oid4vci-open', 'href')).toBe(offers.oid4vci.credentialOfferUri);
    expect(await page.getAttribute('#wallet-vcapi-open', 'href')).toBe(offers.vcapi.deepLink);
    expect(offers.oid4vci.txCodeSentTo).toBe(`${r.candidate.email[0]}***@example.org`);
    expect(await page.textContent('#wallet-pin')).toBe(`Your wallet will ask for a PIN. We sent it to ${offers.oid4vci.txCodeSentTo}.`);
    // The offer lasts minutes: the page gives the time, in the phone's own zone, not only the day.
    const until = new Date(offers.oid4vci.expiresAt);
    const two = (n: number) => String(n).padStart(2, '0');
    expect(await page.textContent('#wallet-oid4vci-until')).toBe(`Use before ${until.getFullYear()}-${two(until.getMonth() + 1)}-${two(until.getDate())} ${two(until.getHours())}:${two(until.getMinutes())}`);
    await page.screenshot({ path: path.join(SHOTS, 'wallet-open.png'), fullPage: true });
    await page.locator('#wallet-offers').screenshot({ path: path.join(SHOTS, 'wallet-panel.png') });

    // Both QR codes, read from the screen, are the offers.
    const read = async (n: number) => qrFromFile(await page.locator('img.wallet-qr').nth(n).screenshot(), 'image/png');
    expect(await read(0)).toBe(offers.oid4vci.credentialOfferUri);
    expect(await read(1)).toBe(offers.vcapi.deepLink);

    // Nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await seriousViolations(page, 'section[aria-labelledby=wallet-title]')).toEqual([]);

    // The panel in each of the nine languages, from its catalogue.
    for (const lang of Object.keys(ME_CATALOGUES)) {
      await page.selectOption('#lang', lang);
      await page.waitForFunction((l: string) => document.documentElement.lang === l, lang);
      const c = ME_CATALOGUES[lang]!;
      expect(await page.textContent('#wallet-title')).toBe(c['wallet.title']);
      expect(await page.textContent('#wallet-oid4vci-open')).toBe(c['wallet.open']);
      expect(await page.textContent('#wallet-pin')).toBe(c['wallet.pin']!.replace('{contact}', offers.oid4vci.txCodeSentTo));
      if (lang === 'my') await page.locator('section[aria-labelledby=wallet-title]').screenshot({ path: path.join(SHOTS, 'wallet-panel-my.png') });
    }

    // A wallet takes the offer shown, with the transaction code the outbox sent.
    const restore = routeFetchTo(t.app, 'https://tanda.test');
    try {
      const received = await walletTakesOffer(String(await read(0)), txCode);
      expect(received).toEqual(r.credential);
      expect((await t.services.credentials.verify(received)).verified).toBe(true);
    } finally {
      restore();
    }
    await context.close();
  }, 180_000);

  it('"My data" shows the statistics consent as not given after registration, and gives and withdraws it (audited, with the CSRF token)', async () => {
    const r = await returneeInAssessment(f);
    const { context, page } = await phone({ bypassCSP: true });
    await signIn(page, r.email);
    await page.goto(`${base}/me#/privacy`);
    await page.waitForSelector('#stats-state');
    expect(await page.getAttribute('#stats-state', 'data-given')).toBe('false');
    expect(await page.textContent('#stats-toggle')).toBe('Count me');
    await page.click('#stats-toggle');
    await page.waitForSelector('#stats-state[data-given=true]');
    expect(await page.textContent('#stats-state')).toMatch(/^You agreed on \d{4}-\d{2}-\d{2} to be counted\.$/);
    await page.screenshot({ path: path.join(SHOTS, 'privacy-statistics.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('#stats-toggle');
    await page.waitForSelector('#stats-state[data-given=false]');
    // The other consent (to the application) is untouched: the case goes on.
    expect(await page.textContent('#consent-state')).toMatch(/^You agreed on/);
    const entries = await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', r.id).where('action', 'like', 'candidate.statistics_consent%').orderBy('seq').execute();
    expect(entries.map((e) => e.action)).toEqual(['candidate.statistics_consent_given', 'candidate.statistics_consent_withdrawn']);
    expect((await t.app.inject({ method: 'GET', url: `/cases/${r.caseId}`, headers: r.bearer })).json().state).toBe('assessment');
    await context.close();
  }, 120_000);

  it('an upload cut off and then left by a reload resumes from the server\'s offset when the same file is picked again', async () => {
    const r = await returneeInAssessment(f);
    const file = path.join(dir, 'contract.jpg');
    const bytes = Buffer.concat([FILES.jpeg(), crypto.randomBytes(700_000)]);
    fs.writeFileSync(file, bytes);
    const { context, page } = await phone();
    await signIn(page, r.email);
    await page.goto(`${base}/me#/evidence/${r.caseId}`);
    await page.waitForSelector('#ev-kind');
    // The line dies after the first chunk: every later chunk fails, and the returnee gives up and reloads.
    await page.route('**/me/uploads/*', (route) => (route.request().method() === 'PATCH' && route.request().headers()['upload-offset'] !== '0' ? route.abort('connectionreset') : route.continue()));
    await page.selectOption('#ev-kind', 'employment_contract');
    await page.setInputFiles('#ev-file', file);
    await page.click('form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('ev-status')?.textContent === 'Connection lost. It will continue when you are back online.', undefined, { timeout: 30_000 });
    const sessions = await t.db.kysely.selectFrom('upload_sessions').select(['id', 'received']).where('case_id', '=', r.caseId).execute();
    expect(sessions.map((s) => Number(s.received))).toEqual([256 * 1024]);
    // Reloaded while the line is still dead (so the old page's retries cannot slip a chunk through), then it is back.
    await page.reload();
    await page.waitForSelector('#ev-kind');
    await page.unroute('**/me/uploads/*');
    const sent: Array<{ method: string; offset: string | undefined }> = [];
    page.on('request', (q) => {
      if (q.url().includes('/me/uploads')) sent.push({ method: q.method(), offset: q.headers()['upload-offset'] });
    });
    await page.setInputFiles('#ev-file', file);
    await page.click('form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('ev-status')?.textContent === 'Uploaded. Thank you.', undefined, { timeout: 60_000 });
    expect(await page.textContent('#ev-resumed')).toBe('This file was partly sent before. Sending the rest.');
    await page.screenshot({ path: path.join(SHOTS, 'evidence-resumed.png'), fullPage: true });
    // No new upload session: the saved one was asked for and continued from where the server stood.
    expect(sent.filter((s) => s.method === 'POST')).toEqual([]);
    expect(sent.find((s) => s.method === 'PATCH')?.offset).toBe(String(256 * 1024));
    const items = (await t.app.inject({ method: 'GET', url: `/cases/${r.caseId}/evidence`, headers: r.bearer })).json() as Array<{ id: string }>;
    expect(items).toHaveLength(1);
    const content = await t.app.inject({ method: 'GET', url: `/cases/${r.caseId}/evidence/${items[0]!.id}/content`, headers: r.bearer });
    expect(Buffer.compare(content.rawPayload, bytes)).toBe(0);
    // Finished: nothing left to resume on the phone.
    expect(await page.evaluate(() => new Promise<number>((resolve) => {
      const open = indexedDB.open('tanda-me');
      open.onsuccess = () => {
        const count = open.result.transaction('uploads').objectStore('uploads').count();
        count.onsuccess = () => resolve(count.result);
      };
    }))).toBe(0);
    await context.close();
  }, 180_000);
});
