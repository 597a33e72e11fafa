import crypto from 'node:crypto';
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

/** Serves a fixed signed bundle (the vectors') through the real trust and web routes. */
export function fixedSource(bundle: TrustBundle): BundleSource {
  const text = JSON.stringify(bundle);
  const data = createVerifierData(bundle, bundledContexts());
  return {
    authority: async () => ({ did: bundle.authority }),
    current: async () => ({ bundle, text, etag: `"${crypto.createHash('sha256').update(text).digest('base64url')}"` }),
    verifierData: () => data,
  };
}

export async function serveVerifier(bundle: TrustBundle): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  const source = fixedSource(bundle);
  await securityHeaders(app);
  await app.register(trustRoutes, { source });
  await app.register(webRoutes, { source });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
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
