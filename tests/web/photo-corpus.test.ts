import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrFromFile } from '../../src/cli/qr-decode.js';
import { buildVectorSet, HOLDER } from '../verifier/fixtures.js';
import { serveVerifier } from './helpers.js';
import { photoCorpus, type PhotoVariant } from './photo-corpus.js';

/*
 * The photo corpus (tests/web/photo-corpus.ts: ten photographs and scans of one printed certificate) read by the web
 * verifier in Chromium and by the CLI's decoder. Goal: at least 9 of 10 each; `npm run bench verifier` prints the
 * shares. The variants are written to test-output/corpus/ to be looked at.
 */
const CHROMIUM = '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);

let corpus: PhotoVariant[];
let payload: string;
let set: Awaited<ReturnType<typeof buildVectorSet>>;

beforeAll(async () => {
  set = await buildVectorSet();
  payload = set.vectors.find((v) => v.name === 'valid')!.payload;
  corpus = await photoCorpus(payload, HOLDER);
  const out = path.resolve('test-output/corpus');
  fs.mkdirSync(out, { recursive: true });
  corpus.forEach((v, i) => fs.writeFileSync(path.join(out, `${i}-${v.name.replace(/[^a-z0-9]+/gi, '-')}.${v.mime === 'image/png' ? 'png' : 'jpg'}`), v.bytes));
}, 120_000);

describe('the photo corpus', () => {
  it('has ten variants with DPI tags 72, 200 and 300 in PNG and JPEG', () => {
    expect(corpus).toHaveLength(10);
    expect(new Set(corpus.map((v) => v.dpiTag))).toEqual(new Set([72, 200, 300]));
    expect(new Set(corpus.map((v) => v.mime))).toEqual(new Set(['image/png', 'image/jpeg']));
  });

  it('the CLI decoder reads at least 9 of 10', async () => {
    const missed: string[] = [];
    for (const v of corpus) if ((await qrFromFile(v.bytes, v.mime).catch(() => undefined)) !== payload) missed.push(`${v.name} (tagged ${v.dpiTag} dpi)`);
    expect(missed.length, `missed: ${missed.join('; ')}`).toBeLessThanOrEqual(1);
  }, 120_000);

  describe.skipIf(!present)('in Chromium', () => {
    let browser: Browser;
    let server: Awaited<ReturnType<typeof serveVerifier>>;
    beforeAll(async () => {
      server = await serveVerifier(set.bundle);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await server?.app.close();
    });

    it('the web verifier reaches VALID for at least 9 of 10', async () => {
      const page = await browser.newPage();
      await page.goto(`${server.url}/verify`);
      await page.waitForFunction(() => (globalThis as { tandaVerifier?: unknown }).tandaVerifier);
      const verdicts = await page.evaluate(async (files) => {
        const api = (globalThis as unknown as { tandaVerifier: { ready: Promise<boolean>; decodeImageFile(b: Blob): Promise<string | undefined>; verifyText(t: string): Promise<{ verdict: string }> } }).tandaVerifier;
        await api.ready;
        const out: string[] = [];
        for (const f of files) {
          const blob = new Blob([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], { type: f.mime });
          const text = await api.decodeImageFile(blob).catch(() => undefined);
          out.push(text ? (await api.verifyText(text)).verdict : 'NO_QR');
        }
        return out;
      }, corpus.map((v) => ({ mime: v.mime, base64: v.bytes.toString('base64') })));
      const missed = corpus.filter((_, i) => verdicts[i] !== 'VALID').map((v, i) => `${v.name}: ${verdicts[i]}`);
      expect(missed.length, `missed: ${missed.join('; ')}`).toBeLessThanOrEqual(1);
      await page.close();
    }, 120_000);
  });
});
