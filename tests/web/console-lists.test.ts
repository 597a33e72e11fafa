import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../../src/auth/tokens.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { caseIn } from './console-cases.js';
import { chromiumPresent, launchChromium, newDevice, overflowsWidth, seriousViolations, SHOTS, signIn, staffAccount, type Device } from './console-driver.js';

/*
 * Long lists in the console, in headless Chromium at 360 px: more moderated cases than a page holds, paged with
 * Previous / Next in the certification queue and in the assessor's My cases, with where the page stands; My cases
 * keeping the latest search when an earlier search's answer arrives after it; and the staff list stepping back when
 * its last page empties. axe-core and no sideways scroll on each page; screenshots lists-*.png.
 */
if (!chromiumPresent) process.stderr.write('SKIPPED tests/web/console-lists.test.ts: /usr/bin/chromium is absent\n');

const CASES = 57; // a page of 50 and a second page of 7
const STAFF_BODY = 'console-staff-body';
let t: TestContext;
let f: RplFixture;
let base: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
const browser = (): Browser => chromium.browser;
let officer: Awaited<ReturnType<typeof staffAccount>>;
let assessor: Awaited<ReturnType<typeof staffAccount>>;
let admin: Awaited<ReturnType<typeof staffAccount>>;
const names = Array.from({ length: CASES }, (_, i) => `Paged ${String(i + 1).padStart(2, '0')}`);

async function look(page: Page, name: string, device: Device): Promise<void> {
  expect(await seriousViolations(page), `${name} (${device})`).toEqual([]);
  if (device === 'phone') expect(await overflowsWidth(page), `${name} overflows at 360 px`).toBe(false);
  await page.screenshot({ path: path.join(SHOTS, `lists-${name}-${device}.png`), fullPage: true });
}

async function open(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForFunction((h) => location.hash === h, hash);
}

const pager = (page: Page) => page.locator('nav.pager [role=status]');

