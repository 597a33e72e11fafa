import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { chromium } from 'playwright-core';
import { bundledContexts, nodeDocumentLoader } from '../src/jsonld/index.js';
import type { Qualification } from '../src/frameworks/types.js';
import type { TrustBundle } from '../src/trust/bundle.js';
import { openTrustBundle } from '../src/trust/open.js';
import { signTrustBundle } from '../src/trust/sign.js';
import { verifyQrText } from '../src/verifier/pipeline.js';
import { createVerifierData } from '../src/verifier/verifier-data.js';
import { buildWebAssets } from '../src/web/build.js';
import { verifierPage } from '../src/web/page.js';
import { buildVectorSet, HOLDER, keyFromSeed } from '../tests/verifier/fixtures.js';
import { certificatePhoto, deskPhoto, serveVerifier } from '../tests/web/helpers.js';
import { photoCorpus } from '../tests/web/photo-corpus.js';
import { qrFromFile } from '../src/cli/qr-decode.js';
import { percentiles } from './measure.js';
import { allMethodWordings } from '../src/awards/evidence-wording.js';

const RUNS = 200;
const WORDS = 'clean prepare room guest serve food safety hygiene install wire repair weld cook bake care elderly child drive operate machine maintain record stock handle cargo paint build measure inspect assist patient communicate customer report'.split(' ');
const phrase = (i: number, n = 6) => Array.from({ length: n }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(' ');

/**
 * The vectors' bundle grown to 1,000 certifying bodies (each with a key, an accreditation and a status list) and
 * 5,000 qualifications of 8 units from a shared pool, with one CBOR-LD type table per qualification, re-signed by
 * the same authority. Filler status lists copy a real signed list under their own URL: same size, never verified
 * (a list's signature is checked only when a credential points at it).
 */
async function scaledBundle(base: TrustBundle): Promise<TrustBundle> {
  const b = structuredClone(base) as TrustBundle;
  const { proof: _proof, ...unsigned } = b;
  const template = b.statusLists[0]!;
  for (let i = b.registry.issuers.length; i < 1000; i++) {
    const key = await Ed25519Multikey.generate();
    const did = `did:key:${key.publicKeyMultibase}`;
    const id = `body-${i}`;
    unsigned.registry.issuers.push({
      id,
      name: `Certifying body ${i} ${phrase(i, 2)}`,
      country: ['PH', 'ID', 'TH', 'VN', 'KH', 'LA', 'MM', 'MY'][i % 8]!,
      did,
      url: null,
      verificationMethods: [{ id: `${did}#${key.publicKeyMultibase}`, publicKeyMultibase: key.publicKeyMultibase, status: 'current', createdAt: '2025-01-01T00:00:00.000Z', retiredAt: null }],
    });
    unsigned.registry.accreditations.push({ id: `acc-${i}`, issuerId: id, country: 'PH', frameworkId: 'ph-pqf', qualificationIds: [], sectors: [`Sector ${i % 40}`], validFrom: '2025-01-01T00:00:00.000Z', validUntil: '2030-01-01T00:00:00.000Z', accreditedBy: 'Bench', reference: null });
    unsigned.statusLists.push({ ...template, url: `https://tanda.test/status/${id}`, credential: { ...template.credential, id: `https://tanda.test/status/${id}`, issuer: did } });
  }
  const model = b.registry.qualifications[0]!;
  // As the registry publishes them (awards/type-tables.ts): every method wording, and the places of a body's centres.
  const methodWordings = allMethodWordings();
  const places = ['RPL', 'RPL, PH', 'RPL, Hong Kong, HK', 'RPL, HK', 'RPL, Dubai, AE', 'RPL, AE'];
  const table = b.typeTables[0]!;
  for (let i = b.registry.qualifications.length; i < 5000; i++) {
    const units = Array.from({ length: 8 }, (_, k) => {
      const u = (i * 3 + k * 997) % 8000;
      return { unitId: `https://tanda.example/units/U${u}`, code: `U${u}`, titles: { en: phrase(u), fil: `${phrase(u)} (fil)` }, kind: 'core' as const };
    });
    const q: Qualification = { ...model, id: `https://tanda.example/qualifications/q-${i}`, code: `Q-${i}`, titles: { en: `Qualification ${i} ${phrase(i, 3)}` }, sector: `Sector ${i % 40}`, units };
    unsigned.registry.qualifications.push(q);
    unsigned.typeTables.push({
      registryEntryId: 101 + i,
      source: { ...table.source, urls: [...table.source.urls.slice(0, 3), q.id], anyUris: [...table.source.anyUris.slice(0, 2), ...units.map((u) => u.unitId)], strings: [...table.source.strings.slice(0, 16), q.titles.en!, ...units.map((u) => u.titles.en), ...methodWordings, ...places] },
    });
  }
  const authority = await keyFromSeed(51);
  return signTrustBundle(unsigned, authority.signer, nodeDocumentLoader());
}

const gzip = (data: string | Buffer) => zlib.gzipSync(data, { level: 9 }).length;

export async function benchVerifier(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const set = await buildVectorSet();
  const bundle = await scaledBundle(set.bundle);
  const text = JSON.stringify(bundle);
  out['verifier.bundle_issuers'] = bundle.registry.issuers.length;
  out['verifier.bundle_qualifications'] = bundle.registry.qualifications.length;
  out['verifier.bundle_kb_raw'] = text.length / 1024;
  out['verifier.bundle_kb_gzip'] = gzip(text) / 1024;

  const contexts = bundledContexts();
  const t0 = performance.now();
  const opened = await openTrustBundle(text, { authority: set.authority, contexts });
  out['verifier.bundle_open_ms_node'] = performance.now() - t0;
  const data = await createVerifierData(opened, contexts);
  const payload = set.vectors.find((v) => v.name === 'valid')!.payload;
  if ((await verifyQrText(payload, data)).verdict !== 'VALID') throw new Error('bench vector is not VALID at scale');
  for (let i = 0; i < 20; i++) await verifyQrText(payload, data);
  const node = await percentiles(() => verifyQrText(payload, data), RUNS);
  out['verifier.qr_to_verdict_ms_node_median'] = node.median;
  out['verifier.qr_to_verdict_ms_node_p95'] = node.p95;

  const assets = await buildWebAssets(fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-bench-web-')));
  const page = verifierPage({ authority: set.authority });
  out['verifier.first_download_kb_gzip'] =
    (gzip(page) + gzip(fs.readFileSync(path.join(assets.dir, 'app.js'))) + gzip(fs.readFileSync(path.join(assets.dir, 'sw.js'))) + gzip(fs.readFileSync(path.join(assets.dir, 'zxing_reader.wasm')))) / 1024;
  out['verifier.app_js_kb_gzip'] = gzip(fs.readFileSync(path.join(assets.dir, 'app.js'))) / 1024;
  // The page uses the phone's system fonts (Noto on Android covers all nine languages): no web fonts to download.
  out['verifier.fonts_kb_gzip'] = 0;
  fs.rmSync(assets.dir, { recursive: true, force: true });

  // The photo corpus (tests/web/photo-corpus.ts): how many of its ten variants each verifier gets to VALID.
  const corpus = await photoCorpus(payload, HOLDER);
  let cliVerified = 0;
  for (const v of corpus) {
    const text = await qrFromFile(v.bytes, v.mime).catch(() => undefined);
    const ok = !!text && (await verifyQrText(text, data)).verdict === 'VALID';
    if (ok) cliVerified++;
    process.stdout.write(`  corpus, CLI: ${ok ? 'VALID ' : 'missed'}  ${v.name} (${v.mime}, tagged ${v.dpiTag} dpi)\n`);
  }
  out['verifier.corpus_cli_verified_of_10'] = cliVerified;

  if (!fs.existsSync('/usr/bin/chromium')) return out;
  const server = await serveVerifier(bundle);
  const photoBase64 = (await certificatePhoto(payload, HOLDER)).toString('base64');
  // A photo the quick downscaled pass misses, so the figure shows what the thorough fallback costs.
  const deskBase64 = (await deskPhoto(payload, HOLDER, { dpi: 100, tiltDegrees: 6, frame: 1.6 })).toString('base64');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const tab = await browser.newPage();
    await tab.goto(`${server.url}/verify`);
    await tab.evaluate(() => (globalThis as unknown as { tandaVerifier: { ready: Promise<boolean> } }).tandaVerifier.ready);
    // tsx keeps function names with an `__name` helper that the page does not have.
    await tab.evaluate('globalThis.__name = (f) => f');
    const corpusVerdicts = await tab.evaluate(async (files) => {
      const api = (globalThis as unknown as { tandaVerifier: { decodeImageFile(b: Blob): Promise<string | undefined>; verifyText(t: string): Promise<{ verdict: string }> } }).tandaVerifier;
      const verdicts: string[] = [];
      for (const f of files) {
        const blob = new Blob([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], { type: f.mime });
        const text = await api.decodeImageFile(blob).catch(() => undefined);
        verdicts.push(text ? (await api.verifyText(text)).verdict : 'NO_QR');
      }
      return verdicts;
    }, corpus.map((v) => ({ mime: v.mime, base64: v.bytes.toString('base64') })));
    corpus.forEach((v, i) => process.stdout.write(`  corpus, web: ${corpusVerdicts[i] === 'VALID' ? 'VALID ' : 'missed'}  ${v.name}\n`));
    out['verifier.corpus_web_verified_of_10'] = corpusVerdicts.filter((v) => v === 'VALID').length;
    const figures = await tab.evaluate(
      async ({ payload, runs, photoBase64, deskBase64 }) => {
        const api = (globalThis as unknown as { tandaVerifier: { verifyText(t: string): Promise<{ verdict: string }>; decodeImageFile(b: Blob): Promise<string | undefined> } }).tandaVerifier;
        const stats = (times: number[]) => {
          times.sort((a, b) => a - b);
          return { median: times[Math.floor(times.length / 2)]!, p95: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]! };
        };
        const first0 = performance.now();
        if ((await api.verifyText(payload)).verdict !== 'VALID') throw new Error('not VALID in the browser');
        const first = performance.now() - first0;
        for (let i = 0; i < 20; i++) await api.verifyText(payload);
        const text: number[] = [];
        for (let i = 0; i < runs; i++) {
          const s = performance.now();
          await api.verifyText(payload);
          text.push(performance.now() - s);
        }
        const photoToVerdict = async (base64: string, n: number) => {
          const blob = new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type: 'image/jpeg' });
          const times: number[] = [];
          for (let i = 0; i < n; i++) {
            const s = performance.now();
            const qr = await api.decodeImageFile(blob);
            if (!qr || (await api.verifyText(qr)).verdict !== 'VALID') throw new Error('photo did not verify');
            times.push(performance.now() - s);
          }
          return stats(times);
        };
        return { first, text: stats(text), photo: await photoToVerdict(photoBase64, runs), desk: await photoToVerdict(deskBase64, runs / 4) };
      },
      { payload, runs: RUNS, photoBase64, deskBase64 },
    );
    out['verifier.qr_to_verdict_ms_chromium_first'] = figures.first;
    out['verifier.qr_to_verdict_ms_chromium_median'] = figures.text.median;
    out['verifier.qr_to_verdict_ms_chromium_p95'] = figures.text.p95;
    out['verifier.photo_to_verdict_ms_chromium_median'] = figures.photo.median;
    out['verifier.photo_to_verdict_ms_chromium_p95'] = figures.photo.p95;
    out['verifier.photo_thorough_pass_to_verdict_ms_chromium_median'] = figures.desk.median;
    out['verifier.photo_thorough_pass_to_verdict_ms_chromium_p95'] = figures.desk.p95;
  } finally {
    await browser.close();
    await server.app.close();
  }
  return out;
}
