import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { qrPng } from '../../src/certificates/qr-image.js';
import { renderCertificate, renderCertificates } from '../../src/certificates/render.js';
import { PAPERS, SECOND_LANGS, TEMPLATE_IDS, type SecondLang } from '../../src/certificates/view.js';
import { isTandaError } from '../../src/errors.js';
import { actualTextSpans, drawnGlyphIds, openPdf, tagging } from '../helpers/pdf-inspect.js';
import { EXTRA_UNITS, PEOPLE, sampleView } from './fixtures/views.js';

const SCRIPTS: SecondLang[] = ['fil', 'id', 'vi', 'th', 'km', 'lo', 'my'];

function pageText(pdf: Buffer, page = 0): string {
  return actualTextSpans(pdf, page)
    .map((s) => s.text)
    .join('');
}

describe('renderCertificate', () => {
  for (const templateId of TEMPLATE_IDS) {
    for (const paper of PAPERS) {
      for (const lang of SCRIPTS) {
        it(`${templateId} on ${paper} prints a ${lang} name and title exactly, with no missing glyph`, async () => {
          const view = sampleView(lang, { templateId, paper });
          const pdf = await renderCertificate(view);
          const text = pageText(pdf);
          expect(text).toContain(view.holderName.normalize('NFC'));
          expect(text).toContain(PEOPLE[lang].qualificationTitle);
          expect(text).toContain(view.qualification.title.en);
          if (view.holderNameLatin) expect(text).toContain(view.holderNameLatin);
          for (const unit of view.units) expect(text).toContain(unit.code);
          expect(drawnGlyphIds(pdf)).not.toContain(0);
          const spans = actualTextSpans(pdf);
          expect(spans.find((s) => s.text === view.holderName.normalize('NFC'))?.lang).toBe(lang);
          const box = openPdf(pdf).findPage(0).get('MediaBox');
          const expected = paper === 'A4' ? [595.28, 841.89] : [612, 792];
          expect(box.get(2).asNumber()).toBeCloseTo(expected[0]!, 1);
          expect(box.get(3).asNumber()).toBeCloseTo(expected[1]!, 1);
        });
      }
    }
  }

  it('the glyph check catches a character no embedded font has', async () => {
    const pdf = await renderCertificate(sampleView('fil', { holderName: 'Maria 中村' }));
    expect(drawnGlyphIds(pdf)).toContain(0);
  });

  it('is a tagged PDF: marked, English document language, title shown, PDF/UA identified, QR as a Figure with alt text', async () => {
    const view = sampleView('th');
    const t = tagging(await renderCertificate(view));
    expect(t).toMatchObject({ marked: true, lang: 'en', hasStructTree: true, displayDocTitle: true, pdfUaPart: '1' });
    expect(t.title).toBe(`Certificate of Qualification: ${view.holderName}`);
    expect(t.structure.slice(0, 3)).toEqual(['Document', 'Sect', 'P']);
    expect(t.structure).toContain('H1');
    expect(t.structure.filter((s) => s === 'LI')).toHaveLength(view.units.length);
    expect(t.figureAlts).toHaveLength(1);
    expect(t.figureAlts[0]).toMatch(/^QR code holding the signed digital credential/);
  });

  it('prints the bilingual labels, the verify code, URL and dates', async () => {
    const view = sampleView('vi');
    const text = pageText(await renderCertificate(view));
    for (const s of ['Certificate of Qualification', 'Chứng chỉ Kỹ năng Nghề', 'Date of issue', 'Ngày cấp', view.issuedOn, view.validUntil!]) {
      expect(text).toContain(s);
    }
    expect(text).toContain(`${view.certificateNumber}`);
    expect(text).toContain(`enter the verification code ${view.verifyCode} at https://tanda.example.org/verify`);
    expect(text).toContain('Vietnam · Việt Nam');
  });

  it('marks a provisional AQRF level visibly and omits an absent one', async () => {
    const provisional = pageText(await renderCertificate(sampleView('km', { aqrfLevel: { level: 2, status: 'provisional' } })));
    expect(provisional).toContain('AQRF 2');
    expect(provisional).toContain('(provisional mapping');
    const official = pageText(await renderCertificate(sampleView('km', { aqrfLevel: { level: 2, status: 'official' } })));
    expect(official).toContain('AQRF 2');
    expect(official).not.toContain('provisional');
    const none = pageText(await renderCertificate(sampleView('km', { aqrfLevel: undefined })));
    expect(none).not.toContain('AQRF');
  });

  it('fits twelve units on every template and paper', async () => {
    for (const templateId of TEMPLATE_IDS) {
      for (const paper of PAPERS) {
        for (const lang of ['my', 'km'] as const) {
          const view = sampleView(lang, { templateId, paper });
          view.units = [...view.units, ...EXTRA_UNITS];
          const text = pageText(await renderCertificate(view));
          for (const unit of view.units) expect(text).toContain(unit.title.en);
        }
      }
    }
  });

  it('refuses content that cannot fit rather than printing over other blocks', async () => {
    const view = sampleView('fil');
    view.units = Array.from({ length: 60 }, (_, i) => ({ code: `U${i}`, title: { en: `Unit number ${i} with a long descriptive title` } }));
    const error = await renderCertificate(view).catch((e: unknown) => e);
    expect(isTandaError(error) && error.code).toBe('certificate_layout_overflow');
  });

  it('refuses a payload that is not QR alphanumeric text, or too large to print at 0.38 mm modules', async () => {
    const lower = await renderCertificate(sampleView('id', { qrPayload: 'vp1-r lowercase' })).catch((e: unknown) => e);
    expect(isTandaError(lower) && lower.code).toBe('invalid_qr_payload');
    const huge = await renderCertificate(sampleView('id', { qrPayload: 'VP1-R'.padEnd(1800, 'A') })).catch((e: unknown) => e);
    expect(isTandaError(huge) && huge.code).toBe('qr_payload_too_large');
  });

  it('draws the logo and seal slots when a template names images', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tanda-template-'));
    const template = JSON.parse(readFileSync(new URL('../../templates/full-qualification/template.json', import.meta.url), 'utf8'));
    template.images = { logo: 'logo.png' };
    mkdirSync(join(dir, 'full-qualification'));
    writeFileSync(join(dir, 'full-qualification', 'template.json'), JSON.stringify(template));
    writeFileSync(join(dir, 'full-qualification', 'logo.png'), await qrPng('LOGO', 2));
    const view = sampleView('ms');
    const pdf = await renderCertificate(view, { templatesDir: pathToFileURL(`${dir}/`) });
    const t = tagging(pdf);
    expect(t.figureAlts).toContain(`Logo of ${view.issuer.name}`);
    expect(t.figureAlts).toHaveLength(2);
  });
});

describe('renderCertificates', () => {
  it('renders a cohort as one PDF, one page per certificate in order, reporting progress', async () => {
    const views = SECOND_LANGS.map((lang, i) => sampleView(lang, { paper: i % 2 ? 'Letter' : 'A4', templateId: TEMPLATE_IDS[i % 2]! }));
    const progress: Array<[number, number]> = [];
    const pdf = await renderCertificates(views, (done, total) => progress.push([done, total]));
    expect(openPdf(pdf).countPages()).toBe(views.length);
    views.forEach((view, page) => expect(pageText(pdf, page)).toContain(view.holderName.normalize('NFC')));
    expect(progress).toEqual(views.map((_, i) => [i + 1, views.length]));
    expect(tagging(pdf).structure.filter((s) => s === 'Sect')).toHaveLength(views.length);
  });

  it('refuses an empty cohort (a PDF needs a page)', async () => {
    const error = await renderCertificates([]).catch((e: unknown) => e);
    expect(isTandaError(error) && error.code).toBe('validation_failed');
  });
});
