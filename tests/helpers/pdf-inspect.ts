import { Lexer, PdfFile, PdfName, PdfRef, PdfStream, textString, type PdfDict, type PdfValue } from './pdf-objects.js';

/**
 * Reads back what a PDF tells text extractors and screen readers. The text an ActualText-aware extractor (poppler's
 * pdftotext, Acrobat) returns is read from the marked-content properties in the page's content stream, where the
 * shaping code puts the logical text of every run (glyph-by-glyph extraction garbles Khmer and Burmese clusters).
 */

/** A read-only view of a PDF value with references resolved, for assertions on catalog and page entries. */
export class PdfObjectView {
  constructor(private readonly file: PdfFile, private readonly value: PdfValue) {}
  get(key: string | number): PdfObjectView {
    const v = this.value instanceof PdfStream ? this.value.dict : this.value;
    const got = typeof key === 'number' ? (Array.isArray(v) ? v[key] : undefined) : v instanceof Map ? v.get(key) : undefined;
    return new PdfObjectView(this.file, this.file.resolve(got));
  }
  isNull(): boolean {
    return this.value === null;
  }
  isArray(): boolean {
    return Array.isArray(this.value);
  }
  get length(): number {
    return Array.isArray(this.value) ? this.value.length : 0;
  }
  asNumber(): number {
    return typeof this.value === 'number' ? this.value : NaN;
  }
  asBoolean(): boolean {
    return this.value === true;
  }
  asName(): string {
    return this.value instanceof PdfName ? this.value.name : '';
  }
  asString(): string {
    return typeof this.value === 'string' ? textString(this.value) : '';
  }
}

export interface OpenPdf {
  countPages(): number;
  findPage(pageIndex: number): PdfObjectView;
}

export function openPdf(pdf: Uint8Array): OpenPdf {
  const file = new PdfFile(Buffer.from(pdf));
  return {
    countPages: () => file.pages().length,
    findPage: (i) => new PdfObjectView(file, file.pages()[i] ?? null),
  };
}

type Operation = { op: string; operands: PdfValue[] };

function* operations(content: Buffer): Generator<Operation> {
  const lexer = new Lexer(content);
  let operands: PdfValue[] = [];
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) {
    if (t !== null && typeof t === 'object' && 'op' in t) {
      // Inline images carry binary data up to EI: skip it rather than lexing it.
      if (t.op === 'ID') lexer.pos = content.indexOf('EI', lexer.pos, 'latin1') + 2;
      yield { op: t.op, operands };
      operands = [];
    } else operands.push(t);
  }
}

export interface MarkedSpan {
  text: string;
  lang: string;
}

/** The ActualText and Lang of every marked-content span on a page, in content order. */
export function actualTextSpans(pdf: Uint8Array, pageIndex = 0): MarkedSpan[] {
  const file = new PdfFile(Buffer.from(pdf));
  const spans: MarkedSpan[] = [];
  for (const { op, operands } of operations(file.contents(pageIndex))) {
    if (op !== 'BDC' || (operands[0] as PdfName | undefined)?.name !== 'Span' || !(operands[1] instanceof Map)) continue;
    const props = operands[1];
    const text = props.get('ActualText');
    if (typeof text !== 'string') continue;
    const lang = props.get('Lang');
    spans.push({ text: textString(text), lang: typeof lang === 'string' ? textString(lang) : '' });
  }
  return spans;
}

/** Glyph ids drawn on a page (ids in the embedded subsets; 0 is .notdef, a missing glyph). */
export function drawnGlyphIds(pdf: Uint8Array, pageIndex = 0): number[] {
  const file = new PdfFile(Buffer.from(pdf));
  const page = file.pages()[pageIndex]!;
  const fonts = (file.resolve((file.resolve(page.get('Resources')) as PdfDict).get('Font')) ?? new Map()) as PdfDict;
  const ids: number[] = [];
  let twoByte = false;
  const show = (s: PdfValue) => {
    if (typeof s !== 'string') return;
    // Tanda embeds every font as Type0 / Identity-H with an identity CID-to-GID map: each 2-byte code is a glyph id.
    if (!twoByte) throw new Error('text in a simple (non-Type0) font: Tanda embeds only Type0 fonts');
    for (let i = 0; i + 1 < s.length; i += 2) ids.push((s.charCodeAt(i) << 8) | s.charCodeAt(i + 1));
  };
  for (const { op, operands } of operations(file.contents(pageIndex))) {
    if (op === 'Tf') {
      const font = file.resolve(fonts.get((operands[0] as PdfName).name)) as PdfDict;
      twoByte = (font.get('Subtype') as PdfName).name === 'Type0';
    } else if (op === 'Tj' || op === "'") show(operands[0]!);
    else if (op === '"') show(operands[2]!);
    else if (op === 'TJ') for (const part of operands[0] as PdfValue[]) show(part);
  }
  return ids;
}

export interface Tagging {
  marked: boolean;
  lang: string;
  hasStructTree: boolean;
  displayDocTitle: boolean;
  title: string;
  pdfUaPart: string | null;
  /** Structure element types, depth first. */
  structure: string[];
  figureAlts: string[];
}

export function tagging(pdf: Uint8Array): Tagging {
  const file = new PdfFile(Buffer.from(pdf));
  const root = new PdfObjectView(file, file.catalog);
  const info = new PdfObjectView(file, file.resolve(file.trailer.get('Info')));
  const metadata = file.resolve(file.catalog.get('Metadata'));
  const xmp = metadata instanceof PdfStream ? file.data(metadata).toString('utf8') : '';
  const structure: string[] = [];
  const figureAlts: string[] = [];
  const walk = (value: PdfValue | undefined) => {
    const node = value instanceof PdfRef ? file.resolve(value) : value;
    if (Array.isArray(node)) {
      for (const kid of node) walk(kid);
      return;
    }
    if (!(node instanceof Map) || !(node.get('S') instanceof PdfName)) return;
    const type = (node.get('S') as PdfName).name;
    structure.push(type);
    if (type === 'Figure') figureAlts.push(textString(String(file.resolve(node.get('Alt')) ?? '')));
    walk(node.get('K'));
  };
  const structTree = file.resolve(file.catalog.get('StructTreeRoot'));
  if (structTree instanceof Map) walk(structTree.get('K'));
  return {
    marked: root.get('MarkInfo').get('Marked').asBoolean(),
    lang: root.get('Lang').asString(),
    hasStructTree: structTree instanceof Map,
    displayDocTitle: root.get('ViewerPreferences').get('DisplayDocTitle').asBoolean(),
    title: info.get('Title').asString(),
    pdfUaPart: /<pdfuaid:part>(\d+)<\/pdfuaid:part>/.exec(xmp)?.[1] ?? null,
    structure,
    figureAlts,
  };
}
