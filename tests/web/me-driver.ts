import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RplFixture } from '../rpl/fixtures.js';

/** The returnee's phone: 360 × 740, touch, at twice the pixels. */
export const PHONE = { width: 360, height: 740 };

/**
 * What every browser test of /me does the returnee's way: a fresh phone, the code from the outbox, signing in.
 * Getters, because the browser, fixture and base URL are made in each file's beforeAll.
 */
export function meDriver(deps: { browser: () => Browser; fixture: () => RplFixture; base: () => string; shots: string }) {
  async function newPhone(options: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await deps.browser().newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, ...options });
    return { context, page: await context.newPage() };
  }

  /** The code the returnee receives, once the outbox worker has handled the request the page made. */
  async function codeFor(email: string): Promise<string> {
    const f = deps.fixture();
    for (let i = 0; i < 100; i++) {
      await f.deliver();
      try {
        return f.transport.lastCodeFor(email);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`no code reached ${email}`);
  }

  /** Signs in on /me with a code; with `shot`, screenshots of the contact and code screens. */
  async function signIn(page: Page, email: string, shot?: string): Promise<void> {
    const f = deps.fixture();
    const before = f.transport.messages.length;
    await page.goto(`${deps.base()}/me`);
    await page.fill('#contact', email);
    if (shot) await page.screenshot({ path: path.join(deps.shots, `${shot}-signin.png`) });
    await page.click('button[type=submit]');
    await page.waitForSelector('#code');
    while (f.transport.messages.length === before) await codeFor(email);
    const code = await codeFor(email);
    await page.fill('#code', code);
    if (shot) await page.screenshot({ path: path.join(deps.shots, `${shot}-code.png`) });
    await page.click('button[type=submit]');
    await page.waitForSelector('#app-title');
  }

  return { newPhone, codeFor, signIn };
}
