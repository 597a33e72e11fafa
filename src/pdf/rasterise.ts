import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * One PDF page as pixels, in Node: pdf.js (Apache-2.0) lays the page out and draws it on a canvas from its own
 * canvas factory (@napi-rs/canvas, MIT; pdf.js pins its own copy, and only canvases from that copy can share
 * paths and images with its drawing code). Used by `tanda verify <pdf>` and by the tests that read printed
 * certificates back.
 */
const require = createRequire(import.meta.url);
const PDFJS_ROOT = path.dirname(require.resolve('pdfjs-dist/package.json'));
// pdf.js fetches the 14 standard fonts and CMaps by URL; in Node a file URL into its own package.
const standardFontDataUrl = `${pathToFileURL(path.join(PDFJS_ROOT, 'standard_fonts')).href}/`;
const cMapUrl = `${pathToFileURL(path.join(PDFJS_ROOT, 'cmaps')).href}/`;

/** The part of a canvas (pdf.js's @napi-rs/canvas) the callers use. */
export interface NodeCanvas {
  width: number;
  height: number;
  getContext(type: '2d'): CanvasRenderingContext2D;
  encode(format: 'png' | 'jpeg', quality?: number): Promise<Buffer>;
}

export interface CanvasFactory {
  create(width: number, height: number): { canvas: NodeCanvas; context: CanvasRenderingContext2D };
}

export interface PdfPageImage {
  canvas: NodeCanvas;
  width: number;
  height: number;
  /** Page size in PDF points (1/72 inch). */
  widthPt: number;
  heightPt: number;
  /** Makes more canvases that can draw this one (e.g. onto a larger frame). */
  canvasFactory: CanvasFactory;
}

async function open<T>(pdf: Uint8Array, use: (doc: PDFDocumentProxy) => Promise<T>): Promise<T> {
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl, cMapUrl, isEvalSupported: false, verbosity: 0 }).promise;
  try {
    return await use(doc);
  } finally {
    await doc.destroy();
  }
}

export const pdfPageCount = (pdf: Uint8Array): Promise<number> => open(pdf, async (doc) => doc.numPages);

/** Renders page `pageIndex` (0-based) at `dpi` on white. */
export function renderPdfPage(pdf: Uint8Array, pageIndex = 0, dpi = 200): Promise<PdfPageImage> {
  return open(pdf, async (doc) => {
    const page = await doc.getPage(pageIndex + 1);
    const viewport = page.getViewport({ scale: dpi / 72 });
    const canvasFactory = doc.canvasFactory as CanvasFactory;
    const { canvas, context } = canvasFactory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: context, viewport }).promise;
    const [x0, y0, x1, y1] = page.view;
    return { canvas, width: canvas.width, height: canvas.height, widthPt: x1! - x0!, heightPt: y1! - y0!, canvasFactory };
  });
}

/** RGBA pixels of a canvas, as jsQR and zxing-wasm read them. */
export function rgbaOf(canvas: NodeCanvas): Uint8ClampedArray {
  return canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
}
