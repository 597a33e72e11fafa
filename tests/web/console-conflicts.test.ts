import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createOfflineDay } from '../../src/console/offline-day.js';
import { syncEvents, type SyncEvent } from '../../src/console/sync.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { CONSOLE_CATALOGUES } from '../../src/web/console/i18n/index.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { HOUSEKEEPING, HOUSEKEEPING_UNITS, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { chromiumPresent, launchChromium, newDevice, overflowsWidth, seriousViolations, SHOTS, signIn, staffAccount, type Device } from './console-driver.js';

/*
 * The conflict review of offline assessment days as a certifying officer uses it, in headless Chromium against the
 * real server: the conflicts an assessor of the body sent, each with who recorded what on the device beside what the
 * server held, closed by the officer (who may discard, not apply: the judgement would be recorded as the assessor's);
 * an officer of another body sees none of them. axe-core and the 360 px layout; screenshots conflicts-*.png.
 */
if (!chromiumPresent) process.stderr.write('SKIPPED tests/web/console-conflicts.test.ts: /usr/bin/chromium is absent\n');

const OTHER_BODY = 'console-conflicts-other-body';
let t: TestContext;
let f: RplFixture;
let base: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
const browser = (): Browser => chromium.browser;
type Staff = Awaited<ReturnType<typeof staffAccount>>;
let assessor: Staff;
let colleague: Staff;
let officer: Staff;
let otherOfficer: Staff;

const today = () => new Date().toISOString().slice(0, 10);

/** A case of a new returnee, in assessment with the console's assessor. */
async function caseInAssessment(fullName: string): Promise<string> {
  const c = await f.registerCandidate({ fullName });
  const id = (await t.app.inject({ method: 'POST', url: '/cases', headers: f.counsellor, payload: { qualificationId: HOUSEKEEPING, issuerId: t.issuer.id, candidateId: c.id } })).json().id as string;
  for (const [event, extra] of [['submit', {}], ['start_screening', {}], ['accept', { assessorId: assessor.id }]] as const) {
    const r = await f.fire(id, f.counsellor, event, extra);
    if (r.statusCode !== 200) throw new Error(`${event}: ${JSON.stringify(r.body)}`);
  }
  return id;
}

/**
 * Two conflicts of the assessor's offline day: the first unit of `judged` was recorded under a colleague's name
 * meanwhile (a cohort import of the day's paper forms does that), and `withdrawn` was withdrawn.
 */
async function conflicts(judgedName: string, withdrawnName: string): Promise<{ judged: string; withdrawn: string }> {
  const judged = await caseInAssessment(judgedName);
  const withdrawn = await caseInAssessment(withdrawnName);
  const actor = { id: assessor.id, role: 'assessor', issuerId: t.issuer.id } as const;
  const day = await createOfflineDay(t.services.rpl, actor, { caseIds: [judged, withdrawn] });
  const version = (id: string) => day.cases.find((c) => c.id === id)!.version;
  const unitId = HOUSEKEEPING_UNITS[0]!;
  await t.db.kysely
    .insertInto('unit_assessments')
    .values({ case_id: judged, round: 1, unit_id: unitId, assessor_id: colleague.id, methods: '["portfolio_review"]', evidence_ids: '[]', quality: '{"valid":true,"authentic":true,"current":true,"sufficient":true}', decision: 'competent', notes: 'Paper form of the day', centre_id: null, country: 'HK', assessed_on: today(), updated_at: new Date().toISOString() })
    .execute();
  expect((await f.fire(withdrawn, f.counsellor, 'withdraw')).statusCode).toBe(200);
  const event = (caseId: string, notes: string): SyncEvent => ({
    id: crypto.randomUUID(), caseId, baseVersion: version(caseId), recordedAt: new Date().toISOString(), type: 'unit_decision', assessedOn: today(), country: 'HK',
    unit: { unitId, methods: ['observation', 'interview'], evidenceIds: [], quality: { valid: true, authentic: true, current: true, sufficient: false }, decision: 'not_yet_competent', notes },
  });
  const sent = await syncEvents(t.services.rpl, actor, [event(judged, 'Towels folded unevenly'), event(withdrawn, 'Did not finish the room')]);
  expect(sent.results.map((r) => r.status === 'conflict' && r.reason)).toEqual(['unit_judged_by_other', 'case_changed']);
  return { judged, withdrawn };
}

async function look(page: Page, name: string, device: Device): Promise<void> {
  expect(await seriousViolations(page), `${name} (${device})`).toEqual([]);
  if (device === 'phone') expect(await overflowsWidth(page), `${name} overflows at 360 px`).toBe(false);
  await page.screenshot({ path: path.join(SHOTS, `conflicts-${name}-${device}.png`), fullPage: true });
}

describe.skipIf(!chromiumPresent)('the conflict review for a certifying officer in headless Chromium', () => {
  beforeAll(async () => {
    t = await createTestContext();
    f = await rplFixture(t);
    await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER_BODY, name: 'Other Body', country: 'ID', didMethod: 'key' });
    assessor = await staffAccount(t, 'assessor', t.issuer.id, 'Ayu Lestari');
    colleague = await staffAccount(t, 'assessor', t.issuer.id, 'Budi Santoso');
    officer = await staffAccount(t, 'certifying_officer', t.issuer.id, 'Officer Rahmawati');
    otherOfficer = await staffAccount(t, 'certifying_officer', OTHER_BODY, 'Officer Elsewhere');
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    chromium = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await t?.close();
  });

  it.each(['phone', 'desktop'] as Device[])('an officer sees what the body\'s assessor recorded against what the server held, and discards it with a note; another body\'s officer sees nothing (%s)', async (device) => {
    const names = device === 'phone' ? ['Maricel Dela Cruz', 'Jocelyn Ramos'] : ['Siti Rahmawati', 'Dewi Kartika'];
    const { judged, withdrawn } = await conflicts(names[0]!, names[1]!);

    const elsewhere = await newDevice(browser(), device, { bypassCSP: true });
    try {
      await signIn(elsewhere.page, base, otherOfficer.email);
      // The screen is theirs too (their own body's conflicts), and it holds none of this body's.
      await elsewhere.page.click('nav.side >> text=Conflicts to review');
      await expect.poll(() => elsewhere.page.textContent('main')).toContain('No conflicts to review.');
      expect(await elsewhere.page.locator('[data-conflict]').count()).toBe(0);
      // An empty list because there is none, not because the server refused the list.
      expect(await elsewhere.page.locator('main [role=alert]').count()).toBe(0);
      for (const name of [...names, 'Ayu Lestari']) expect(await elsewhere.page.textContent('body')).not.toContain(name);
      expect(await elsewhere.page.locator('header.top .field-conflicts').count()).toBe(0);
      await look(elsewhere.page, 'other-body', device);
    } finally {
      await elsewhere.context.close();
    }

    const { context, page } = await newDevice(browser(), device, { bypassCSP: true });
    try {
      await signIn(page, base, officer.email);
      await expect.poll(() => page.textContent('header.top .field-conflicts')).toMatch(/^Conflicts: [0-9]+$/);
      await page.click('nav.side >> text=Conflicts to review');
      const card = (caseId: string) => page.locator(`[data-conflict][data-case="${caseId}"]`);
      await card(judged).waitFor();
      await card(withdrawn).waitFor();

      // Which case and assessor, and the device's judgement beside the server's, with who made the server's.
      const text = await card(judged).textContent();
      for (const s of [names[0], 'Ayu Lestari', 'Someone else judged this unit meanwhile.', 'Not Yet Competent', 'Observation, Interview', 'Valid, Authentic, Current', 'Towels folded unevenly', 'Judged by Budi Santoso on', 'Competent', 'Portfolio review', 'Paper form of the day']) expect(text).toContain(s);
      expect(await card(judged).locator('[data-side=device]').textContent()).toContain('Towels folded unevenly');
      expect(await card(judged).locator('[data-side=server]').textContent()).toContain('Paper form of the day');
      expect(await card(withdrawn).locator('[data-side=server]').textContent()).toContain('Withdrawn');
      // Applying would record the judgement as the assessor's: the officer is offered discard only.
      expect(await page.locator('[data-conflict] button:has-text("Apply")').count()).toBe(0);
      expect(await card(judged).textContent()).toContain('Only the assessor can apply this entry');
      await look(page, 'officer', device);

      const conflictId = (await card(judged).getAttribute('data-conflict'))!;
      await card(judged).getByLabel('Note on your answer (optional)').fill('Paper form stands; device entry duplicated it');
      await card(judged).locator('button:has-text("Discard")').click();
      await expect.poll(() => page.textContent('[role=status].ok')).toContain('The entry was discarded.');
      await expect.poll(() => card(judged).count()).toBe(0);
      expect(await card(withdrawn).count()).toBe(1);
      await look(page, 'officer-resolved', device);

      if (device === 'phone') {
        // The longer wording of the other languages still fits the phone, beside the card that is left.
        for (const lang of ['id', 'fil', 'th', 'vi', 'km', 'lo', 'my', 'ms']) {
          await page.selectOption('header.top select', lang);
          await expect.poll(() => page.textContent('main h1')).toBe(CONSOLE_CATALOGUES[lang]!['field.conflicts.title']);
          expect(await overflowsWidth(page), `${lang} overflows at 360 px`).toBe(false);
          if (lang === 'my') await page.screenshot({ path: path.join(SHOTS, 'conflicts-officer-my-phone.png'), fullPage: true });
        }
        await page.selectOption('header.top select', 'en');
        await expect.poll(() => page.textContent('main h1')).toBe('Conflicts to review');
      }

      const row = await t.db.kysely.selectFrom('sync_conflicts').select(['resolution', 'resolved_by', 'resolution_note']).where('id', '=', conflictId).executeTakeFirstOrThrow();
      expect(row).toEqual({ resolution: 'discarded', resolved_by: officer.id, resolution_note: 'Paper form stands; device entry duplicated it' });
      // The server's judgement stands: discarding changed nothing of the case.
      const unit = await t.db.kysely.selectFrom('unit_assessments').select(['assessor_id', 'decision']).where('case_id', '=', judged).execute();
      expect(unit).toEqual([{ assessor_id: colleague.id, decision: 'competent' }]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
