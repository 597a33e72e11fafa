import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockRects, frameRect, previewNote, PT_PER_MM, type Rect } from '../../src/certificates/certificate-page.js';
import { renderCertificate } from '../../src/certificates/render.js';
import { loadTemplate } from '../../src/certificates/template.js';
import { PAPERS, SECOND_LANGS, TEMPLATE_IDS, type CertificateView, type Paper, type SecondLang } from '../../src/certificates/view.js';
import { demoLogo, demoSeal, demoSignature } from '../../src/demo/profile-images.js';
import { isTandaError } from '../../src/errors.js';
import { renderPdfPage, rgbaOf } from '../../src/pdf/rasterise.js';
import { sampleView } from './fixtures/views.js';

/*
 * The preview's note ("Not issued, not signed: not a certificate") sits in the band above the certificate's frame:
 * it used to start 3 mm from the top at 11 pt, so its descenders ran over the frame's top line.
 */

const OUT = path.resolve('test-output/certificates');
const DPI = 150;
const px = (mm: number) => (mm * DPI) / 25.4;

const overlaps = (a: Rect, b: Rect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

function previewView(lang: SecondLang, templateId: CertificateView['templateId'], paper: Paper): CertificateView {
  const base = sampleView(lang, { templateId, paper, preview: true });
  return {
    ...base,
    issuer: { ...base.issuer, logo: demoLogo('TB'), seal: demoSeal('#9a3412') },
    signatory: { name: 'Rosanna A. Urdaneta', title: 'Director General', signature: demoSignature(5) },
  };
}

describe('the preview note', () => {
  for (const templateId of TEMPLATE_IDS) {
    for (const paper of PAPERS) {
      it(`${templateId} (${paper}): its line box is on the page, off the edge, and meets neither the frame nor any block`, () => {
        const template = loadTemplate(templateId);
        const layout = template.layouts[paper];
        const { block, rect } = previewNote(template, paper);
        expect(block.lines).toHaveLength(1);
        expect(block.style.size).toBeGreaterThanOrEqual(7);
        expect(rect.top).toBeGreaterThanOrEqual(2 * PT_PER_MM - 1e-6);
        expect(rect.left).toBeGreaterThan(0);
        expect(rect.right).toBeLessThan(layout.page.width * PT_PER_MM);
        const frame = frameRect(layout);
        expect(frame).toBeDefined();
        expect(overlaps(rect, frame!), `note ${JSON.stringify(rect)} frame ${JSON.stringify(frame)}`).toBe(false);
        expect(frame!.top - rect.bottom).toBeGreaterThanOrEqual(PT_PER_MM - 1e-6);
        for (const [i, box] of blockRects(layout).entries()) expect(overlaps(rect, box), layout.blocks[i]!.field).toBe(false);
      });
    }
  }

  it('a template that leaves no room above its frame is refused as invalid_config rather than drawn over the frame', () => {
    const template = loadTemplate('full-qualification');
    const A4 = template.layouts.A4;
    const cramped = { ...template, layouts: { ...template.layouts, A4: { ...A4, frame: { ...A4.frame!, inset: 4 } } } };
    const error = (() => {
      try {
        return previewNote(cramped, 'A4');
      } catch (e) {
        return e;
      }
    })();
    expect(isTandaError(error) && error.code).toBe('invalid_config');
  });

  it.each(SECOND_LANGS)('on the rendered page (English + %s, both templates, A4 and Letter, with logo, seal and signature) nothing but the note is above the frame, with white between them', async (lang) => {
    mkdirSync(OUT, { recursive: true });
    for (const templateId of TEMPLATE_IDS) {
      for (const paper of PAPERS) {
        const label = `${templateId} ${paper}`;
        const page = await renderPdfPage(await renderCertificate(previewView(lang, templateId, paper)), 0, DPI);
        if (lang === 'my') writeFileSync(path.join(OUT, `preview-${templateId}-${paper}-${lang}.png`), await page.canvas.encode('png'));
        const data = rgbaOf(page.canvas);
        const at = (x: number, y: number) => data.subarray((y * page.width + x) * 4, (y * page.width + x) * 4 + 3);
        const white = (x: number, y: number) => at(x, y).every((c) => c > 235);
        // The note's red or a blend of it with white at a glyph's edge, as opposed to the frame's navy.
        const reddish = (x: number, y: number) => {
          const [r, g, b] = at(x, y) as unknown as [number, number, number];
          return r - g > 8 && r - b > 8;
        };

        // The frame's top line, found where the centred note never reaches: 5 mm in from the frame's left side.
        const column = Math.round(px(13));
        let frameTop = 0;
        while (frameTop < px(20) && white(column, frameTop)) frameTop++;
        expect(frameTop, label).toBeLessThan(px(20));

        let noteTop = -1;
        let noteBottom = -1;
        let red = 0;
        const strays: string[] = [];
        for (let y = 0; y < frameTop; y++) {
          for (let x = 0; x < page.width; x++) {
            if (white(x, y)) continue;
            if (!reddish(x, y)) strays.push(`${x},${y}`);
            red++;
            if (noteTop < 0) noteTop = y;
            noteBottom = y;
          }
        }
        expect(strays, `${label}: ink other than the note above the frame`).toEqual([]);
        expect(red, label).toBeGreaterThan(200);
        expect(noteTop, `${label}: note's top, px`).toBeGreaterThan(px(2));
        expect(frameTop - noteBottom, `${label}: white rows between the note and the frame`).toBeGreaterThan(px(0.75));
        // The frame's lines, where the note is centred above them, are not covered by red.
        const covered: string[] = [];
        for (let y = frameTop; y < frameTop + px(2); y++) {
          for (let x = Math.round(page.width * 0.25); x < page.width * 0.75; x++) if (reddish(x, y)) covered.push(`${x},${y}`);
        }
        expect(covered, `${label}: red on the frame`).toEqual([]);
      }
    }
  });
});
