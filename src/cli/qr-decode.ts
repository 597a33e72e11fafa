import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as mupdf from 'mupdf';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

/**
 * QR text from a PDF (first page) or an image file, in Node: MuPDF (WASM, npm) renders or decodes the pixels,
 * zxing-wasm reads the code — the same decoder the browser falls back to, with its .wasm read from node_modules
 * instead of the CDN it defaults to.
 */
let prepared = false;
function prepare(): void {
  if (prepared) return;
  prepared = true;
  const wasm = fs.readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
  prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer } });
}

function rgba(pixmap: mupdf.Pixmap): { data: Uint8ClampedArray; width: number; height: number } {
  const width = pixmap.getWidth();
  const height = pixmap.getHeight();
  const n = pixmap.getNumberOfComponents() + (pixmap.getAlpha() ? 1 : 0);
  const stride = pixmap.getStride();
  const src = pixmap.getPixels();
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = y * stride + x * n;
      const to = (y * width + x) * 4;
      const gray = n < 3;
      data[to] = src[from]!;
      data[to + 1] = gray ? src[from]! : src[from + 1]!;
      data[to + 2] = gray ? src[from]! : src[from + 2]!;
      data[to + 3] = 255;
    }
  }
  return { data, width, height };
}

export async function qrFromFile(bytes: Uint8Array, mime: string): Promise<string | undefined> {
  prepare();
  const doc = mupdf.Document.openDocument(bytes, mime);
  const page = doc.loadPage(0);
  // A PDF page is vector: 200 dpi gives a 45 mm QR code ~4 px per module. An image is read at its own size.
  const scale = mime === 'application/pdf' ? 200 / 72 : 1;
  const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true);
  // zxing-wasm reads any {data, width, height} as ImageData (duck-typed); Node has no ImageData class.
  const results = await readBarcodes(rgba(pixmap) as unknown as ImageData, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
  return results.find((r) => r.isValid && r.text)?.text;
}
