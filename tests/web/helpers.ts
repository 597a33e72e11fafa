import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { renderCertificate } from '../../src/certificates/render.js';
import { securityHeaders } from '../../src/http/app.js';
import { trustRoutes } from '../../src/http/routes/trust.js';
import { webRoutes } from '../../src/http/routes/web.js';
import { bundledContexts } from '../../src/jsonld/index.js';
import { renderPdfPage } from '../../src/pdf/rasterise.js';
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
  await securityHeaders(app);
  await app.register(trustRoutes, { source });
  await app.register(webRoutes, { source });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, setBundle: source.setBundle };
}

/** The printed certificate as a phone would photograph it: the real PDF, rasterised at 150 dpi, JPEG. */
export async function certificatePhoto(payload: string, holderName: string, dpi = 150): Promise<Buffer> {
  const pdf = await renderCertificate(sampleView('fil', { qrPayload: payload, holderName }));
  return (await renderPdfPage(pdf, 0, dpi)).canvas.encode('jpeg', 85);
}

/**
 * The certificate lying on a grey desk, photographed from further off and askew: the page (at `dpi`, turned by
 * `tiltDegrees`) in the top-left of a frame `frame` times its size. The downscaled quick pass of the web verifier
 * misses the QR code in it, so only the thorough pass reads it.
 */
export async function deskPhoto(payload: string, holderName: string, { dpi = 150, tiltDegrees = 6, frame = 1.6 } = {}): Promise<Buffer> {
  const pdf = await renderCertificate(sampleView('fil', { qrPayload: payload, holderName }));
  const page = await renderPdfPage(pdf, 0, dpi);
  const turn = (tiltDegrees * Math.PI) / 180;
  const cos = Math.abs(Math.cos(turn));
  const sin = Math.abs(Math.sin(turn));
  // The turned page's bounding box, placed 40 px in from the frame's top-left corner.
  const boxW = page.width * cos + page.height * sin;
  const boxH = page.width * sin + page.height * cos;
  const { canvas, context } = page.canvasFactory.create(Math.round(boxW * frame), Math.round(boxH * frame));
  context.fillStyle = 'rgb(150,150,150)';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.translate(40 + boxW / 2, 40 + boxH / 2);
  context.rotate(turn);
  context.drawImage(page.canvas as unknown as CanvasImageSource, -page.width / 2, -page.height / 2);
  return canvas.encode('jpeg', 70);
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
