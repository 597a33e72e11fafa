import { describe, expect, it } from 'vitest';
import { qrMatrix, qrPng, qrSvg } from '../../src/certificates/qr-image.js';
import { renderCertificate } from '../../src/certificates/render.js';
import { PAPERS, TEMPLATE_IDS } from '../../src/certificates/view.js';
import { decodeQr, rasteriseImage, rasterisePage } from '../helpers/raster.js';
import { samplePayload, sampleView } from './fixtures/views.js';

describe('printed QR code', () => {
  for (const templateId of TEMPLATE_IDS) {
    for (const paper of PAPERS) {
      it(`${templateId} on ${paper}: decodes from a 200 dpi raster to the payload, 40–50 mm with a white quiet zone, ≥ 10 mm from the edges`, async () => {
        const view = sampleView('th', { templateId, paper, qrPayload: samplePayload(630, templateId.length + paper.length) });
        const qr = decodeQr(await rasterisePage(await renderCertificate(view), 0, 200));
        expect(qr).not.toBeNull();
        expect(qr!.text).toBe(view.qrPayload);
        expect(qr!.version).toBe(qrMatrix(view.qrPayload).version);
        expect(qr!.sizeMm).toBeGreaterThanOrEqual(40);
        expect(qr!.sizeMm).toBeLessThanOrEqual(50);
        for (const margin of Object.values(qr!.marginsMm)) expect(margin).toBeGreaterThanOrEqual(10);
        expect(qr!.quietZoneWhite).toBe(true);
      });
    }
  }

  it('still decodes the largest payload 12 units need (version 18) from a 150 dpi raster', async () => {
    const view = sampleView('my', { qrPayload: samplePayload(760, 3) });
    expect(qrMatrix(view.qrPayload).version).toBe(18);
    const qr = decodeQr(await rasterisePage(await renderCertificate(view), 0, 150));
    expect(qr?.text).toBe(view.qrPayload);
  });
});

describe('qrMatrix', () => {
  it('encodes the payload as one alphanumeric segment at ECC M', () => {
    // 630 alphanumeric characters need version 16 at ECC M (qr-budget: 656 fit); bytes would need version 21.
    expect(qrMatrix(samplePayload(630)).version).toBe(16);
    expect(qrMatrix(samplePayload(657)).version).toBe(17);
  });
});

describe('qrPng / qrSvg', () => {
  const payload = samplePayload(400, 11);

  it('PNG decodes to the payload and keeps a 4-module quiet zone', async () => {
    const scale = 6;
    const raster = await rasteriseImage(await qrPng(payload, scale));
    const modules = qrMatrix(payload).size;
    expect(raster.width).toBe((modules + 8) * scale);
    const qr = decodeQr(raster);
    expect(qr?.text).toBe(payload);
    expect(qr?.quietZoneWhite).toBe(true);
  });

  it('SVG draws exactly the QR modules inside a 4-module quiet zone, and decodes to the payload', () => {
    const svg = qrSvg(payload);
    const matrix = qrMatrix(payload);
    const side = matrix.size + 8;
    expect(svg).toContain(`viewBox="0 0 ${side} ${side}"`);
    // Rasterise the SVG's path (horizontal runs, one module high) at 4 pixels a module.
    const scale = 4;
    const dark = Array.from({ length: side }, () => new Array<boolean>(side).fill(false));
    for (const [, x, y, length] of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
      for (let i = 0; i < Number(length); i++) dark[Number(y)]![Number(x) + i] = true;
    }
    for (let row = 0; row < side; row++) {
      for (let col = 0; col < side; col++) {
        const inSymbol = row >= 4 && col >= 4 && row < side - 4 && col < side - 4;
        expect(dark[row]![col]).toBe(inSymbol && matrix.isDark(row - 4, col - 4));
      }
    }
    const data = new Uint8ClampedArray(side * scale * side * scale * 4);
    for (let y = 0; y < side * scale; y++) {
      for (let x = 0; x < side * scale; x++) {
        const value = dark[Math.floor(y / scale)]![Math.floor(x / scale)] ? 0 : 255;
        data.set([value, value, value, 255], (y * side * scale + x) * 4);
      }
    }
    expect(decodeQr({ width: side * scale, height: side * scale, data, dpi: 72 })?.text).toBe(payload);
  });
});
