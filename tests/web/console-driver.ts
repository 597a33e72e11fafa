import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createStaffUser } from '../../src/rpl/staff.js';
import type { TestContext } from '../helpers/app.js';
import { phoneFontsConfig } from './helpers.js';

/*
 * What every browser test of the staff console does: a Chromium, a device (a 360 px phone or a 1280 × 800 desktop),
 * a staff account with a password, signing in through the page, axe-core. Screenshots go to test-output/console/.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumPresent = fs.existsSync(CHROMIUM);
export const SHOTS = path.resolve('test-output/console');
export const DEVICES = {
  phone: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 800 } },
} as const;
export type Device = keyof typeof DEVICES;
export const STAFF_PASSWORD = 'a long enough console secret';

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-console-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    env: { ...process.env, FONTCONFIG_FILE: phoneFontsConfig(dir) },
  });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A staff account that signs in with a password (the fixtures' accounts have API tokens only). */
export async function staffAccount(t: TestContext, role: 'admin' | 'certifying_officer' | 'assessor' | 'moderator' | 'counsellor', issuerId: string | null = t.issuer.id, name = `Console ${role}`) {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@console.example`;
  const user = await createStaffUser(t.db.kysely, { name, email, role, issuerId, password: STAFF_PASSWORD });
  return { ...user, email };
}

/** A fresh device; `bypassCSP` lets axe-core's script in. */
export async function newDevice(browser: Browser, device: Device, options: { bypassCSP?: boolean; locale?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...DEVICES[device], ...options });
  return { context, page: await context.newPage() };
}

/** Signs in through the console's form and waits for the navigation. */
export async function signIn(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/console`);
  await page.fill('#email', email);
  await page.fill('#password', STAFF_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('nav.side');
}

/** axe-core's serious and critical violations on the page as it stands (the context must bypass the CSP). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') });
  return page.evaluate(async () => {
    const r = await (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe.run({ resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
  });
}

/** Nothing wider than the window (no sideways scrolling at 360 px). */
export async function overflowsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}
