import { createCanvas, loadImage } from '@napi-rs/canvas';
import jsQRModule from 'jsqr';
import { renderPdfPage, rgbaOf } from '../../src/pdf/rasterise.js';

/**
 * Raster round trip for printed QR codes: render a PDF page with pdf.js (the product's own renderer), find and
 * decode the QR in the pixels with jsQR, and measure where it landed on the page, as a phone camera would see it.
 */

// jsqr is CommonJS with an ES-style default export: under NodeNext the function is `.default`.
const jsQR = jsQRModule.default;

export const MM_PER_INCH = 25.4;

export interface Raster {
  width: number;
  height: number;
  /** RGBA, as jsQR expects. */
  data: Uint8ClampedArray;
  dpi: number;
}

export async function rasterisePage(pdf: Uint8Array, pageIndex = 0, dpi = 200): Promise<Raster> {
  const page = await renderPdfPage(pdf, pageIndex, dpi);
  return { width: page.width, height: page.height, data: rgbaOf(page.canvas), dpi };
}

export interface DecodedQr {
  text: string;
  version: number;
  /** Side of the symbol including its 4-module quiet zone, in mm on the page. */
  sizeMm: number;
  /** Distances from the quiet zone's outer edge to each page edge, in mm. */
  marginsMm: { left: number; top: number; right: number; bottom: number };
  /** Every pixel of the 4-module quiet zone (half a module in from each of its edges) is near white. */
  quietZoneWhite: boolean;
}

/** Decodes the page's QR code; null when none is found. */
export function decodeQr(raster: Raster): DecodedQr | null {
  const found = jsQR(raster.data, raster.width, raster.height, { inversionAttempts: 'dontInvert' });
  if (!found) return null;
  const { topLeftCorner: tl, topRightCorner: tr, bottomLeftCorner: bl } = found.location;
  const modules = 17 + 4 * found.version;
  const modulePx = (Math.hypot(tr.x - tl.x, tr.y - tl.y) + Math.hypot(bl.x - tl.x, bl.y - tl.y)) / 2 / modules;
  const quiet = 4 * modulePx;
  const left = tl.x - quiet;
  const top = tl.y - quiet;
  const side = (modules + 8) * modulePx;
  const toMm = (px: number) => (px / raster.dpi) * MM_PER_INCH;
  return {
    text: found.data,
    version: found.version,
    sizeMm: toMm(side),
    marginsMm: {
      left: toMm(left),
      top: toMm(top),
      right: toMm(raster.width - (left + side)),
      bottom: toMm(raster.height - (top + side)),
    },
    quietZoneWhite: ringIsWhite(raster, left, top, side, quiet),
  };
}

/** Checks the quiet zone, keeping half a module clear of both its edges to allow for measurement error. */
function ringIsWhite(raster: Raster, left: number, top: number, side: number, quiet: number): boolean {
  const slack = quiet / 8;
  const outer = { x0: left + slack, y0: top + slack, x1: left + side - slack, y1: top + side - slack };
  const inner = { x0: left + quiet - slack, y0: top + quiet - slack, x1: left + side - quiet + slack, y1: top + side - quiet + slack };
  for (let y = Math.ceil(outer.y0); y < outer.y1; y++) {
    for (let x = Math.ceil(outer.x0); x < outer.x1; x++) {
      if (x > inner.x0 && x < inner.x1 && y > inner.y0 && y < inner.y1) continue;
      const i = (y * raster.width + x) * 4;
      if (raster.data[i]! < 200 || raster.data[i + 1]! < 200 || raster.data[i + 2]! < 200) return false;
    }
  }
  return true;
}

/** Decodes a PNG (the qr.png route's image) into pixels; dpi is nominal, since an image has no physical size. */
export async function rasteriseImage(png: Uint8Array): Promise<Raster> {
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, image.width, image.height);
  ctx.drawImage(image, 0, 0);
  // Images have no physical size; report them at 72 dpi so one pixel is one point.
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data, dpi: 72 };
}
