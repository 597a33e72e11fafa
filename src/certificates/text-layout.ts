import { fontForChar, type FontWeight } from './fonts.js';
import { insertWordBreaks, normalise, splitScriptRuns, ZWSP, type ShapingFont } from './shaping.js';

/**
 * Line breaking and drawing for mixed-script text. pdfkit draws one font per call and its wrapper cannot change
 * fonts mid-line, so Tanda measures with the same HarfBuzz shaping pdfkit will use, wraps itself at spaces and at
 * the U+200B word breaks, and draws each line as one pdfkit call per font run, each wrapped in a Span whose
 * ActualText is the run's exact text.
 */

export interface TextStyle {
  /** Point size. */
  size: number;
  weight: FontWeight;
  /** BCP 47 language: drives HarfBuzz's language-specific forms and the Span's /Lang. */
  lang: string;
  color?: string;
  align?: 'left' | 'center' | 'right';
  /** Multiplier on the fonts' natural line height. */
  leading?: number;
}

export interface LineRun {
  readonly text: string;
  readonly font: ShapingFont;
  /** Points. */
  readonly width: number;
}

export interface TextLine {
  readonly runs: readonly LineRun[];
  readonly width: number;
  readonly ascent: number;
  readonly descent: number;
}

export interface TextBlock {
  readonly lines: readonly TextLine[];
  readonly style: TextStyle;
  readonly height: number;
  /** Widest line, points. */
  readonly width: number;
}

interface FontRun {
  text: string;
  font: ShapingFont;
}

/** Splits text into runs drawable with one font, keeping combining marks with their base character. */
export function fontRuns(text: string, weight: FontWeight): FontRun[] {
  const runs: FontRun[] = [];
  for (const run of splitScriptRuns(text)) {
    for (const char of run.text) {
      const last = runs[runs.length - 1];
      const isMark = /\p{M}/u.test(char);
      const font = isMark && last ? last.font : fontForChar(run.script, weight, char);
      if (last && last.font === font) last.text += char;
      else runs.push({ text: char, font });
    }
  }
  return runs;
}

function widthOf(text: string, style: TextStyle): number {
  let width = 0;
  for (const run of fontRuns(text, style.weight)) {
    width += (run.font.advance(run.text, style.lang) * style.size) / run.font.unitsPerEm;
  }
  return width;
}

function buildLine(text: string, style: TextStyle): TextLine {
  const runs = fontRuns(text, style.weight).map((r) => ({
    text: r.text,
    font: r.font,
    width: (r.font.advance(r.text, style.lang) * style.size) / r.font.unitsPerEm,
  }));
  let ascent = 0;
  let descent = 0;
  for (const r of runs) {
    ascent = Math.max(ascent, (r.font.lineAscent * style.size) / r.font.unitsPerEm);
    descent = Math.max(descent, (r.font.lineDescent * style.size) / r.font.unitsPerEm);
  }
  return { runs, width: runs.reduce((s, r) => s + r.width, 0), ascent, descent };
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** A word wider than the line (a long URL or code) is cut between grapheme clusters. */
function splitLongWord(word: string, style: TextStyle, maxWidth: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const { segment } of graphemes.segment(word)) {
    if (current && widthOf(current + segment, style) > maxWidth) {
      parts.push(current);
      current = segment;
    } else current += segment;
  }
  if (current) parts.push(current);
  return parts;
}

/** Breaks text into lines no wider than maxWidth (points). Explicit newlines are kept. */
export function layoutText(text: string, style: TextStyle, maxWidth: number): TextBlock {
  const lines: TextLine[] = [];
  for (const paragraph of normalise(text).split('\n')) {
    const pieces = insertWordBreaks(paragraph).match(/[^ \u200B]+[ \u200B]*|[ \u200B]+/gu) ?? [''];
    let current = '';
    const flush = () => {
      lines.push(buildLine(current.replaceAll(ZWSP, '').trimEnd(), style));
      current = '';
    };
    for (const raw of pieces) {
      const candidate = (current + raw).replaceAll(ZWSP, '').trimEnd();
      if (widthOf(candidate, style) <= maxWidth) {
        current += raw;
        continue;
      }
      if (current) flush();
      const word = raw.replaceAll(ZWSP, '');
      if (widthOf(word.trimEnd(), style) <= maxWidth) {
        current = raw;
        continue;
      }
      const parts = splitLongWord(word.trimEnd(), style, maxWidth);
      for (const part of parts.slice(0, -1)) lines.push(buildLine(part, style));
      current = parts[parts.length - 1] ?? '';
    }
    flush();
  }
  const leading = style.leading ?? 1;
  return {
    lines,
    style,
    height: lines.reduce((h, l) => h + (l.ascent + l.descent) * leading, 0),
    width: lines.reduce((w, l) => Math.max(w, l.width), 0),
  };
}

export interface FitOptions {
  /** Smallest point size allowed before giving up. */
  minSize: number;
  maxLines?: number;
}

/**
 * Lays text out at the largest size (stepping down by 0.25 pt from style.size) that fits width × height; null when
 * even minSize does not fit.
 */
export function fitText(text: string, style: TextStyle, width: number, height: number, fit: FitOptions): TextBlock | null {
  for (let size = style.size; size >= fit.minSize - 1e-9; size -= 0.25) {
    const block = layoutText(text, { ...style, size }, width);
    if (block.height <= height + 1e-6 && (fit.maxLines === undefined || block.lines.length <= fit.maxLines)) {
      return block;
    }
  }
  return null;
}

/** The subset of pdfkit's document that drawing needs; keeps this module testable without a page. */
export interface TextCanvas {
  font(name: string, size?: number): unknown;
  fillColor(color: string): unknown;
  text(text: string, x: number, y: number, options: { lineBreak: false; baseline: 'alphabetic' }): unknown;
  markContent(tag: 'Span', options: { actual: string; lang: string }): unknown;
  endMarkedContent(): unknown;
}

/**
 * Draws a laid-out block with its top-left corner at (x, y) in points; `width` is the box width used for alignment.
 * Returns the y of the block's bottom.
 */
export function drawText(doc: TextCanvas, block: TextBlock, x: number, y: number, width: number): number {
  const { style } = block;
  const leading = style.leading ?? 1;
  doc.fillColor(style.color ?? '#000000');
  let top = y;
  for (const line of block.lines) {
    const lineHeight = (line.ascent + line.descent) * leading;
    const baseline = top + (lineHeight - line.ascent - line.descent) / 2 + line.ascent;
    let cursor = x;
    if (style.align === 'center') cursor += (width - line.width) / 2;
    else if (style.align === 'right') cursor += width - line.width;
    for (const run of line.runs) {
      doc.font(run.font.name, style.size);
      doc.markContent('Span', { actual: run.text, lang: style.lang });
      run.font.inLanguage(style.lang, () => doc.text(run.text, cursor, baseline, { lineBreak: false, baseline: 'alphabetic' }));
      doc.endMarkedContent();
      cursor += run.width;
    }
    top += lineHeight;
  }
  return top;
}
