import { officerOf } from '../helpers/credentials.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAward } from '../../src/awards/award-service.js';
import { qrPng } from '../../src/certificates/qr-image.js';
import { getQualification } from '../../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { bundledContexts } from '../../src/jsonld/index.js';
import { openTrustBundle } from '../../src/trust/open.js';
import { LANGUAGES, translate, type Language } from '../../src/verifier/i18n/index.js';
import { verifyQrText } from '../../src/verifier/pipeline.js';
import { createVerifierData } from '../../src/verifier/verifier-data.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { buildVectorSet, HOLDER, type VectorSet } from '../verifier/fixtures.js';
import { phoneFontsConfig, serveVerifier } from './helpers.js';

/*
 * The employer's verdict in real headless Chromium, on a 360 × 740 phone and a 1280 × 800 laptop: a forged
 * certificate, the printed verification code online and offline, a certificate PDF, a certificate newer than the
 * verification data, the nine languages, accessibility (axe-core) and keyboard focus on the file pickers.
 * Screenshots go to test-output/web/ (git-ignored) for a person to look at.
 */
const CHROMIUM = '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present) process.stderr.write(`SKIPPED tests/web/verdict.test.ts: ${CHROMIUM} is absent (apt-get install -y chromium; CI installs it)\n`);

const SHOTS = path.resolve('test-output/web');
const SIZES = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'laptop', width: 1280, height: 800 },
] as const;
type Size = (typeof SIZES)[number];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-verdict-'));
let set: VectorSet;
let browser: Browser;
let vectors: Awaited<ReturnType<typeof serveVerifier>>;
let t: TestContext;
let instanceUrl: string;
let issued: { verifyCode: string; holder: string; pdf: string };
const payload = (name: string) => set.vectors.find((v) => v.name === name)!.payload;

async function open(size: Size, url: string, options: { locale?: string; bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: options.locale ?? 'en-US', bypassCSP: options.bypassCSP ?? false });
  const page = await context.newPage();
  await page.goto(`${url}/verify`);
  await page.waitForFunction(() => (globalThis as { tandaVerifier?: { ready: Promise<boolean> } }).tandaVerifier?.ready);
  await page.evaluate(() => (globalThis as unknown as { tandaVerifier: { ready: Promise<boolean> } }).tandaVerifier.ready);
  return { context, page };
}

async function verdictAfter(page: Page, feed: () => Promise<void>, expected?: string): Promise<string> {
  await page.evaluate(() => {
    document.getElementById('verdict')!.dataset.verdict = '';
  });
  await feed();
  await page.waitForFunction((want) => {
    const v = document.getElementById('verdict')?.dataset.verdict;
    return want ? v === want : !!v;
  }, expected, { timeout: 30_000 });
  return (await page.getAttribute('#verdict', 'data-verdict'))!;
}

const paste = (page: Page, text: string) => async () => {
  await page.fill('#paste', text);
  await page.click('#paste-form button[type=submit]');
};

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Bottom edge of an element in the first screen, measured from the top of the page (scrolled to the top). */
async function bottomOf(page: Page, selector: string): Promise<number> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator(selector).boundingBox();
  return box ? box.y + box.height : Infinity;
}

