import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCertificate } from '../../src/certificates/render.js';
import { qrFromFile } from '../../src/cli/qr-decode.js';
import { renderPdfPage } from '../../src/pdf/rasterise.js';
import { sampleView } from '../certificates/fixtures/views.js';

/*
 * `tanda verify <image>` reads pixels, never the image's DPI tag: the same scan tagged 72, 200 or 300 dpi (PNG pHYs,
 * JPEG JFIF density, written here byte by byte) gives the same QR text.
 */

const DPIS = [72, 200, 300] as const;

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(zlib.crc32(body), 8 + data.length);
  return out;
}

/** The PNG with one pHYs chunk saying `dpi` (pixels per metre, unit 1), right after IHDR; any other pHYs dropped. */
export function pngWithDpi(png: Buffer, dpi: number): Buffer {
  const parts: Buffer[] = [png.subarray(0, 8)];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const whole = png.subarray(at, at + 12 + length);
    if (type !== 'pHYs') parts.push(whole);
    if (type === 'IHDR') {
      const phys = Buffer.alloc(9);
      const ppm = Math.round(dpi / 0.0254);
      phys.writeUInt32BE(ppm, 0);
      phys.writeUInt32BE(ppm, 4);
      phys[8] = 1;
      parts.push(chunk('pHYs', phys));
    }
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

/** The JPEG with a JFIF APP0 segment saying `dpi` (density unit 1) right after SOI, replacing any there was. */
export function jpegWithDpi(jpeg: Buffer, dpi: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0', 'latin1'), 1, 1, 1, dpi >> 8, dpi & 0xff, dpi >> 8, dpi & 0xff, 0, 0]);
  const hasApp0 = jpeg[2] === 0xff && jpeg[3] === 0xe0;
  const rest = hasApp0 ? jpeg.subarray(4 + jpeg.readUInt16BE(4)) : jpeg.subarray(2);
  return Buffer.concat([jpeg.subarray(0, 2), app0, rest]);
}

const readPngDpi = (png: Buffer) => {
  const at = png.indexOf('pHYs');
  return Math.round(png.readUInt32BE(at + 4) * 0.0254);
};

describe('QR decoding of images ignores the DPI tag', () => {
  let payload: string;
  let scan: { png: Buffer; jpeg: Buffer };
  beforeAll(async () => {
    const view = sampleView('fil');
    payload = view.qrPayload;
    // A clean 300-dpi scan of the whole printed page.
    const page = await renderPdfPage(await renderCertificate(view), 0, 300);
    scan = { png: await page.canvas.encode('png'), jpeg: await page.canvas.encode('jpeg', 92) };
  }, 60_000);

  for (const dpi of DPIS) {
    it(`reads the 300-dpi scan tagged ${dpi} dpi, as PNG and as JPEG`, async () => {
      const png = pngWithDpi(scan.png, dpi);
      expect(readPngDpi(png)).toBe(dpi);
      const jpeg = jpegWithDpi(scan.jpeg, dpi);
      expect([jpeg.toString('latin1', 6, 11), jpeg[13], jpeg.readUInt16BE(14)]).toEqual(['JFIF\0', 1, dpi]);
      expect(await qrFromFile(png, 'image/png')).toBe(payload);
      expect(await qrFromFile(jpeg, 'image/jpeg')).toBe(payload);
    }, 60_000);
  }

  it('reads the certificate PDF itself (rendered by pdf.js)', async () => {
    const view = sampleView('th');
    expect(await qrFromFile(await renderCertificate(view), 'application/pdf')).toBe(view.qrPayload);
  }, 60_000);
});
