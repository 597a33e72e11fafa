import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as mupdf from 'mupdf';
import Fastify, { type FastifyInstance } from 'fastify';
import { renderCertificate } from '../../src/certificates/render.js';
import { trustRoutes } from '../../src/http/routes/trust.js';
import { webRoutes } from '../../src/http/routes/web.js';
import { bundledContexts } from '../../src/jsonld/index.js';
import type { TrustBundle } from '../../src/trust/bundle.js';
import type { BundleSource } from '../../src/trust/service.js';
import { createVerifierData } from '../../src/verifier/verifier-data.js';
import { sampleView } from '../certificates/fixtures/views.js';

/** Serves a signed bundle (the vectors') through the real trust and web routes; `setBundle` publishes another one. */
export function fixedSource(initial: TrustBundle): BundleSource & { setBundle(b: TrustBundle): void } {
  let published: { bundle: TrustBundle; text: string; etag: string };
  let data: ReturnType<typeof createVerifierData>;
  const setBundle = (bundle: TrustBundle) => {
    const text = JSON.stringify(bundle);
    published = { bundle, text, etag: `"${crypto.createHash('sha256').update(text).digest('base64url')}"` };
    data = createVerifierData(bundle, bundledContexts());
  };
  setBundle(initial);
  return {
    authority: async () => ({ did: initial.authority }),
    current: async () => published,
    verifierData: () => data,
    setBundle,
  };
}

export async function serveVerifier(bundle: TrustBundle): Promise<{ app: FastifyInstance; url: string; setBundle(b: TrustBundle): void }> {
  const app = Fastify();
  const source = fixedSource(bundle);
  await app.register(trustRoutes, { source });
  await app.register(webRoutes, { source });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, setBundle: source.setBundle };
}

/** The printed certificate as a phone would photograph it: the real PDF, rasterised at 150 dpi, JPEG. */
export async function certificatePhoto(payload: string, holderName: string, dpi = 150): Promise<Buffer> {
  const pdf = await renderCertificate(sampleView('fil', { qrPayload: payload, holderName }));
  const page = mupdf.Document.openDocument(pdf, 'application/pdf').loadPage(0);
  const pixmap = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceRGB, false, true);
  return Buffer.from(pixmap.asJPEG(85, false));
}

/**
 * The certificate lying on a grey desk, photographed from further off and askew: the page (at `dpi`, turned by
 * `tiltDegrees`) in the top-left of a frame `frame` times its size. The downscaled quick pass of the web verifier
 * misses the QR code in it, so only the thorough pass reads it.
 */
export async function deskPhoto(payload: string, holderName: string, { dpi = 150, tiltDegrees = 6, frame = 1.6 } = {}): Promise<Buffer> {
  const pdf = await renderCertificate(sampleView('fil', { qrPayload: payload, holderName }));
  const page = mupdf.Document.openDocument(pdf, 'application/pdf').loadPage(0);
  const turned = mupdf.Matrix.concat(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.Matrix.rotate(tiltDegrees));
  const [x0, y0, x1, y1] = mupdf.Rect.transform(page.getBounds(), turned);
  const placed = mupdf.Matrix.concat(turned, mupdf.Matrix.translate(40 - x0, 40 - y0));
  const pixmap = new mupdf.Pixmap(mupdf.ColorSpace.DeviceRGB, [0, 0, Math.round((x1 - x0) * frame), Math.round((y1 - y0) * frame)], false);
  pixmap.clear(150);
  const device = new mupdf.DrawDevice(placed, pixmap);
  page.run(device, mupdf.Matrix.identity);
  device.close();
  return Buffer.from(pixmap.asJPEG(70, false));
}

/**
 * A fontconfig file that adds the Noto fonts an Android phone has (Thai, Khmer, Lao, Myanmar) to this machine's
 * fonts, so Chromium here renders the page's nine languages as a phone would (the page itself ships no fonts).
 * The fonts come from the npm packages the certificate printer uses.
 */
export function phoneFontsConfig(dir: string): string {
  const require = createRequire(import.meta.url);
  const dirs = ['noto-sans', 'noto-sans-thai', 'noto-sans-khmer', 'noto-sans-lao', 'noto-sans-myanmar'].flatMap((p) => {
    const root = path.dirname(require.resolve(`@expo-google-fonts/${p}/package.json`));
    return ['400Regular', '700Bold'].map((w) => path.join(root, w)).filter((d) => fs.existsSync(d));
  });
  const file = path.join(dir, 'fonts.conf');
  fs.writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n${dirs.map((d) => `  <dir>${d}</dir>`).join('\n')}\n  <cachedir>${path.join(dir, 'fontcache')}</cachedir>\n</fontconfig>\n`);
  return file;
}
