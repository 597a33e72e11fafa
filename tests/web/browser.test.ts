import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrPng } from '../../src/certificates/qr-image.js';
import { buildVectorSet, HOLDER, type VectorSet } from '../verifier/fixtures.js';
import { certificatePhoto, deskPhoto, serveVerifier } from './helpers.js';

/*
 * The web verifier in real headless Chromium: served from a test server on 127.0.0.1, then used with the network
 * cut, fed the same vectors as the Node pipeline test. Skipped only when Debian's chromium is absent.
 */
const CHROMIUM = '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present) process.stderr.write(`SKIPPED tests/web/browser.test.ts: ${CHROMIUM} is absent (apt-get install -y chromium; CI installs it)\n`);

let set: VectorSet;
let browser: Browser;
let current: { app: FastifyInstance; url: string };
let stale: { app: FastifyInstance; url: string };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-web-'));

async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as { tandaVerifier?: { ready: Promise<boolean> } }).tandaVerifier?.ready);
  await page.evaluate(() => (globalThis as unknown as { tandaVerifier: { ready: Promise<boolean> } }).tandaVerifier.ready);
}

/** Feeds input, waits for a fresh verdict and returns it with the codes of every failed or warned check. */
async function verdictAfter(page: Page, feed: () => Promise<void>) {
  await page.evaluate(() => {
    document.getElementById('verdict')!.dataset.verdict = '';
  });
  await feed();
  await page.waitForFunction(() => !!document.getElementById('verdict')?.dataset.verdict, undefined, { timeout: 20_000 });
  return page.evaluate(() => ({
    verdict: document.getElementById('verdict')!.dataset.verdict,
    text: document.getElementById('verdict')!.textContent,
    problems: [...document.querySelectorAll<HTMLElement>('#checks li[data-check]:not([data-status=pass])')].map((li) => `${li.dataset.check}:${li.dataset.status}:${li.dataset.code}`),
    reasons: [...document.querySelectorAll<HTMLElement>('#checks li[data-check]:not([data-status=pass])')].map((li) => li.textContent),
    fields: Object.fromEntries([...document.querySelectorAll<HTMLElement>('#facts dd')].map((dd) => [dd.dataset.field, dd.textContent])),
  }));
}

const paste = (page: Page, text: string) => async () => {
  await page.fill('#paste', text);
  await page.click('#paste-form button[type=submit]');
};
const upload = (page: Page, file: string) => () => page.setInputFiles('#photo', file);

