import { createHash } from 'node:crypto';
import { printableImage } from './printable-image.js';
import { fileURLToPath } from 'node:url';
import { TandaError } from '../errors.js';
import type { FontWeight } from './fonts.js';
import { darkRuns, qrMatrix, QR_QUIET_ZONE } from './qr-image.js';
import { drawText, largestFitting, layoutText, type TextBlock, type TextSpan } from './text-layout.js';
import type { BlockStyle, Box, CertificateTemplate, ImageField, LabelKey, TemplateLayout, TextBlockSpec, TextField } from './template.js';
import type { CertificateView, Paper } from './view.js';

/** Draws one certificate on the document's current page, following the template's blocks in reading order. */

type Doc = PDFKit.PDFDocument;
type StructElement = PDFKit.PDFStructureElement;

export const PT_PER_MM = 72 / 25.4;
const mm = (v: number) => v * PT_PER_MM;

/** Smallest printable QR module; below this phone cameras misread worn paper. */
const MIN_MODULE_MM = 0.38;
/** The QR's quiet zone must stay clear of trimming and the frame. */
const MIN_QR_EDGE_MM = 10;
const PROVISIONAL_COLOR = '#9a3412';

interface PageContext {
  doc: Doc;
  view: CertificateView;
  template: CertificateTemplate;
  layout: TemplateLayout;
  section: StructElement;
}

/** A laid-out block: its height in points and how to draw it with its top-left corner at (x, y). */
interface Laid {
  height: number;
  draw(x: number, y: number): void;
}

interface StackItem {
  spans: TextSpan[];
  /** Size relative to the block's base size. */
  scale: number;
  weight?: FontWeight;
  maxLines?: number;
}

export function drawCertificatePage(doc: Doc, view: CertificateView, template: CertificateTemplate, section: StructElement): void {
  const layout = template.layouts[view.paper];
  const ctx: PageContext = { doc, view, template, layout, section };
  if (layout.frame) drawFrame(ctx, layout.frame);
  const tops = flowTops(ctx);
  for (const block of layout.blocks) {
    if (block.field === 'qr') drawQr(ctx, block.box);
    else if ('style' in block) drawTextBlock(ctx, block, tops.get(block));
    else drawImage(ctx, block.field, block.box);
  }
  if (view.preview) drawPreviewMark(ctx);
}

/** Whoever holds a preview, on screen or printed, must see it is no certificate. English only for now: the templates' catalogue has no preview wording in the national languages yet. */
const PREVIEW_TEXT = 'PREVIEW \u2014 NOT VALID';
const PREVIEW_NOTE = 'Not issued, not signed: not a certificate';
const PREVIEW_COLOR = '#b91c1c';
/** Kept off the page edge, where many printers cannot print. */
const NOTE_EDGE_MM = 2;
/** Space between the note's line box and the frame (or whatever else is drawn highest on the page). */
const NOTE_CLEARANCE_MM = 1;
const NOTE_MAX_PT = 11;
/** Below this a note on paper is no longer read at a glance. */
const NOTE_MIN_PT = 7;

/** A rectangle on the page, in points from the top-left corner. */
export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const FRAME_OUTER_LINE_PT = 1.2;
const FRAME_INNER_LINE_PT = 0.4;
/** Gap between the frame's two lines, mm. */
const FRAME_GAP_MM = 1.6;

/** The outer edge of the frame's outer line: all of the frame's ink is inside it. */
export function frameRect(layout: TemplateLayout): Rect | undefined {
  if (!layout.frame) return undefined;
  const edge = mm(layout.frame.inset) - FRAME_OUTER_LINE_PT / 2;
  return { left: edge, top: edge, right: mm(layout.page.width) - edge, bottom: mm(layout.page.height) - edge };
}

/** The template's boxes, in points: every block of a certificate draws inside its own. */
export function blockRects(layout: TemplateLayout): Rect[] {
  return layout.blocks.map(({ box }) => {
    const [w, h] = 'size' in box ? [box.size, box.size] : [box.w, box.h];
    return { left: mm(box.x), top: mm(box.y), right: mm(box.x + w), bottom: mm(box.y + h) };
  });
}

/**
 * The preview's note and where it goes: one line, centred in the band between the page's top edge and the highest
 * thing the certificate draws (its frame, when it has one), at the largest size whose line box fits that band, so it
 * never covers the frame, however the template places it.
 */
