import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { fontFile, shapingFont } from '../../src/certificates/fonts.js';
import { insertWordBreaks, splitScriptRuns, ZWSP } from '../../src/certificates/shaping.js';
import { drawText, layoutText } from '../../src/certificates/text-layout.js';
import { actualTextSpans } from '../helpers/pdf-inspect.js';
import { SHAPING_CASES, type ShapingCase } from './fixtures/shaping-words.js';

type Glyph = [id: number, cluster: number, xAdvance: number, xOffset: number, yOffset: number];
interface Reference extends ShapingCase {
  font: string;
  glyphs: Glyph[];
}

const reference = JSON.parse(readFileSync(new URL('./fixtures/reference-shaping.json', import.meta.url), 'utf8')) as {
  cases: Reference[];
};

/** pdfkit's embedded-font object, as far as this test looks into it (pdfkit 0.20.2 internals). */
interface EmbeddedFont {
  encode(text: string, features?: unknown): [string[], Array<{ xAdvance: number; xOffset: number; yOffset: number }>];
  subset: { glyphs: number[] };
}

/**
 * Draws `text` with pdfkit and returns the glyphs pdfkit actually wrote to the content stream (mapped back from
 * subset ids to the font's glyph ids), with their positions in font units (all these fonts have 1000 units/em).
 */
function drawnByPdfkit(c: ShapingCase): { glyphs: Glyph[]; pdf: Promise<Buffer> } {
  const font = shapingFont(c.script, c.weight);
  const doc = new PDFDocument({ font: '', fontLayoutCache: false, tagged: true });
  doc.registerFont(font.name, font.pdfFont as unknown as Buffer);
  doc.font(font.name, 20);
  const embedded = (doc as unknown as { _font: EmbeddedFont })._font;
  const glyphs: Glyph[] = [];
  const encode = embedded.encode.bind(embedded);
  embedded.encode = (text, features) => {
    const [hex, positions] = encode(text, features);
    hex.forEach((h, i) => {
      const p = positions[i]!;
      glyphs.push([embedded.subset.glyphs[parseInt(h, 16)]!, -1, Math.round(p.xAdvance), Math.round(p.xOffset), Math.round(p.yOffset)]);
    });
    return [hex, positions];
  };
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const pdf = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  drawText(doc, layoutText([{ text: c.text, lang: c.lang }], { size: 20, weight: c.weight }, 1000), 20, 20, 1000);
  doc.end();
  return { glyphs, pdf };
}

describe('shaping through pdfkit matches HarfBuzz (hb-shape reference)', () => {
  it('has a reference for every word', () => {
    expect(reference.cases.map(({ script, lang, weight, text }) => ({ script, lang, weight, text }))).toEqual(SHAPING_CASES);
  });

  for (const ref of reference.cases) {
    it(`${ref.script} ${ref.weight} ${ref.text}`, async () => {
      expect(fontFile(ref.script, ref.weight)).toMatch(new RegExp(`${ref.font}$`));
      const { glyphs, pdf } = drawnByPdfkit(ref);
      expect(glyphs.map(([id, , ax, dx, dy]) => [id, ax, dx, dy])).toEqual(ref.glyphs.map(([id, , ax, dx, dy]) => [id, ax, dx, dy]));
      expect(actualTextSpans(await pdf).map((s) => s.text).join('')).toBe(ref.text);
    });
  }

  it('would fail if pdfkit shaped with fontkit again', () => {
    // fontkit's own layout differs from the reference for every Burmese word with a pre-base vowel or medial ra.
    for (const ref of reference.cases.filter((c) => c.script === 'myanmar' && /[ေြ]/u.test(c.text))) {
      const plain = fontkit.create(readFileSync(fontFile(ref.script, ref.weight))) as fontkit.Font;
      expect(plain.layout(ref.text).glyphs.map((g) => g.id)).not.toEqual(ref.glyphs.map(([id]) => id));
    }
  });
});

describe('text preparation', () => {
  it('inserts U+200B only between words of Thai, Khmer, Lao and Burmese', () => {
    expect(insertWordBreaks('สวัสดีครับนายสมชาย')).toBe(['สวัสดี', 'ครับ', 'นาย', 'สมชาย'].join(ZWSP));
    expect(insertWordBreaks('ສະບາຍດີປະເທດລາວ')).toBe(['ສະບາຍດີ', 'ປະເທດ', 'ລາວ'].join(ZWSP));
    expect(insertWordBreaks('Nguyễn Thị Hương')).toBe('Nguyễn Thị Hương');
    // No break after an opening bracket or before a closing one.
    expect(insertWordBreaks('(အင်တာနက်)')).toMatch(/^\(\S+\)$/u);
    expect(insertWordBreaks('(အင်တာနက်)').replaceAll(ZWSP, '')).toBe('(အင်တာနက်)');
  });

  it('splits strings into script runs, spaces and punctuation joining their neighbours', () => {
    expect(splitScriptRuns('Somying (สมหญิง) 2026')).toEqual([
      { text: 'Somying (', script: 'latin' },
      { text: 'สมหญิง) 2026', script: 'thai' },
    ]);
    expect(splitScriptRuns('123 - 456')).toEqual([{ text: '123 - 456', script: 'latin' }]);
  });

  it('wraps Thai at word boundaries, never inside a word, and keeps the text intact', () => {
    const text = 'พนักงานทำความสะอาดห้องพักโรงแรมและบริการแม่บ้านระดับมืออาชีพ';
    const block = layoutText([{ text, lang: 'th' }], { size: 12, weight: 'regular' }, 120);
    expect(block.lines.length).toBeGreaterThan(1);
    const lines = block.lines.map((l) => l.runs.map((r) => r.text).join(''));
    expect(lines.join('')).toBe(text);
    const words = new Set([...new Intl.Segmenter('th', { granularity: 'word' }).segment(text)].map((s) => s.index));
    let offset = 0;
    for (const line of lines.slice(0, -1)) {
      offset += line.length;
      expect(words.has(offset)).toBe(true);
    }
    for (const line of block.lines) expect(line.width).toBeLessThanOrEqual(120);
  });

  it('NFC-normalises: a decomposed Vietnamese name is laid out as its composed form', () => {
    const decomposed = 'Nguye\u0302\u0303n'; // ễ as e + circumflex + tilde
    const block = layoutText([{ text: decomposed, lang: 'vi' }], { size: 12, weight: 'regular' }, 500);
    expect(block.lines[0]!.runs.map((r) => r.text).join('')).toBe('Nguyễn');
  });
});