describe.skipIf(!present)('web verifier in headless Chromium', () => {
  beforeAll(async () => {
    set = await buildVectorSet();
    current = await serveVerifier(set.bundle);
    stale = await serveVerifier(set.staleBundle);
    const byName = (name: string) => set.vectors.find((v) => v.name === name)!.payload;
    fs.writeFileSync(path.join(dir, 'certificate.jpg'), await certificatePhoto(byName('valid'), HOLDER));
    fs.writeFileSync(path.join(dir, 'desk.jpg'), await deskPhoto(byName('valid'), HOLDER, { dpi: 100, tiltDegrees: 6, frame: 1.6 }));
    for (const name of ['tampered', 'revoked', 'unaccredited issuer']) fs.writeFileSync(path.join(dir, `${name}.png`), await qrPng(byName(name), 6));
    fs.writeFileSync(path.join(dir, 'tampered-bundle.json'), JSON.stringify(set.tamperedBundle));
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await current?.app.close();
    await stale?.app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('works offline after the first visit: a photographed certificate is VALID with its holder and levels; each bad one says why', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${current.url}/verify`);
    await ready(page);
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready) && !!navigator.serviceWorker.controller, undefined, { timeout: 20_000 });

    await context.setOffline(true);
    await page.reload();
    await ready(page);

    const valid = await verdictAfter(page, upload(page, path.join(dir, 'certificate.jpg')));
    expect(valid.verdict).toBe('VALID');
    expect(valid.text).toBe('VALID');
    expect(valid.problems).toEqual([]);
    expect(valid.fields).toMatchObject({ holder: HOLDER, nationalLevel: 'PQF 2', aqrfLevel: '2 (official)' });
    expect(valid.fields.status).toMatch(/^Not revoked as of \d{4}-\d{2}-\d{2}$/);
    expect(await page.textContent('#data-age')).toMatch(/1 days old/);

    const tampered = await verdictAfter(page, upload(page, path.join(dir, 'tampered.png')));
    expect(tampered.verdict).toBe('INVALID');
    expect(tampered.problems).toContain('signature:fail:invalid_signature');
    expect(tampered.reasons.join(' ')).toMatch(/altered or forged/);

    const revoked = await verdictAfter(page, upload(page, path.join(dir, 'revoked.png')));
    expect(revoked.verdict).toBe('INVALID');
    expect(revoked.problems).toEqual(['status:fail:revoked']);
    expect(revoked.reasons[0]).toMatch(/Revoked by the issuer/);

    const unaccredited = await verdictAfter(page, upload(page, path.join(dir, 'unaccredited issuer.png')));
    expect(unaccredited.verdict).toBe('INVALID');
    expect(unaccredited.problems).toContain('issuer_accredited:fail:not_accredited');
    expect(unaccredited.reasons.join(' ')).toMatch(/Unaccredited Training Centre was not accredited for TEST-HSK-NC2/);

    // The reader's language: the same verdict in Filipino.
    await page.selectOption('#lang', 'fil');
    expect(await page.textContent('#verdict')).toBe('HINDI WASTO');

    // A data file changed after signing is refused and the signed data stays in use.
    await page.setInputFiles('#bundle-file', path.join(dir, 'tampered-bundle.json'));
    await page.waitForFunction(() => /Tinanggihan/.test(document.getElementById('notice')!.textContent ?? ''));
    await context.close();
  }, 120_000);

  it('reaches the same verdict as Node for every shared vector', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${current.url}/verify`);
    await ready(page);
    for (const v of set.vectors.filter((x) => x.bundle === 'current')) {
      const got = await verdictAfter(page, paste(page, v.payload));
      expect({ name: v.name, verdict: got.verdict }).toEqual({ name: v.name, verdict: v.verdict });
      if (v.expect) expect(got.problems).toContain(`${v.expect.id}:${v.expect.status}:${v.expect.code}`);
      else expect(got.problems).toEqual([]);
    }
    await context.close();
  }, 120_000);

  it('reads a photo the quick downscaled pass misses (a tilted 100 dpi page in a larger frame) with the thorough pass', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${current.url}/verify`);
    await ready(page);
    const got = await verdictAfter(page, upload(page, path.join(dir, 'desk.jpg')));
    expect(got.verdict).toBe('VALID');
    expect(got.fields.holder).toBe(HOLDER);
    await context.close();
  }, 60_000);

  it('with a stale bundle, says the data is out of date and how old it is', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stale.url}/verify`);
    await ready(page);
    const v = set.vectors.find((x) => x.bundle === 'stale')!;
    const got = await verdictAfter(page, paste(page, v.payload));
    expect(got.verdict).toBe('VALID_WITH_WARNINGS');
    expect(got.problems).toEqual(['freshness:warn:bundle_stale']);
    expect(got.reasons[0]).toMatch(/out of date \(20 days old\)/);
    expect(await page.getAttribute('#data-age', 'data-stale')).toBe('true');
    await context.close();
  }, 60_000);

  it('works from a downloaded single HTML file (file://) with no server', async () => {
    const html = await (await fetch(`${current.url}/verify/offline.html`)).text();
    const file = path.join(dir, 'tanda-verifier.html');
    fs.writeFileSync(file, html);
    const context = await browser.newContext();
    await context.setOffline(true);
    const page = await context.newPage();
    await page.goto(`file://${file}`);
    await ready(page);
    const got = await verdictAfter(page, upload(page, path.join(dir, 'certificate.jpg')));
    expect(got.verdict).toBe('VALID');
    expect(got.fields.holder).toBe(HOLDER);
    await context.close();
  }, 60_000);
});
