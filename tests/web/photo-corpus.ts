import zlib from 'node:zlib';
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { renderCertificate } from '../../src/certificates/render.js';
import { sampleView } from '../certificates/fixtures/views.js';
import { rasterisePage, type Raster } from '../helpers/raster.js';

/*
 * What employers photograph: a printed certificate rendered from the real PDF, then turned, skewed, blurred,
 * compressed, dimmed, shot whole at phone-upload size and made noisy, saved as PNG/JPEG carrying the DPI tags
 * scanners and phones write (72, 200, 300). Shared by tests/web/photo-corpus.test.ts and `npm run bench verifier`.
 */
export interface PhotoVariant {
  name: string;
  mime: 'image/png' | 'image/jpeg';
  dpiTag: 72 | 200 | 300;
  bytes: Buffer;
}

function toCanvas(r: Raster): Canvas {
  const canvas = createCanvas(r.width, r.height);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(r.width, r.height);
  image.data.set(r.data);
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** A new canvas of the given size on a grey "desk", drawn on by `draw`. */
function onDesk(width: number, height: number, draw: (ctx: SKRSContext2D) => void): Canvas {
  const canvas = createCanvas(Math.round(width), Math.round(height));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#8a8a86';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  draw(ctx);
  return canvas;
}

function rotated(page: Canvas, degrees: number): Canvas {
  const a = (degrees * Math.PI) / 180;
  const w = page.width * Math.abs(Math.cos(a)) + page.height * Math.abs(Math.sin(a));
  const h = page.width * Math.abs(Math.sin(a)) + page.height * Math.abs(Math.cos(a));
  return onDesk(w + 40, h + 40, (ctx) => {
    ctx.translate((w + 40) / 2, (h + 40) / 2);
    ctx.rotate(a);
    ctx.drawImage(page, -page.width / 2, -page.height / 2);
  });
}

/** Keystone as from a phone held below the page: each row narrower towards the top (`shrink` at the top edge). */
function perspective(page: Canvas, shrink: number): Canvas {
  return onDesk(page.width + 40, page.height + 40, (ctx) => {
    for (let y = 0; y < page.height; y += 2) {
      const f = 1 - shrink * (1 - y / page.height);
      const w = page.width * f;
      ctx.drawImage(page, 0, y, page.width, 2, 20 + (page.width - w) / 2, 20 + y, w, 2);
    }
  });
}

function filtered(page: Canvas, filter: string): Canvas {
  const canvas = createCanvas(page.width, page.height);
  const ctx = canvas.getContext('2d');
  ctx.filter = filter;
  ctx.drawImage(page, 0, 0);
  return canvas;
}

function scaled(page: Canvas, longSide: number, margin = 0.06): Canvas {
  const s = longSide / ((1 + 2 * margin) * Math.max(page.width, page.height));
  const w = page.width * s;
  const h = page.height * s;
  return onDesk(w * (1 + 2 * margin), h + 2 * margin * Math.max(w, h), (ctx) => ctx.drawImage(page, w * margin, margin * Math.max(w, h), w, h));
}

/** Gaussian sensor noise (σ in 8-bit levels), deterministic. */
function noisy(page: Canvas, sigma: number): Canvas {
  const canvas = createCanvas(page.width, page.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(page, 0, 0);
  const image = ctx.getImageData(0, 0, page.width, page.height);
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < image.data.length; i += 4) {
    const n = sigma * Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
    for (let c = 0; c < 3; c++) image.data[i + c] = Math.max(0, Math.min(255, image.data[i + c]! + n));
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** Writes the JFIF density (dots per inch) into a JPEG's APP0 segment, adding one if the encoder wrote none. */
export function tagJpegDpi(jpeg: Buffer, dpi: number): Buffer {
  const density = Buffer.from([1, dpi >> 8, dpi & 255, dpi >> 8, dpi & 255]);
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0 && jpeg.toString('latin1', 6, 11) === 'JFIF\0') {
    const out = Buffer.from(jpeg);
    density.copy(out, 13);
    return out;
  }
  const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, 0, 16]), Buffer.from('JFIF\0', 'latin1'), Buffer.from([1, 1]), density, Buffer.from([0, 0])]);
  return Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
}

/** Adds a pHYs chunk (pixels per metre) right after IHDR, replacing any the encoder wrote. */
export function tagPngDpi(png: Buffer, dpi: number): Buffer {
  const chunks: Buffer[] = [png.subarray(0, 8)];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const chunk = png.subarray(at, at + 12 + length);
    if (type !== 'pHYs') chunks.push(chunk);
    if (type === 'IHDR') {
      const ppm = Math.round(dpi / 0.0254);
      const data = Buffer.alloc(9);
      data.writeUInt32BE(ppm, 0);
      data.writeUInt32BE(ppm, 4);
      data[8] = 1;
      const body = Buffer.concat([Buffer.from('pHYs', 'latin1'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(body), 0);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(9, 0);
      chunks.push(Buffer.concat([len, body, crc]));
    }
    at += 12 + length;
  }
  return Buffer.concat(chunks);
}

const jpeg = (c: Canvas, quality: number, dpi: 72 | 200 | 300) => tagJpegDpi(c.toBuffer('image/jpeg', quality), dpi);
const png = (c: Canvas, dpi: 72 | 200 | 300) => tagPngDpi(c.toBuffer('image/png'), dpi);

/** Ten variants of the certificate carrying `payload`. */
export async function photoCorpus(payload: string, holderName: string): Promise<PhotoVariant[]> {
  const pdf = await renderCertificate(sampleView('fil', { qrPayload: payload, holderName }));
  const at300 = toCanvas(await rasterisePage(pdf, 0, 300));
  const at200 = toCanvas(await rasterisePage(pdf, 0, 200));
  const at150 = toCanvas(await rasterisePage(pdf, 0, 150));
  const v = (name: string, mime: PhotoVariant['mime'], dpiTag: PhotoVariant['dpiTag'], bytes: Buffer): PhotoVariant => ({ name, mime, dpiTag, bytes });
  return [
    v('clean scan, 300 dpi PNG', 'image/png', 300, png(at300, 300)),
    v('scan, 200 dpi JPEG', 'image/jpeg', 200, jpeg(at200, 85, 200)),
    v('screenshot, 150 dpi pixels tagged 72 dpi', 'image/png', 72, png(at150, 72)),
    v('photo turned 7°', 'image/jpeg', 72, jpeg(rotated(at200, 7), 85, 72)),
    v('photo in perspective (top 12 % narrower)', 'image/jpeg', 72, jpeg(perspective(at200, 0.12), 85, 72)),
    v('blurred (1.5 px)', 'image/jpeg', 300, jpeg(filtered(at200, 'blur(1.5px)'), 85, 300)),
    v('heavy JPEG (quality 30)', 'image/jpeg', 200, jpeg(at200, 30, 200)),
    v('dim (brightness 45 %, contrast 70 %)', 'image/jpeg', 72, jpeg(filtered(at200, 'brightness(45%) contrast(70%)'), 85, 72)),
    v('whole page at 1200 px', 'image/jpeg', 72, jpeg(scaled(at300, 1200), 85, 72)),
    v('sensor noise (σ 25)', 'image/jpeg', 200, jpeg(noisy(at200, 25), 85, 200)),
  ];
}