export function previewNote(template: CertificateTemplate, paper: Paper): { block: TextBlock; rect: Rect } {
  const layout = template.layouts[paper];
  const width = mm(layout.page.width);
  const frame = frameRect(layout);
  const highest = Math.min(...(frame ? [frame] : []).concat(blockRects(layout)).map((r) => r.top));
  const band = { top: mm(NOTE_EDGE_MM), bottom: highest - mm(NOTE_CLEARANCE_MM) };
  const block = largestFitting(NOTE_MAX_PT, NOTE_MIN_PT, (size) => {
    const laid = layoutText([{ text: PREVIEW_NOTE, lang: 'en' }], { size, weight: 'bold', color: PREVIEW_COLOR, align: 'center' }, width - 2 * mm(NOTE_EDGE_MM));
    return laid.lines.length === 1 && laid.height <= band.bottom - band.top ? laid : null;
  });
  if (!block) {
    throw new TandaError('invalid_config', `Template ${template.id} (${paper}) leaves no room above its frame and blocks for the preview note`);
  }
  const top = band.top + (band.bottom - band.top - block.height) / 2;
  const left = (width - block.width) / 2;
  return { block, rect: { left, top, right: left + block.width, bottom: top + block.height } };
}

/**
 * A preview's mark: large translucent text diagonally across the whole page, over everything, and a note along the
 * top edge. Tagged as text (not an artifact) so a screen reader announces it too.
 */
function drawPreviewMark(ctx: PageContext): void {
  const { doc, layout } = ctx;
  const width = mm(layout.page.width);
  const height = mm(layout.page.height);
  const diagonal = Math.hypot(width, height);
  const mark = largestFitting(120, 24, (size) => {
    const laid = layoutText([{ text: PREVIEW_TEXT, lang: 'en' }], { size, weight: 'bold', color: PREVIEW_COLOR, align: 'center' }, diagonal * 0.8);
    return laid.lines.length === 1 ? laid : null;
  });
  const note = previewNote(ctx.template, ctx.view.paper);
  tag(ctx, ctx.section, 'P', () => {
    doc.save();
    doc.fillOpacity(0.28);
    doc.rotate((-Math.atan2(height, width) * 180) / Math.PI, { origin: [width / 2, height / 2] });
    if (mark) drawText(doc, mark, (width - diagonal * 0.8) / 2, height / 2 - mark.height / 2, diagonal * 0.8);
    doc.restore();
    doc.save();
    drawText(doc, note.block, note.rect.left, note.rect.top, note.block.width);
    doc.restore();
  });
}

/**
 * Where each flow block's top goes: each is fitted in its own box (so the group never needs more than its region),
 * then the group is stacked with equal gaps of at most `flowGap` mm and centred in what is left.
 */
function flowTops(ctx: PageContext): Map<TextBlockSpec, { top: number; laid: Laid | undefined }> {
  const tops = new Map<TextBlockSpec, { top: number; laid: Laid | undefined }>();
  const blocks = ctx.layout.blocks.filter((b): b is TextBlockSpec => 'style' in b && b.flow === true);
  const [first] = blocks;
  if (!first) return tops;
  const last = blocks[blocks.length - 1]!;
  const laid = blocks.map((b) => layoutBlock(ctx, b));
  const printed = laid.filter((l): l is Laid => l !== undefined);
  const region = { top: mm(first.box.y), bottom: mm(last.box.y + last.box.h) };
  const used = printed.reduce((h, l) => h + l.height, 0);
  const slack = Math.max(0, region.bottom - region.top - used);
  const gap = printed.length > 1 ? Math.min(slack / (printed.length - 1), mm(ctx.layout.flowGap ?? 8)) : 0;
  let top = region.top + (slack - gap * Math.max(0, printed.length - 1)) / 2;
  blocks.forEach((b, i) => {
    const l = laid[i];
    tops.set(b, { top, laid: l });
    if (l) top += l.height + gap;
  });
  return tops;
}

function tag(ctx: PageContext, parent: StructElement, type: string, draw: () => void, options: PDFKit.Mixins.StructureElementOptions = {}): void {
  const { doc } = ctx;
  const element = doc.struct(type, options);
  parent.add(element);
  const content = doc.markStructureContent(type);
  draw();
  doc.endMarkedContent();
  element.add(content);
  element.end();
}

function artifact(ctx: PageContext, draw: () => void): void {
  ctx.doc.markContent('Artifact', { type: 'Layout' });
  draw();
  ctx.doc.endMarkedContent();
}

