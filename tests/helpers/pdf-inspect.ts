import * as mupdf from 'mupdf';

/**
 * Reads back what a PDF tells text extractors and screen readers, with MuPDF (npm, WASM).
 *
 * MuPDF's own text extraction maps ActualText glyph by glyph and garbles Khmer and Burmese clusters, so the text an
 * ActualText-aware extractor (poppler's pdftotext, Acrobat) returns is read here from the marked-content
 * properties in the page's content stream instead.
 */

export function openPdf(pdf: Uint8Array): mupdf.PDFDocument {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf').asPDF();
  if (!doc) throw new Error('not a PDF');
  return doc;
}

function contentStream(doc: mupdf.PDFDocument, pageIndex: number): string {
  const contents = doc.findPage(pageIndex).get('Contents');
  const streams = contents.isArray() ? Array.from({ length: contents.length }, (_, i) => contents.get(i)) : [contents];
  return streams.map((s) => Buffer.from(s.readStream().asUint8Array()).toString('latin1')).join('\n');
}

/**
 * A PDF literal string starting at `start` (just after its opening parenthesis), unescaped per ISO 32000 7.3.4.2.
 * Hand-written because MuPDF's JavaScript API does not expose its content-stream lexer.
 */
function literalString(source: string, start: number): string {
  let depth = 1;
  let out = '';
  for (let i = start; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[++i]!;
      const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
      if (next in escapes) out += escapes[next];
      else if (/[0-7]/.test(next)) {
        const octal = /^[0-7]{1,3}/.exec(source.slice(i, i + 3))![0];
        out += String.fromCharCode(parseInt(octal, 8));
        i += octal.length - 1;
      } else if (next === '\r' || next === '\n') continue;
      else out += next;
    } else if (c === '(') {
      depth++;
      out += c;
    } else if (c === ')') {
      if (--depth === 0) return out;
      out += c;
    } else out += c;
  }
  throw new Error('unterminated PDF string');
}

/** Text strings are UTF-16BE with a byte order mark, or PDFDocEncoding (ASCII for what Tanda writes). */
function decodeTextString(bytes: string): string {
  if (!bytes.startsWith('\xFE\xFF')) return bytes;
  return Buffer.from(bytes.slice(2), 'latin1').swap16().toString('utf16le');
}

export interface MarkedSpan {
  text: string;
  lang: string;
}

/** The ActualText and Lang of every marked-content span on a page, in content order. */
export function actualTextSpans(pdf: Uint8Array, pageIndex = 0): MarkedSpan[] {
  const source = contentStream(openPdf(pdf), pageIndex);
  const spans: MarkedSpan[] = [];
  for (const match of source.matchAll(/\/Span <<(.*?)\/ActualText \(/gs)) {
    const text = decodeTextString(literalString(source, match.index + match[0].length));
    const lang = /\/Lang \(/.exec(match[1]!) ? decodeTextString(literalString(match[1]!, match[1]!.indexOf('/Lang (') + 7)) : '';
    spans.push({ text, lang });
  }
  return spans;
}

/** Glyph ids drawn on a page (ids in the embedded subsets; 0 is .notdef, a missing glyph). */
export function drawnGlyphIds(pdf: Uint8Array, pageIndex = 0): number[] {
  const page = mupdf.Document.openDocument(pdf, 'application/pdf').loadPage(pageIndex);
  const ids: number[] = [];
  const device = new mupdf.Device({
    fillText(text: mupdf.Text) {
      text.walk({ showGlyph: (_font, _trm, glyph) => ids.push(glyph) });
    },
  });
  page.run(device, mupdf.Matrix.identity);
  device.close();
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
  const doc = openPdf(pdf);
  const root = doc.getTrailer().get('Root');
  const info = doc.getTrailer().get('Info');
  const metadata = root.get('Metadata');
  const xmp = metadata.isNull() ? '' : Buffer.from(metadata.readStream().asUint8Array()).toString('utf8');
  const structure: string[] = [];
  const figureAlts: string[] = [];
  const walk = (node: mupdf.PDFObject) => {
    if (node.isArray()) {
      for (let i = 0; i < node.length; i++) walk(node.get(i));
      return;
    }
    if (!node.isDictionary() || node.get('S').isNull()) return;
    const type = node.get('S').asName();
    structure.push(type);
    if (type === 'Figure') figureAlts.push(node.get('Alt').asString());
    walk(node.get('K'));
  };
  const structTree = root.get('StructTreeRoot');
  if (!structTree.isNull()) walk(structTree.get('K'));
  return {
    marked: root.get('MarkInfo').get('Marked').asBoolean(),
    lang: root.get('Lang').asString(),
    hasStructTree: !structTree.isNull(),
    displayDocTitle: root.get('ViewerPreferences').get('DisplayDocTitle').asBoolean(),
    title: info.get('Title').asString(),
    pdfUaPart: /<pdfuaid:part>(\d+)<\/pdfuaid:part>/.exec(xmp)?.[1] ?? null,
    structure,
    figureAlts,
  };
}