describe.skipIf(!chromiumPresent)('long lists in the console, a page at a time', () => {
  beforeAll(async () => {
    t = await createTestContext();
    f = await rplFixture(t);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    chromium = await launchChromium();
    officer = await staffAccount(t, 'certifying_officer', t.issuer.id, 'Officer Budi');
    assessor = await staffAccount(t, 'assessor', t.issuer.id, 'Assessor Ayu');
    for (const fullName of names) await caseIn(t, 'moderated', (await f.registerCandidate({ fullName })).id, assessor.id);
    admin = await staffAccount(t, 'admin', null, 'Admin Dewi');
    // 51 accounts of one body (they never sign in): a full page and one more.
    await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: STAFF_BODY, name: 'Staff Body', country: 'ID', didMethod: 'key' });
    for (let i = 1; i <= 51; i++) await createUser(t.db.kysely, { name: `Staff ${String(i).padStart(2, '0')}`, email: `staff-${i}@console.example`, role: 'assessor', issuerId: STAFF_BODY });
  }, 180_000);
  afterAll(async () => {
    await chromium?.close();
    await t?.close();
  }, 120_000);

  it('the certification queue shows 50 cases, then the other 7 with Next, says where it stands, and keeps what was ticked on another page', async () => {
    const { context, page } = await newDevice(browser(), 'phone', { bypassCSP: true });
    try {
      await signIn(page, base, officer.email);
      await open(page, '#/certification');
      await expect.poll(() => pager(page).textContent()).toBe(`1–50 of ${CASES}`);
      const rows = page.locator('main table tbody tr');
      expect(await rows.count()).toBe(50);
      expect(await page.isDisabled('nav.pager button:has-text("Previous")')).toBe(true);
      const first = await page.locator('main table tbody tr td a').allTextContents();
      await page.check('main table tbody tr:first-child input[type=checkbox]');
      await look(page, 'certification-page-1', 'phone');

      await page.click('nav.pager button:has-text("Next")');
      await expect.poll(() => pager(page).textContent()).toBe(`51–${CASES} of ${CASES}`);
      expect(await rows.count()).toBe(CASES - 50);
      expect(await page.isDisabled('nav.pager button:has-text("Next")')).toBe(true);
      const second = await page.locator('main table tbody tr td a').allTextContents();
      // Two pages, every case once.
      expect(new Set([...first, ...second]).size).toBe(CASES);
      expect([...first, ...second].sort()).toEqual(names);
      await page.check('main table tbody tr:first-child input[type=checkbox]');
      await expect.poll(() => page.textContent('form.card')).toContain('The cases ticked above (2)');
      await look(page, 'certification-page-2', 'phone');

      await page.click('nav.pager button:has-text("Previous")');
      await expect.poll(() => pager(page).textContent()).toBe(`1–50 of ${CASES}`);
      expect(await page.isChecked('main table tbody tr:first-child input[type=checkbox]')).toBe(true);

      // Where the page stands, in the console's language.
      await page.selectOption('header.top select', 'th');
      await expect.poll(() => pager(page).textContent()).toBe(`1–50 จาก ${CASES}`);
      await look(page, 'certification-page-1-th', 'phone');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('My cases pages the same way, and shows the latest search when an earlier search\'s answer arrives after it', async () => {
    const { context, page } = await newDevice(browser(), 'phone', { bypassCSP: true });
    try {
      await signIn(page, base, assessor.email);
      await expect.poll(() => pager(page).textContent()).toBe(`1–50 of ${CASES}`);
      expect(await page.locator('tr[data-case]').count()).toBe(50);
      await page.click('nav.pager button:has-text("Next")');
      await expect.poll(() => pager(page).textContent()).toBe(`51–${CASES} of ${CASES}`);
      expect(await page.locator('tr[data-case]').count()).toBe(CASES - 50);
      await look(page, 'my-cases-page-2', 'phone');

      // The first search's answer is held back until the second one has been shown.
      const isEarlier = (url: URL) => url.pathname === '/cases' && url.searchParams.get('q') === 'Paged 0';
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(isEarlier, async (route) => {
        await held;
        await route.continue();
      });
      await page.fill('#f-q', 'Paged 0');
      await page.click('form.filters button[type=submit]');
      await page.fill('#f-q', 'Paged 1');
      await page.click('form.filters button[type=submit]');
      const listed = () => page.locator('tr[data-case] td:nth-child(2)').allTextContents();
      await expect.poll(async () => (await listed()).sort()).toEqual(names.slice(9, 19));
      const lateAnswer = page.waitForResponse((r) => isEarlier(new URL(r.url())));
      release();
      await (await lateAnswer).finished();
      // Let the page handle the late answer (parse it, render) before looking again.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      expect((await listed()).sort()).toEqual(names.slice(9, 19));
      expect(await page.inputValue('#f-q')).toBe('Paged 1');
      // A search starts again at the first page; ten cases fit one, so there is nothing to page.
      expect(await page.locator('nav.pager').count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('the staff list pages too, and steps back to the last page there is when its last page empties', async () => {
    const { context, page } = await newDevice(browser(), 'phone', { bypassCSP: true });
    try {
      await signIn(page, base, admin.email);
      await open(page, '#/staff');
      await page.waitForSelector(`#staff-body option[value="${STAFF_BODY}"]`, { state: 'attached' });
      await page.selectOption('#staff-body', STAFF_BODY);
      await expect.poll(() => pager(page).textContent()).toBe('1–50 of 51');
      expect(await page.locator('table.staff tbody tr').count()).toBe(50);
      await page.click('nav.pager button:has-text("Next")');
      await expect.poll(() => pager(page).textContent()).toBe('51–51 of 51');
      expect(await page.textContent('table.staff tbody')).toContain('Staff 51');
      await look(page, 'staff-page-2', 'phone');

      // Deactivating the one account of the last page empties it: the list shows the page before, which now holds all.
      await page.click('button[aria-label="Deactivate: Staff 51"]');
      await expect.poll(() => page.locator('table.staff tbody tr').count()).toBe(50);
      expect(await page.locator('nav.pager').count()).toBe(0);
      expect(await page.textContent('main')).toContain('50 accounts');
      expect(await page.textContent('table.staff tbody')).not.toContain('Staff 51');
    } finally {
      await context.close();
    }
  }, 120_000);
});