function drawFrame(ctx: PageContext, frame: { inset: number; color: string }): void {
  const { doc, layout } = ctx;
  const { width, height } = layout.page;
  artifact(ctx, () => {
    doc.save();
    doc.lineWidth(FRAME_OUTER_LINE_PT).strokeColor(frame.color);
    doc.rect(mm(frame.inset), mm(frame.inset), mm(width - 2 * frame.inset), mm(height - 2 * frame.inset)).stroke();
    const inner = frame.inset + FRAME_GAP_MM;
    doc.lineWidth(FRAME_INNER_LINE_PT);
    doc.rect(mm(inner), mm(inner), mm(width - 2 * inner), mm(height - 2 * inner)).stroke();
    doc.restore();
  });
}

/** pdfkit's opened image (@types/pdfkit omits `openImage`; `image()` accepts what it returns). */
type OpenedImage = { readonly width: number; readonly height: number };
// One embedded image object per distinct image per document, so a cohort PDF carries its body's logo once.
const embedded = new WeakMap<Doc, Map<string, OpenedImage>>();

function imageSource(ctx: PageContext, slot: ImageField): string | OpenedImage | undefined {
  const { view } = ctx;
  const bytes = slot === 'signature' ? view.signatory?.signature : view.issuer[slot];
  if (!bytes) {
    const file = slot === 'signature' ? undefined : ctx.template.images[slot];
    return file ? fileURLToPath(new URL(file, ctx.template.dir)) : undefined;
  }
  let images = embedded.get(ctx.doc);
  if (!images) embedded.set(ctx.doc, (images = new Map()));
  const key = createHash('sha256').update(bytes).digest('base64');
  let image = images.get(key);
  if (!image) {
    image = (ctx.doc as unknown as { openImage(src: Buffer): OpenedImage }).openImage(printableImage(key, bytes));
    images.set(key, image);
  }
  return image;
}

function drawImage(ctx: PageContext, slot: ImageField, box: Box): void {
  const source = imageSource(ctx, slot);
  if (!source) return;
  const { view } = ctx;
  const alt =
    slot === 'signature'
      ? `Signature of ${view.signatory?.name ?? 'the signatory'}, ${view.signatory?.title ?? ''} (${view.issuer.name})`
      : `${slot === 'logo' ? 'Logo' : 'Seal'} of ${view.issuer.name}`;
  tag(
    ctx,
    ctx.section,
    'Figure',
    // A signature sits on the signatory's rule, right under its box; logo and seal are centred in theirs.
    () => ctx.doc.image(source as string, mm(box.x), mm(box.y), { fit: [mm(box.w), mm(box.h)], align: 'center', valign: slot === 'signature' ? 'bottom' : 'center' }),
    { alt, bbox: [mm(box.x), mm(box.y), mm(box.x + box.w), mm(box.y + box.h)], placement: 'Block' },
  );
}

/** The QR drawn as vector rectangles (one filled path, so no hairline seams between modules), quiet zone kept white. */
function drawQr(ctx: PageContext, box: { x: number; y: number; size: number }): void {
  const { doc, view, layout, template } = ctx;
  const { width, height } = layout.page;
  if (
    box.x < MIN_QR_EDGE_MM ||
    box.y < MIN_QR_EDGE_MM ||
    box.x + box.size > width - MIN_QR_EDGE_MM ||
    box.y + box.size > height - MIN_QR_EDGE_MM
  ) {
    throw new TandaError('invalid_config', `Template ${template.id} (${view.paper}) puts the QR code closer than ${MIN_QR_EDGE_MM} mm to the page edge`);
  }
  const matrix = qrMatrix(view.qrPayload);
  const modules = matrix.size + 2 * QR_QUIET_ZONE;
  const moduleMm = box.size / modules;
  if (moduleMm < MIN_MODULE_MM) {
    throw new TandaError(
      'qr_payload_too_large',
      `The QR payload needs version ${matrix.version}: ${moduleMm.toFixed(2)} mm modules at ${box.size} mm, below ${MIN_MODULE_MM} mm`,
    );
  }
  const unit = mm(moduleMm);
  const x0 = mm(box.x);
  const y0 = mm(box.y);
  const labels = template.labels.qrAlt;
  const alt = `${labels.en} / ${labels[view.lang]}`;
  tag(
    ctx,
    ctx.section,
    'Figure',
    () => {
      doc.save();
      doc.rect(x0, y0, mm(box.size), mm(box.size)).fill('#ffffff');
      for (const run of darkRuns(matrix)) {
        doc.rect(x0 + (run.col + QR_QUIET_ZONE) * unit, y0 + (run.row + QR_QUIET_ZONE) * unit, run.length * unit, unit);
      }
      doc.fill('#000000');
      doc.restore();
    },
    { alt, bbox: [x0, y0, x0 + mm(box.size), y0 + mm(box.size)], placement: 'Block' },
  );
}