describe.skipIf(!present)('the employer\'s verdict in headless Chromium', () => {
  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    set = await buildVectorSet();
    vectors = await serveVerifier(set.bundle);
    fs.writeFileSync(path.join(dir, 'tampered.png'), await qrPng(payload('tampered'), 6));

    // A real instance: registry, a certificate issued with its printed verification code, its PDF.
    t = await createTestContext();
    await seedRegistry(t.db.kysely, { issuers: [t.issuer.id] });
    const qualification = (await getQualification(t.db.kysely, 'https://tanda.example/qualifications/ph-housekeeping-nc2'))!;
    const holder = 'Rosalinda Aquino Bautista';
    const award = await issueAward(t.services, await officerOf(t), {
      issuerId: t.issuer.id,
      qualificationId: qualification.id,
      achievedUnitIds: qualification.units.filter((u) => u.kind === 'core').map((u) => u.unitId),
      holder: { name: holder },
    });
    const officer = (await t.login('certifying_officer')).headers;
    const res = await t.app.inject({ method: 'GET', url: `/credentials/${encodeURIComponent(String(award.credential.id))}/certificate.pdf`, headers: officer });
    expect(res.statusCode).toBe(200);
    const pdf = path.join(dir, 'certificate.pdf');
    fs.writeFileSync(pdf, res.rawPayload);
    issued = { verifyCode: award.verifyCode, holder, pdf };
    instanceUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      env: { ...process.env, FONTCONFIG_FILE: phoneFontsConfig(dir) },
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await vectors?.app.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe.each(SIZES)('at $width × $height', (size) => {
    it('a tampered certificate: INVALID and its reason on the first screen; nothing it claims shown as fact', async () => {
      const { context, page } = await open(size, vectors.url);
      expect(await verdictAfter(page, () => page.setInputFiles('#photo', path.join(dir, 'tampered.png')))).toBe('INVALID');
      expect(await page.textContent('#verdict')).toBe('INVALID');
      expect(await page.textContent('#reason')).toMatch(/altered or forged/);
      expect(await bottomOf(page, '#reason')).toBeLessThanOrEqual(size.height);
      await shot(page, `tampered-${size.name}`);

      // No fact, no tick: the altered name and the issuer appear only inside the folded, marked claims.
      expect(await page.locator('#facts > *').count()).toBe(0);
      expect(await page.getByText('Someone Else Entirely').isVisible()).toBe(false);
      expect(await page.locator('#claims').isVisible()).toBe(true);
      expect(await page.getAttribute('#claims', 'open')).toBeNull();
      const visibleText = await page.evaluate(() => document.body.innerText);
      expect(visibleText).not.toContain('✓');
      expect(visibleText).not.toMatch(/Not revoked/);

      // Opened, the claims say they are not confirmed; the checks, opened, give no ticks either.
      await page.click('#claims summary');
      await page.click('#checks-box summary');
      expect(await page.getByText('Someone Else Entirely').isVisible()).toBe(true);
      expect(await page.textContent('#claims summary')).toBe('What this certificate claims (not confirmed)');
      expect(await page.locator('#claims [data-field=status]').count()).toBe(0);
      expect(await page.evaluate(() => document.body.innerText)).not.toContain('✓');
      await page.screenshot({ path: path.join(SHOTS, `tampered-opened-${size.name}.png`), fullPage: true });
      await context.close();
    }, 120_000);

    it('the printed verification code: looked up online → VALID; offline, says it needs a connection and offers the camera', async () => {
      const { context, page } = await open(size, instanceUrl);
      // As typed from paper: lower case, a space instead of the dash, O for 0 and I for 1 are read the same.
      const typed = issued.verifyCode.toLowerCase().replace('-', ' ').replace(/0/g, 'o').replace(/1/g, 'i');
      const verdict = await verdictAfter(page, async () => {
        await page.fill('#code', typed);
        await page.click('#code-form button[type=submit]');
      });
      expect(verdict).toBe('VALID');
      expect(await page.textContent('[data-field=holder]')).toBe(issued.holder);
      expect(await bottomOf(page, '#reason')).toBeLessThanOrEqual(size.height);
      await shot(page, `code-online-${size.name}`);

      await page.fill('#code', '2M5RQ-5KE6J');
      await page.click('#code-form button[type=submit]');
      await page.waitForFunction(() => /No certificate has this verification code/.test(document.getElementById('notice')!.textContent ?? ''));

      await context.setOffline(true);
      await page.fill('#code', issued.verifyCode);
      await page.click('#code-form button[type=submit]');
      await page.waitForFunction(() => /needs an internet connection/.test(document.getElementById('notice')!.textContent ?? ''));
      expect(await page.textContent('#notice')).toMatch(/scan the QR code with the camera/);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('scan');
      await page.locator('#notice').scrollIntoViewIfNeeded();
      await shot(page, `code-offline-${size.name}`);
      await context.close();
    }, 120_000);

    it('a certificate PDF is read in the browser (pdf.js) → VALID; the provisional AQRF mapping is a note beside the level', async () => {
      const { context, page } = await open(size, instanceUrl);
      expect(await verdictAfter(page, () => page.setInputFiles('#photo', issued.pdf))).toBe('VALID');
      expect(await page.textContent('#verdict')).toBe('VALID');
      expect(await page.textContent('[data-field=holder]')).toBe(issued.holder);
      expect(await page.textContent('[data-field=aqrfLevel]')).toMatch(/provisional/);
      expect(await page.locator('#checks li[data-status=warn]').count()).toBe(0);
      expect(await page.locator('#checks li[data-status=info][data-code=aqrf_provisional]').count()).toBe(1);
      expect(await bottomOf(page, '#reason')).toBeLessThanOrEqual(size.height);
      await shot(page, `pdf-valid-${size.name}`);
      await page.screenshot({ path: path.join(SHOTS, `pdf-valid-full-${size.name}.png`), fullPage: true });
      await context.close();
    }, 120_000);

    it('a certificate newer than the data: CANNOT CHECK YET with the fix, then VALID once the data refreshes in the background', async () => {
      const server = await serveVerifier(set.bundle);
      try {
        const { context, page } = await open(size, server.url);
        expect(await verdictAfter(page, paste(page, payload('newer than the data')))).toBe('CANNOT_CHECK');
        expect(await page.textContent('#verdict')).toBe('CANNOT CHECK YET');
        expect(await page.textContent('#reason')).toMatch(/newer than your verification data/);
        expect(await page.locator('#action-update').isVisible()).toBe(true);
        expect(await bottomOf(page, '#action-update')).toBeLessThanOrEqual(size.height);
        await shot(page, `newer-than-data-${size.name}`);

        // The registry publishes newer data; the page picks it up by itself when it is (back) online.
        server.setBundle(set.newerBundle);
        await context.setOffline(true);
        await context.setOffline(false);
        await page.waitForFunction(() => document.getElementById('verdict')?.dataset.verdict === 'VALID', undefined, { timeout: 30_000 });
        expect(await page.textContent('#notice')).toMatch(/checked again/);
        expect(await page.textContent('[data-field=holder]')).toBe(HOLDER);
        await shot(page, `newer-than-data-refreshed-${size.name}`);
        await context.close();
      } finally {
        await server.app.close();
      }
    }, 120_000);

    it('axe-core finds no serious or critical violation, before and after a verdict', async () => {
      const axe = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
      // The page's CSP rightly refuses injected scripts; the test context lets axe in.
      const { context, page } = await open(size, vectors.url, { bypassCSP: true });
      await page.addScriptTag({ content: axe });
      const run = () =>
        page.evaluate(async () => {
          const r = await (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run({ resultTypes: ['violations'] });
          return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
        });
      expect(await run()).toEqual([]);
      await verdictAfter(page, paste(page, payload('tampered')), 'INVALID');
      await page.click('#claims summary');
      await page.click('#checks-box summary');
      expect(await run()).toEqual([]);
      await verdictAfter(page, paste(page, payload('valid')), 'VALID');
      await page.click('#checks-box summary');
      expect(await run()).toEqual([]);
      await context.close();
    }, 120_000);

    it('keyboard focus on the file pickers is visible', async () => {
      const { context, page } = await open(size, vectors.url);
      for (const id of ['photo', 'bundle-file']) {
        let reached = false;
        for (let i = 0; i < 30 && !reached; i++) {
          await page.keyboard.press('Tab');
          reached = (await page.evaluate(() => document.activeElement?.id)) === id;
        }
        expect(reached, `#${id} reachable with Tab`).toBe(true);
        const ring = await page.evaluate((inputId) => {
          const label = document.getElementById(inputId)!.closest('label')!;
          const s = getComputedStyle(label);
          return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
        }, id);
        expect(ring.style).toBe('solid');
        expect(ring.width).toBeGreaterThanOrEqual(3);
        const box = (await page.locator(`label:has(#${id})`).boundingBox())!;
        await page.screenshot({ path: path.join(SHOTS, `focus-${id}-${size.name}.png`), clip: { x: Math.max(0, box.x - 10), y: Math.max(0, box.y - 10), width: box.width + 20, height: box.height + 20 } });
      }
      await context.close();
    }, 60_000);
  });

  describe('nine languages', () => {
    const langs = Object.keys(LANGUAGES) as Language[];
    let english: Set<string>;
    const checkLines = (page: Page) =>
      page.evaluate(() => [...document.querySelectorAll('#checks li[data-check]')].map((li) => [...li.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim()));

    beforeAll(async () => {
      // Every English line these vectors can give, from the Node pipeline.
      const contexts = bundledContexts();
      const data = await createVerifierData(await openTrustBundle(set.bundle, { authority: set.authority, contexts }), contexts);
      english = new Set();
      for (const v of set.vectors.filter((x) => x.bundle === 'current')) {
        const verdict = await verifyQrText(v.payload, data);
        for (const c of [verdict.reason, ...verdict.checks]) english.add(translate('en', c.key, c.params));
      }
    });

    it.each(langs)('%s: follows the browser\'s language, every check line in it, none in English', async (lang) => {
      const size = SIZES[0];
      const locale = { en: 'en-US', id: 'id-ID', fil: 'fil-PH', th: 'th-TH', vi: 'vi-VN', km: 'km-KH', lo: 'lo-LA', my: 'my-MM', ms: 'ms-MY' }[lang];
      const { context, page } = await open(size, vectors.url, { locale });
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await page.inputValue('#lang')).toBe(lang);
      for (const name of ['valid', 'revoked', 'newer than the data', 'status list out of date', 'signed through the VC API', 'provisional AQRF level']) {
        const v = set.vectors.find((x) => x.name === name)!;
        await verdictAfter(page, paste(page, v.payload), v.verdict);
        expect(await page.textContent('#verdict')).toBe(translate(lang, `verdict.${v.verdict}`));
        const lines = [...(await checkLines(page)), (await page.textContent('#reason'))!];
        expect(lines.length).toBeGreaterThan(1);
        if (lang === 'en') expect(lines.every((l) => english.has(l))).toBe(true);
        else expect(lines.filter((l) => english.has(l))).toEqual([]);
        if (name === 'revoked') {
          await page.click('#checks-box summary');
          await shot(page, `lang-${lang}-${size.name}`);
          await page.click('#checks-box summary');
        }
      }
      // The reader can change it.
      await page.selectOption('#lang', lang === 'en' ? 'km' : 'en');
      expect(await page.getAttribute('html', 'lang')).toBe(lang === 'en' ? 'km' : 'en');
      await context.close();
    }, 120_000);
  });
});
