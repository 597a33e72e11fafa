import fs from 'node:fs';
import { createRequire } from 'node:module';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { renderPdfPage, rgbaOf } from '../pdf/rasterise.js';

/**
 * QR text from a PDF (first page) or an image file, in Node: pdf.js renders a PDF page, @napi-rs/canvas decodes an
 * image, zxing-wasm reads the code — the same decoder the browser falls back to, with its .wasm read from
 * node_modules instead of the CDN it defaults to.
 */
let prepared = false;
function prepare(): void {
  if (prepared) return;
  prepared = true;
  const wasm = fs.readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
  prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer } });
}

/**
 * An image's own pixels, one for one. Its DPI tag (PNG pHYs, JPEG JFIF density, EXIF resolution) is metadata about
 * a print size nobody measured and is ignored: a 300-dpi scan and the same pixels tagged 72 dpi read the same.
 */
export async function imagePixels(bytes: Uint8Array): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const image = await loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  // Transparent pixels read as paper, not as black.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, image.width, image.height);
  ctx.drawImage(image, 0, 0);
  return { data: ctx.getImageData(0, 0, image.width, image.height).data, width: image.width, height: image.height };
}

export async function qrFromFile(bytes: Uint8Array, mime: string): Promise<string | undefined> {
  prepare();
  // A PDF page is vector: 200 dpi gives a 45 mm QR code ~4 px per module.
  const pixels = mime === 'application/pdf'
    ? await renderPdfPage(bytes, 0, 200).then((page) => ({ data: rgbaOf(page.canvas), width: page.width, height: page.height }))
    : await imagePixels(bytes);
  // zxing-wasm reads any {data, width, height} as ImageData (duck-typed); Node has no ImageData class.
  const results = await readBarcodes(pixels as unknown as ImageData, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
  return results.find((r) => r.isValid && r.text)?.text;
}
