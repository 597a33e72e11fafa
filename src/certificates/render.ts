import PDFDocument from 'pdfkit';
import { TandaError } from '../errors.js';
import { drawCertificatePage, PT_PER_MM } from './certificate-page.js';
import { FONT_SCRIPTS, FONT_WEIGHTS, shapingFont } from './fonts.js';
import { loadTemplate, TEMPLATES_DIR } from './template.js';
import type { CertificateView } from './view.js';

export interface RenderOptions {
  /** Where templates/<id>/template.json live; the project's templates/ folder by default. */
  templatesDir?: URL;
}

/** One certificate as a tagged PDF (PDF/UA identification, English document language, national-language spans). */
export function renderCertificate(view: CertificateView, options: RenderOptions = {}): Promise<Buffer> {
  return renderCertificates([view], undefined, options);
}

/** A cohort's certificates as one multi-page PDF, one page each, in the given order. */
export async function renderCertificates(
  views: readonly CertificateView[],
  onProgress?: (done: number, total: number) => void,
  options: RenderOptions = {},
): Promise<Buffer> {
  const [first] = views;
  // A PDF without pages is not a valid document.
  if (!first) throw new TandaError('validation_failed', 'No certificates to render');
  const templatesDir = options.templatesDir ?? TEMPLATES_DIR;
  const heading = loadTemplate(first.templateId, templatesDir).labels.heading.en;
  const named = views.length === 1 ? `${heading}: ${first.holderName.normalize('NFC')}` : `${heading}s (${views.length})`;
  const title = first.preview ? `PREVIEW, NOT VALID \u2014 ${named}` : named;
  const doc = new PDFDocument({
    autoFirstPage: false,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'en',
    displayTitle: true,
    // @types/pdfkit 0.17 does not list 'PDF/UA', which pdfkit 0.20.2 implements (pdfuaid metadata, CIDSet).
    subset: 'PDF/UA' as PDFKit.Mixins.PDFSubsets,
    // Shaping is cached per language by ShapingFont; pdfkit's own cache is keyed by text alone.
    fontLayoutCache: false,
    // No default font: pdfkit would otherwise reference a non-embedded Helvetica, which PDF/UA forbids.
    font: '',
    info: {
      Title: title,
      Author: first.issuer.name,
      Subject: heading,
      Creator: 'Tanda',
    },
  });
  for (const script of FONT_SCRIPTS) {
    for (const weight of FONT_WEIGHTS) {
      const font = shapingFont(script, weight);
      // pdfkit takes any font object with layout(); its typings only list file sources.
      doc.registerFont(font.name, font.pdfFont as unknown as Buffer);
    }
  }
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  const root = doc.struct('Document');
  doc.addStructure(root);
  for (const [index, view] of views.entries()) {
    const template = loadTemplate(view.templateId, templatesDir);
    const { width, height } = template.layouts[view.paper].page;
    doc.addPage({ size: [width * PT_PER_MM, height * PT_PER_MM], margin: 0 });
    const section = doc.struct('Sect', { lang: 'en' });
    root.add(section);
    drawCertificatePage(doc, view, template, section);
    section.end();
    onProgress?.(index + 1, views.length);
    // Let other requests run between pages of a large cohort.
    if (index + 1 < views.length) await new Promise((resolve) => setImmediate(resolve));
  }
  root.end();
  doc.end();
  await finished;
  return Buffer.concat(chunks);
}
