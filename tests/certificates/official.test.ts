import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { renderCertificate } from '../../src/certificates/render.js';
import { loadTemplate } from '../../src/certificates/template.js';
import { SECOND_LANGS, TEMPLATE_IDS, type CertificateView, type Paper, type SecondLang } from '../../src/certificates/view.js';
import { demoLogo, demoSeal, demoSignature } from '../../src/demo/profile-images.js';
import { actualTextSpans, tagging } from '../helpers/pdf-inspect.js';
import { rasterisePage, type Raster } from '../helpers/raster.js';
import { sampleView } from './fixtures/views.js';

/**
 * Issue 13 (a certificate that looks official), on real PDFs in every national language beside English, both
 * templates: the body's logo, seal, signatory and signature are printed; identifiers are never broken inside; the
 * two level values sit at the same height although one label wraps; a statement of attainment fills its page.
 */

const CERTIFICATE_NUMBER = 'F3A1C2D4-5B6E-4F70-8A9B-0C1D2E3F4A5B';
const VERIFY_CODE = '2M5RQ-5KE6J';
const SIGNATORY = { name: 'Rosanna A. Urdaneta', title: 'Director General' };

function officialView(lang: SecondLang, templateId: CertificateView['templateId'], paper: Paper = 'A4', units = 3): CertificateView {
  const base = sampleView(lang, { templateId, paper, certificateNumber: CERTIFICATE_NUMBER, verifyCode: VERIFY_CODE });
  return {
    ...base,
    units: templateId === 'statement-of-attainment' ? base.units.slice(0, units) : base.units,
    issuer: { ...base.issuer, logo: demoLogo('TB'), seal: demoSeal('#9a3412') },
    signatory: { ...SIGNATORY, signature: demoSignature(5) },
  };
}

interface Placed {
  str: string;
  x: number;
  /** Baseline, points from the page bottom. */
  y: number;
}

/** Every text item pdf.js reads from page 1, with its position. */
async function placedText(pdf: Buffer): Promise<Placed[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, useSystemFonts: false }).promise;
  try {
    const content = await (await doc.getPage(1)).getTextContent();
    return (content.items as Array<{ str?: string; transform?: number[] }>)
      .filter((i) => typeof i.str === 'string' && i.str.trim() !== '')
      .map((i) => ({ str: i.str!, x: i.transform![4]!, y: i.transform![5]! }));
  } finally {
    await doc.destroy();
  }
}

/** Share of the box (mm) whose pixels are not near white. */
function inked(raster: Raster, box: { x: number; y: number; w: number; h: number }): number {
  const px = raster.dpi / 25.4;
  let dark = 0;
  let all = 0;
  for (let y = Math.ceil(box.y * px); y < (box.y + box.h) * px; y++) {
    for (let x = Math.ceil(box.x * px); x < (box.x + box.w) * px; x++) {
      const i = (y * raster.width + x) * 4;
      all++;
      if (raster.data[i]! < 200 || raster.data[i + 1]! < 200 || raster.data[i + 2]! < 200) dark++;
    }
  }
  return dark / all;
}

/** Longest run of blank pixel rows between the first and the last printed row inside the frame, as a page share. */
function largestEmptyBand(raster: Raster): number {
  const px = raster.dpi / 25.4;
  const inset = Math.ceil(12 * px);
  let first = -1;
  let run = 0;
  let largest = 0;
  for (let y = inset; y < raster.height - inset; y++) {
    let blank = true;
    for (let x = inset; x < raster.width - inset && blank; x++) {
      const i = (y * raster.width + x) * 4;
      if (raster.data[i]! < 235 || raster.data[i + 1]! < 235 || raster.data[i + 2]! < 235) blank = false;
    }
    if (!blank) {
      if (first >= 0) largest = Math.max(largest, run);
      first = first < 0 ? y : first;
      run = 0;
    } else run++;
  }
  return largest / raster.height;
}