function layoutBlock(ctx: PageContext, block: TextBlockSpec): Laid | undefined {
  const { field, box, style } = block;
  return fit(field, style, box, (size) => BLOCKS[field].layout(ctx, style, size, mm(box.w), mm(box.h)));
}

function drawTextBlock(ctx: PageContext, block: TextBlockSpec, flowed?: { top: number; laid: Laid | undefined }): void {
  const { box, style } = block;
  const laid = flowed ? flowed.laid : layoutBlock(ctx, block);
  if (!laid) return;
  const top = flowed ? flowed.top : style.align === 'center' ? mm(box.y) + (mm(box.h) - laid.height) / 2 : mm(box.y);
  laid.draw(mm(box.x), top);
}

/**
 * The block's layout at the largest size, from its base size down to its minimum, that fits its box. `undefined`
 * from the layout means the block has nothing to print for this view (e.g. no Latin name).
 */
function fit(field: TextField, style: BlockStyle, box: Box, layoutAt: (size: number) => Laid | null | undefined): Laid | undefined {
  let empty = false;
  const laid = largestFitting(style.size, style.minSize, (size) => {
    const attempt = layoutAt(size);
    if (attempt === undefined) empty = true;
    return attempt && attempt.height <= mm(box.h) + 1e-6 ? attempt : null;
  });
  if (laid) return laid;
  if (empty) return undefined;
  throw new TandaError('certificate_layout_overflow', `The ${field} block does not fit its ${box.w}×${box.h} mm box even at ${style.minSize} pt`);
}

// ---- text helpers ----------------------------------------------------------------------------------------------

function stack(ctx: PageContext, items: StackItem[], style: BlockStyle, size: number, width: number, tagAs?: string): Laid | null {
  const blocks: TextBlock[] = [];
  for (const item of items) {
    const block = layoutText(
      item.spans,
      { size: size * item.scale, weight: item.weight ?? style.weight, color: style.color, align: style.align },
      width,
    );
    if (block.overflow) return null;
    if (item.maxLines !== undefined && block.lines.length > item.maxLines) return null;
    if (style.maxLines !== undefined && block.lines.length > style.maxLines) return null;
    blocks.push(block);
  }
  const gap = size * 0.12;
  const height = blocks.reduce((h, b) => h + b.height, 0) + gap * Math.max(0, blocks.length - 1);
  const drawAll = (x: number, y: number) => {
    let top = y;
    for (const b of blocks) top = drawText(ctx.doc, b, x, top, width) + gap;
  };
  return {
    height,
    draw: (x, y) => (tagAs ? tag(ctx, ctx.section, tagAs, () => drawAll(x, y)) : drawAll(x, y)),
  };
}

const en = (text: string): TextSpan => ({ text, lang: 'en' });
/** An identifier: printed whole on one line or the block is set smaller (see TextSpan.keep). */
const id = (text: string): TextSpan => ({ text, lang: 'en', keep: true });

function national(ctx: PageContext, text: string, color?: string): TextSpan {
  return color ? { text, lang: ctx.view.lang, color } : { text, lang: ctx.view.lang };
}

function label(ctx: PageContext, key: LabelKey): { en: string; national: string } {
  const set = ctx.template.labels[key];
  return { en: set.en, national: set[ctx.view.lang] };
}

/** "English · national" on one line, the national part in the muted colour. */
function bilingual(ctx: PageContext, key: LabelKey, style: BlockStyle): TextSpan[] {
  const l = label(ctx, key);
  return [{ ...en(l.en), color: style.mutedColor ?? style.color ?? '#000000' }, en(' · '), national(ctx, l.national, style.mutedColor)];
}

