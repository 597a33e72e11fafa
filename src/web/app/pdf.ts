import { getDocument, GlobalWorkerOptions } from 'pdfjs-dist/legacy/build/pdf.mjs';

/*
 * A certificate PDF in the browser: pdf.js (bundled at build time, worker served from our origin, no CDN) renders
 * the first page, where our certificates print their QR code as vector art, to a canvas the QR reader scans. Built
 * as its own module (/verify/pdf.mjs) and loaded only when someone picks a PDF, so it stays out of the first download.
 */
GlobalWorkerOptions.workerSrc = '/verify/pdf.worker.mjs';

/** 200 dpi gives a 45 mm QR code about four pixels per module, as the CLI renders it. */
const DPI = 200;

export async function renderFirstPage(bytes: ArrayBuffer): Promise<HTMLCanvasElement> {
  // No eval (strict CSP), no web fonts: glyphs are drawn as paths from the fonts embedded in the PDF.
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false }).promise;
  try {
    const page = await doc.getPage(1);
    const viewport = page.getViewport({ scale: DPI / 72 });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(viewport.width);
    canvas.height = Math.ceil(viewport.height);
    await page.render({ canvas, viewport, background: '#ffffff' }).promise;
    return canvas;
  } finally {
    await doc.destroy();
  }
}