describe('an official-looking certificate', () => {
  for (const templateId of TEMPLATE_IDS) {
    for (const lang of SECOND_LANGS) {
      it(`${templateId}, English + ${lang}: logo, seal, signature and signatory; identifiers whole; level values level`, async () => {
        const view = officialView(lang, templateId);
        const pdf = await renderCertificate(view);

        // The body's images are tagged figures, and there is ink where the template puts them.
        const alts = tagging(pdf).figureAlts;
        expect(alts).toEqual(expect.arrayContaining([`Logo of ${view.issuer.name}`, `Seal of ${view.issuer.name}`]));
        expect(alts.some((a) => a.startsWith(`Signature of ${SIGNATORY.name}, ${SIGNATORY.title}`))).toBe(true);
        const raster = rasterisePage(pdf, 0, 60);
        const boxes = Object.fromEntries(
          loadTemplate(templateId).layouts.A4.blocks.filter((b) => ['logo', 'seal', 'signature'].includes(b.field)).map((b) => [b.field, b.box as { x: number; y: number; w: number; h: number }]),
        );
        for (const slot of ['logo', 'seal', 'signature']) expect(inked(raster, boxes[slot]!), slot).toBeGreaterThan(0.03);

        // Each identifier is one marked span, i.e. drawn on one line; the signatory's name and title are printed.
        const spans = actualTextSpans(pdf).map((s) => s.text);
        for (const identifier of [CERTIFICATE_NUMBER, VERIFY_CODE, 'https://tanda.example.org/verify', view.qualification.code, ...view.units.map((u) => u.code)]) {
          expect(spans, identifier).toContain(identifier);
        }
        expect(spans).toEqual(expect.arrayContaining([SIGNATORY.name, SIGNATORY.title]));

        // The national and AQRF level values share a baseline, whichever label wraps.
        const text = await placedText(pdf);
        const national = text.find((t) => t.str.startsWith(`${view.nationalLevel.framework} ${view.nationalLevel.level}`));
        const aqrf = text.find((t) => t.str === `AQRF ${view.aqrfLevel!.level}`);
        expect(national && aqrf, JSON.stringify(text.filter((t) => /\d/.test(t.str)).slice(0, 12))).toBeTruthy();
        expect(Math.abs(national!.y - aqrf!.y)).toBeLessThan(0.5);
      });
    }
  }

  it.each(SECOND_LANGS)('a statement of attainment with one to three units fills its page (%s, A4 and Letter)', async (lang) => {
    for (const paper of ['A4', 'Letter'] as const) {
      for (const units of [1, 3]) {
        const raster = rasterisePage(await renderCertificate(officialView(lang, 'statement-of-attainment', paper, units)), 0, 40);
        // Before the flow layout a one-unit statement left a band of ~69 mm (23 % of the page) empty under its list.
        expect(largestEmptyBand(raster), `${paper}, ${units} unit(s)`).toBeLessThan(0.08);
      }
    }
  });

  it('the label of a national level that wraps onto two lines is what used to push its value down', async () => {
    // Filipino's label wraps in the level cell on A4; the value still shares the AQRF value's baseline.
    const view = officialView('fil', 'full-qualification');
    const text = await placedText(await renderCertificate(view));
    const labelLines = text.filter((t) => /pambansang balangkas|kwalipikasyon$/.test(t.str));
    expect(new Set(labelLines.map((t) => Math.round(t.y))).size).toBeGreaterThan(1);
    const values = text.filter((t) => t.str === 'PQF 3 — NC II' || t.str === 'AQRF 3');
    expect(values).toHaveLength(2);
    expect(values[0]!.y).toBeCloseTo(values[1]!.y, 1);
  });

  it('without a profile the slots stay empty and nothing else moves into them', async () => {
    const view = sampleView('id');
    const pdf = await renderCertificate(view);
    expect(tagging(pdf).figureAlts).toHaveLength(1); // the QR code
    expect(actualTextSpans(pdf).map((s) => s.text)).not.toContain(SIGNATORY.name);
  });
});
