import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestContext, type TestContext } from '../helpers/app.js';
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