/** ISO country codes become names in both languages; anything else prints as given. */
function country(ctx: PageContext, value: string): TextSpan[] {
  if (!/^[A-Z]{2}$/.test(value)) return [national(ctx, value)];
  const english = new Intl.DisplayNames(['en'], { type: 'region' }).of(value) ?? value;
  const local = new Intl.DisplayNames([ctx.view.lang], { type: 'region' }).of(value) ?? value;
  return english === local ? [en(english)] : [en(english), en(' · '), national(ctx, local)];
}

// ---- blocks -----------------------------------------------------------------------------------------------------

interface BlockRenderer {
  /** A layout at `size` points, null when it does not fit at that size, undefined when there is nothing to print. */
  layout(ctx: PageContext, style: BlockStyle, size: number, width: number, height: number): Laid | null | undefined;
}

const BLOCKS: Record<TextField, BlockRenderer> = {
  issuer: {
    layout: (ctx, style, size, width) =>
      stack(ctx, [{ spans: [national(ctx, ctx.view.issuer.name)], scale: 1 }, { spans: country(ctx, ctx.view.issuer.country), scale: 0.8, weight: 'regular' }], style, size, width, 'P'),
  },
  heading: {
    layout: (ctx, style, size, width) => {
      const l = label(ctx, 'heading');
      return stack(ctx, [{ spans: [en(l.en)], scale: 1 }, { spans: [national(ctx, l.national)], scale: 0.72 }], style, size, width, 'H1');
    },
  },
  certifies: { layout: (ctx, style, size, width) => sentence(ctx, 'certifies', style, size, width) },
  awarded: { layout: (ctx, style, size, width) => sentence(ctx, 'awarded', style, size, width) },
  holderName: {
    layout: (ctx, style, size, width) => stack(ctx, [{ spans: [national(ctx, ctx.view.holderName)], scale: 1 }], style, size, width, 'P'),
  },
  holderNameLatin: {
    layout: (ctx, style, size, width) => {
      const latin = ctx.view.holderNameLatin;
      if (!latin || latin.normalize('NFC') === ctx.view.holderName.normalize('NFC')) return undefined;
      return stack(ctx, [{ spans: [{ text: latin, lang: `${ctx.view.lang}-Latn` }], scale: 1 }], style, size, width, 'P');
    },
  },
  qualification: {
    layout: (ctx, style, size, width) => {
      const { title, code } = ctx.view.qualification;
      const local = title[ctx.view.lang];
      const items: StackItem[] = [{ spans: [en(title.en)], scale: 1 }];
      if (local && local !== title.en) items.push({ spans: [national(ctx, local)], scale: 0.82 });
      items.push({ spans: [...bilingual(ctx, 'qualificationCode', style), en(': '), id(code)], scale: 0.62, weight: 'regular' });
      return stack(ctx, items, style, size, width, 'P');
    },
  },
  levels: { layout: levels },
  units: { layout: units },
  details: { layout: details },
  signatory: {
    layout: (ctx, style, size, width) => {
      const s = ctx.view.signatory;
      if (!s) return undefined;
      const text = stack(ctx, [{ spans: [national(ctx, s.name)], scale: 1, weight: 'bold' }, { spans: [national(ctx, s.title)], scale: 0.85, weight: 'regular' }], style, size, width);
      if (!text) return null;
      const ruleGap = size * 0.35;
      return {
        height: text.height + ruleGap,
        draw: (x, y) => {
          // The line the signature sits on: a rule as wide as the name block, drawn as an artifact.
          artifact(ctx, () => {
            ctx.doc.save().lineWidth(0.6).strokeColor(style.color ?? '#000000');
            ctx.doc.moveTo(x, y).lineTo(x + width, y).stroke();
            ctx.doc.restore();
          });
          tag(ctx, ctx.section, 'P', () => text.draw(x, y + ruleGap));
        },
      };
    },
  },
  qrCaption: {
    layout: (ctx, style, size, width) => {
      const l = label(ctx, 'verifyCaption');
      const url = `${ctx.view.verifyUrl.replace(/\/+$/, '')}/verify`;
      // The URL and the code are spans of their own that are never broken; the sentence around them wraps freely.
      const fill = (text: string, span: (t: string) => TextSpan): TextSpan[] =>
        text
          .split(/(\{url\}|\{code\})/)
          .filter((part) => part !== '')
          .map((part) => (part === '{url}' ? id(url) : part === '{code}' ? id(ctx.view.verifyCode) : span(part)));
      return stack(
        ctx,
        [
          { spans: fill(l.en, en), scale: 1 },
          { spans: fill(l.national, (t) => national(ctx, t, style.mutedColor)).map((sp) => (sp.keep ? { ...sp, color: style.mutedColor } : sp)), scale: 1 },
        ],
        style,
        size,
        width,
        'P',
      );
    },
  },
};

