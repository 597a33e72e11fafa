import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { CONSOLE_CATALOGUES, CONSOLE_LANGUAGES } from '../../src/web/console/i18n/index.js';
import { chromiumPresent, launchChromium, newDevice, overflowsWidth, seriousViolations, SHOTS, signIn, staffAccount, type Device } from './console-driver.js';

/*
 * The console's frame in headless Chromium: signing in with a wrong and a right password, the navigation the policy
 * gives each role, the language switch, signing out; at 360 px and on a desktop, with axe-core.
 */
if (!chromiumPresent) process.stderr.write('SKIPPED tests/web/console.test.ts: /usr/bin/chromium is absent\n');

let t: TestContext;
let base: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
const browser = (): Browser => chromium.browser;

describe.skipIf(!chromiumPresent)('the staff console frame in headless Chromium', () => {
  beforeAll(async () => {
    t = await createTestContext();
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    chromium = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await t?.close();
  });

  it.each(['phone', 'desktop'] as Device[])('refuses a wrong password, then signs in, switches to Bahasa Indonesia and signs out (%s)', async (device) => {
    const officer = await staffAccount(t, 'certifying_officer');
    const { context, page } = await newDevice(browser(), device, { bypassCSP: true });
    try {
      await page.goto(`${base}/console`);
      await page.fill('#email', officer.email);
      await page.fill('#password', 'wrong');
      await page.click('button[type=submit]');
      await expect.poll(() => page.textContent('[role=alert]')).toBe('Wrong e-mail or password.');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, `frame-signin-${device}.png`) });

      await signIn(page, base, officer.email);
      expect(await page.textContent('header.top')).toContain('Console certifying_officer · Certifying officer');
      expect(await overflowsWidth(page)).toBe(false);
      await page.selectOption('header.top select', 'id');
      await expect.poll(() => page.textContent('header.top button.secondary')).toBe('Keluar');
      expect(await page.getAttribute('html', 'lang')).toBe('id');
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, `frame-home-${device}.png`), fullPage: true });

      await page.click('text=Keluar');
      await page.waitForSelector('#password');
      const after = await page.evaluate(() => fetch('/console/session').then((r) => r.status));
      expect(after).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('opens in the browser\'s language, and in each of the nine every navigation entry and the sign-out come from that language\'s catalogue, nothing wider than a phone', async () => {
    const admin = await staffAccount(t, 'admin');
    const { context, page } = await newDevice(browser(), 'phone', { bypassCSP: true, locale: 'km-KH' });
    try {
      await page.goto(`${base}/console`);
      await expect.poll(() => page.textContent('button[type=submit]')).toBe(CONSOLE_CATALOGUES.km!['signin.submit']);
      expect(await page.getAttribute('html', 'lang')).toBe('km');

      await signIn(page, base, admin.email);
      await page.selectOption('header.top select', 'en');
      await expect.poll(() => page.textContent('header.top button.secondary')).toBe('Sign out');
      const en = CONSOLE_CATALOGUES.en as Record<string, string>;
      const navKeys = (await page.$$eval('nav.side a', (links) => links.map((a) => a.textContent ?? ''))).map((text) => Object.keys(en).find((k) => k.includes('.nav.') && en[k] === text));
      expect(navKeys.length).toBeGreaterThanOrEqual(4);
      expect(navKeys.filter((k) => !k)).toEqual([]);

      for (const lang of CONSOLE_LANGUAGES) {
        const catalogue = CONSOLE_CATALOGUES[lang] as Record<string, string>;
        await page.selectOption('header.top select', lang);
        await expect.poll(() => page.textContent('header.top button.secondary')).toBe(catalogue['session.signOut']);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(await page.$$eval('nav.side a', (links) => links.map((a) => a.textContent))).toEqual(navKeys.map((k) => catalogue[k!]));
        expect(await overflowsWidth(page)).toBe(false);
        await page.screenshot({ path: path.join(SHOTS, `frame-home-${lang}-phone.png`), fullPage: true });
      }
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('tells staff of no certifying body that the console has nothing for them', async () => {
    const { context, page } = await newDevice(browser(), 'phone');
    try {
      const none = await staffAccount(t, 'assessor', null);
      await page.goto(`${base}/console`);
      await page.fill('#email', none.email);
      await page.fill('#password', 'a long enough console secret');
      await page.click('button[type=submit]');
      await expect.poll(() => page.textContent('[role=alert]')).toBe('This account cannot use the staff console.');
    } finally {
      await context.close();
    }
  });
});