function sentence(ctx: PageContext, key: LabelKey, style: BlockStyle, size: number, width: number): Laid | null {
  const l = label(ctx, key);
  return stack(ctx, [{ spans: [en(l.en)], scale: 1 }, { spans: [national(ctx, l.national, style.mutedColor)], scale: 0.95 }], style, size, width, 'P');
}

/**
 * Side-by-side label/value cells of equal width, each its own paragraph. The first item of each cell is its label:
 * within a row the values start below the tallest label, so when one label wraps onto two lines the values beside
 * each other still sit at the same height.
 */
function cells(ctx: PageContext, contents: StackItem[][], style: BlockStyle, size: number, width: number, columns: number): Laid | null {
  const gap = mm(5);
  const cellWidth = (width - gap * (columns - 1)) / columns;
  const innerGap = size * 0.12;
  const rows: Array<{ labels: Laid[]; values: Laid[]; labelHeight: number; height: number }> = [];
  for (let i = 0; i < contents.length; i += columns) {
    const labels: Laid[] = [];
    const values: Laid[] = [];
    for (const [labelItem, ...rest] of contents.slice(i, i + columns)) {
      const l = stack(ctx, [labelItem!], style, size, cellWidth);
      const v = stack(ctx, rest, style, size, cellWidth);
      if (!l || !v) return null;
      labels.push(l);
      values.push(v);
    }
    const labelHeight = Math.max(...labels.map((l) => l.height));
    rows.push({ labels, values, labelHeight, height: labelHeight + innerGap + Math.max(...values.map((v) => v.height)) });
  }
  const rowGap = size * 0.45;
  return {
    height: rows.reduce((a, r) => a + r.height, 0) + rowGap * Math.max(0, rows.length - 1),
    draw: (x, y) => {
      let top = y;
      for (const row of rows) {
        const used = row.labels.length * cellWidth + (row.labels.length - 1) * gap;
        // A lone last cell of a centred block sits in the middle.
        const left = style.align === 'center' ? x + (width - used) / 2 : x;
        row.labels.forEach((label, c) => {
          const cellX = left + c * (cellWidth + gap);
          // Labels sit on the bottom of their band, right above their values.
          tag(ctx, ctx.section, 'P', () => {
            label.draw(cellX, top + row.labelHeight - label.height);
            row.values[c]!.draw(cellX, top + row.labelHeight + innerGap);
          });
        });
        top += row.height + rowGap;
      }
    },
  };
}

function levels(ctx: PageContext, style: BlockStyle, size: number, width: number): Laid | null {
  const { nationalLevel, aqrfLevel } = ctx.view;
  const muted = { ...style, color: style.mutedColor ?? style.color };
  const nationalValue = `${nationalLevel.framework} ${nationalLevel.level}${nationalLevel.title ? ` — ${nationalLevel.title}` : ''}`;
  const contents: StackItem[][] = [
    [
      { spans: bilingual(ctx, 'nationalLevel', muted), scale: 0.8 },
      { spans: [national(ctx, nationalValue)], scale: 1.1, weight: 'bold' },
    ],
  ];
  if (aqrfLevel) {
    const items: StackItem[] = [
      { spans: bilingual(ctx, 'aqrfLevel', muted), scale: 0.8 },
      { spans: [en(`AQRF ${aqrfLevel.level}`)], scale: 1.1, weight: 'bold' },
    ];
    if (aqrfLevel.status === 'provisional') {
      const l = label(ctx, 'provisional');
      items.push({
        spans: [
          { text: `(${l.en}`, lang: 'en', color: PROVISIONAL_COLOR },
          { text: ' · ', lang: 'en', color: PROVISIONAL_COLOR },
          { text: `${l.national})`, lang: ctx.view.lang, color: PROVISIONAL_COLOR },
        ],
        scale: 0.8,
        weight: 'bold',
      });
    }
    contents.push(items);
  }
  return cells(ctx, contents, style, size, width, contents.length);
}

function details(ctx: PageContext, style: BlockStyle, size: number, width: number): Laid | null {
  const { view } = ctx;
  const muted = { ...style, color: style.mutedColor ?? style.color };
  const pair = (key: LabelKey, value: TextSpan[], weight: FontWeight = 'regular'): StackItem[] => [
    { spans: bilingual(ctx, key, muted), scale: 0.8 },
    { spans: value, scale: 1, weight },
  ];
  const centre = [national(ctx, view.assessment.centre), en(', '), ...country(ctx, view.assessment.country)];
  const contents = [
    pair('assessmentCentre', centre),
    ...(view.assessment.date ? [pair('assessmentDate', [en(view.assessment.date)])] : []),
    pair('issuedOn', [en(view.issuedOn)]),
    ...(view.validUntil ? [pair('validUntil', [en(view.validUntil)])] : []),
    pair('certificateNumber', [id(view.certificateNumber)], 'bold'),
    pair('verifyCode', [id(view.verifyCode)], 'bold'),
  ];
  return cells(ctx, contents, style, size, width, 2);
}

/**
 * Units as a list (code, then titles): one column, or two when one does not fit at this size, so a long list keeps
 * a larger type in two columns rather than shrinking in one.
 */
function units(ctx: PageContext, style: BlockStyle, size: number, width: number, height: number): Laid | null {
  const one = unitColumns(ctx, style, size, width, 1);
  if (one && one.height <= height) return one;
  return unitColumns(ctx, style, size, width, 2);
}

function unitColumns(ctx: PageContext, style: BlockStyle, size: number, width: number, columns: number): Laid | null {
  const { doc, view } = ctx;
  const muted = { ...style, color: style.mutedColor ?? style.color };
  const heading = stack(ctx, [{ spans: bilingual(ctx, 'units', muted), scale: 0.95, weight: 'bold' }], style, size, width);
  if (!heading) return null;
  const columnGap = mm(6);
  const columnWidth = (width - columnGap * (columns - 1)) / columns;
  const codeStyle = { size: size * 0.9, weight: 'bold' as const, color: style.color };
  const widestCode = Math.max(...view.units.map((u) => layoutText([id(u.code)], codeStyle, Infinity).width));
  const codeWidth = Math.min(widestCode, columnWidth * 0.4);
  const titleX = codeWidth + mm(3);
  const rowGap = size * 0.3;
  const rows = view.units.map((unit) => {
    const code = layoutText([id(unit.code)], { ...codeStyle, color: style.color }, codeWidth);
    if (code.overflow) return null;
    const local = unit.title[view.lang];
    const titleItems: StackItem[] = [{ spans: [en(unit.title.en)], scale: 1 }];
    if (local && local !== unit.title.en) titleItems.push({ spans: [national(ctx, local, style.mutedColor)], scale: 1 });
    const title = stack(ctx, titleItems, { ...style, align: 'left' }, size, columnWidth - titleX);
    return title ? { code, title, height: Math.max(code.height, title.height) } : null;
  });
  if (rows.some((r) => r === null)) return null;
  const laidRows = rows as Array<{ code: TextBlock; title: Laid; height: number }>;
  const perColumn = Math.ceil(laidRows.length / columns);
  const columnRows = Array.from({ length: columns }, (_, c) => laidRows.slice(c * perColumn, (c + 1) * perColumn));
  const columnHeight = (rs: typeof laidRows) => rs.reduce((h, r) => h + r.height, 0) + rowGap * Math.max(0, rs.length - 1);
  const ruleGap = size * 0.5;
  const height = heading.height + ruleGap + Math.max(...columnRows.map(columnHeight));
  return {
    height,
    draw: (x, y) => {
      tag(ctx, ctx.section, 'H2', () => heading.draw(x, y));
      const ruleY = y + heading.height + ruleGap / 2;
      artifact(ctx, () => {
        doc.save().lineWidth(0.4).strokeColor(style.mutedColor ?? '#888888');
        doc.moveTo(x, ruleY).lineTo(x + width, ruleY).stroke();
        doc.restore();
      });
      const list = doc.struct('L');
      ctx.section.add(list);
      columnRows.forEach((rs, c) => {
        const left = x + c * (columnWidth + columnGap);
        let top = y + heading.height + ruleGap;
        for (const row of rs) {
          const item = doc.struct('LI');
          list.add(item);
          tag(ctx, item, 'Lbl', () => drawText(doc, row.code, left, top, codeWidth));
          tag(ctx, item, 'LBody', () => row.title.draw(left + titleX, top));
          item.end();
          top += row.height + rowGap;
        }
      });
      list.end();
    },
  };
}
