import { fontForChar, type FontWeight } from './fonts.js';
import { insertWordBreaks, normalise, splitScriptRuns, ZWSP, type ShapingFont } from './shaping.js';

/**
 * Line breaking and drawing for mixed-script, mixed-language text. pdfkit draws one font per call and its wrapper
 * cannot change fonts mid-line, so Tanda measures with the same HarfBuzz shaping pdfkit will use, wraps itself at
 * spaces and at the U+200B word breaks, and draws each line as one pdfkit call per font run, each wrapped in a Span
 * whose ActualText is the run's exact text and whose Lang is the run's language.
 */

export interface TextSpan {
  text: string;
  /** BCP 47 language: drives HarfBuzz's language-specific forms and the Span's /Lang. */
  lang: string;
  weight?: FontWeight;
  color?: string;
  /**
   * An identifier (certificate number, verification code, URL, unit code): never broken inside. When it is wider
   * than the line the block overflows, so the caller fits it at a smaller size instead of cutting the token.
   */
  keep?: boolean;
}

export interface TextStyle {
  /** Point size. */
  size: number;
  weight: FontWeight;
  color?: string;
  align?: 'left' | 'center' | 'right';
  /** Multiplier on the fonts' natural line height. */
  leading?: number;
}

export interface LineRun {
  readonly text: string;
  /**
   * What extraction and screen readers get: the text, plus the space a line was wrapped at, so words on either side
   * of a line break do not run together.
   */
  readonly actual: string;
  readonly font: ShapingFont;
  readonly lang: string;
  readonly color: string;
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
  /** A kept token (see TextSpan.keep) is wider than the line: this layout does not fit. */
  readonly overflow: boolean;
}

interface FontRun {
  text: string;
  font: ShapingFont;
}

const CACHE_LIMIT = 10_000;
const fontRunCache = new Map<string, readonly FontRun[]>();
const layoutCache = new Map<string, TextBlock>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** Splits text into runs drawable with one font, keeping combining marks with their base character. */
function fontRuns(text: string, weight: FontWeight): readonly FontRun[] {
  const key = `${weight}\u0000${text}`;
  return fontRunCache.get(key) ?? remember(fontRunCache, key, splitFontRuns(text, weight));
}

function splitFontRuns(text: string, weight: FontWeight): FontRun[] {
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

/** Spans joined into one string (NFC, with word breaks), remembering where each span starts. */
class StyledText {
  readonly text: string;
  private readonly starts: number[] = [];

  constructor(
    readonly spans: readonly TextSpan[],
    private readonly style: TextStyle,
  ) {
    let text = '';
    for (const span of spans) {
      this.starts.push(text.length);
      text += insertWordBreaks(normalise(span.text));
    }
    this.text = text;
  }

  /** Whether [start, end) touches a span that must not be broken. */
  keeps(start: number, end: number): boolean {
    for (let i = 0; i < this.spans.length; i++) {
      if (!this.spans[i]!.keep) continue;
      const from = this.starts[i]!;
      const to = this.starts[i + 1] ?? this.text.length;
      if (from < end && start < to) return true;
    }
    return false;
  }

  /** The pieces of [start, end) that share a span, with ZWSP removed. */
  private *slices(start: number, end: number): Generator<{ text: string; span: TextSpan }> {
    for (let i = 0; i < this.spans.length; i++) {
      const from = Math.max(start, this.starts[i]!);
      const to = Math.min(end, this.starts[i + 1] ?? this.text.length);
      if (from >= to) continue;
      const text = this.text.slice(from, to).replaceAll(ZWSP, '');
      if (text) yield { text, span: this.spans[i]! };
    }
  }

  runs(start: number, end: number): LineRun[] {
    const out: LineRun[] = [];
    for (const { text, span } of this.slices(start, end)) {
      for (const r of fontRuns(text, span.weight ?? this.style.weight)) {
        out.push({
          text: r.text,
          actual: r.text,
          font: r.font,
          lang: span.lang,
          color: span.color ?? this.style.color ?? '#000000',
          width: (r.font.advance(r.text, span.lang) * this.style.size) / r.font.unitsPerEm,
        });
      }
    }
    return out;
  }

  width(start: number, end: number): number {
    return this.runs(start, trimEnd(this.text, start, end)).reduce((s, r) => s + r.width, 0);
  }

  line(start: number, end: number): TextLine {
    const trimmed = trimEnd(this.text, start, end);
    const runs = this.runs(start, trimmed);
    const last = runs[runs.length - 1];
    if (last && /\s/u.test(this.text.slice(trimmed, end))) runs[runs.length - 1] = { ...last, actual: `${last.text} ` };
    let ascent = 0;
    let descent = 0;
    for (const r of runs) {
      ascent = Math.max(ascent, (r.font.lineAscent * this.style.size) / r.font.unitsPerEm);
      descent = Math.max(descent, (r.font.lineDescent * this.style.size) / r.font.unitsPerEm);
    }
    if (runs.length === 0) {
      // An empty line still takes the height of the first span's font.
      const [first] = fontRuns('x', this.style.weight);
      ascent = (first!.font.lineAscent * this.style.size) / first!.font.unitsPerEm;
      descent = (first!.font.lineDescent * this.style.size) / first!.font.unitsPerEm;
    }
    return { runs, width: runs.reduce((s, r) => s + r.width, 0), ascent, descent };
  }
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /[\s\u200B]/u.test(text[end - 1]!)) end--;
  return end;
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * Breaks spans into lines no wider than maxWidth (points). A newline in a span forces a break. Results are cached:
 * labels and catalogue titles recur on every certificate of a cohort, and fitting tries several sizes.
 */
export function layoutText(content: string | readonly TextSpan[], style: TextStyle, maxWidth: number): TextBlock {
  const spans = typeof content === 'string' ? [{ text: content, lang: 'en' }] : content;
  const key = JSON.stringify([spans, style, maxWidth]);
  return layoutCache.get(key) ?? remember(layoutCache, key, breakLines(spans, style, maxWidth));
}

function breakLines(spans: readonly TextSpan[], style: TextStyle, maxWidth: number): TextBlock {
  const styled = new StyledText(spans, style);
  const { text } = styled;
  const lines: TextLine[] = [];
  let overflow = false;
  let paragraphStart = 0;
  for (const paragraph of text.split('\n')) {
    const base = paragraphStart;
    paragraphStart += paragraph.length + 1;
    let lineStart = base;
    let lineEnd = base;
    for (const match of paragraph.matchAll(/[^ \u200B]+[ \u200B]*|[ \u200B]+/gu)) {
      const start = base + match.index;
      const end = start + match[0].length;
      if (styled.width(lineStart, end) <= maxWidth) {
        lineEnd = end;
        continue;
      }
      if (lineEnd > lineStart) lines.push(styled.line(lineStart, lineEnd));
      lineStart = start;
      lineEnd = end;
      if (styled.width(start, end) <= maxWidth) continue;
      if (styled.keeps(start, end)) {
        // An identifier stays whole: the caller tries a smaller size rather than print half a UUID on each line.
        overflow = true;
        continue;
      }
      // Any other word wider than the line (a long word in running text) is cut between grapheme clusters.
      let partStart = start;
      for (const { index, segment } of graphemes.segment(match[0])) {
        const at = start + index;
        if (at > partStart && styled.width(partStart, at + segment.length) > maxWidth) {
          lines.push(styled.line(partStart, at));
          partStart = at;
        }
      }
      lineStart = partStart;
    }
    lines.push(styled.line(lineStart, lineEnd));
  }
  const leading = style.leading ?? 1;
  return {
    lines,
    style,
    height: lines.reduce((h, l) => h + (l.ascent + l.descent) * leading, 0),
    width: lines.reduce((w, l) => Math.max(w, l.width), 0),
    overflow,
  };
}

/**
 * The result at the largest size in 0.25 pt steps from `max` down to `min` for which `attempt` succeeds, found by
 * binary search (text that fits at one size fits at every smaller one); null when `min` fails too.
 */
export function largestFitting<T>(max: number, min: number, attempt: (size: number) => T | null): T | null {
  const steps = Math.max(0, Math.floor((max - min) / 0.25 + 1e-9));
  const at = (step: number) => attempt(max - step * 0.25);
  const first = at(0);
  if (first !== null) return first;
  let best: T | null = null;
  let low = 1;
  let high = steps;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const result = at(mid);
    if (result !== null) {
      best = result;
      high = mid - 1;
    } else low = mid + 1;
  }
  return best;
}

/** The part of pdfkit's document that drawing needs. */
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
  let top = y;
  for (const line of block.lines) {
    const lineHeight = (line.ascent + line.descent) * leading;
    const baseline = top + (lineHeight - line.ascent - line.descent) / 2 + line.ascent;
    let cursor = x;
    if (style.align === 'center') cursor += (width - line.width) / 2;
    else if (style.align === 'right') cursor += width - line.width;
    for (const run of line.runs) {
      doc.font(run.font.name, style.size);
      doc.fillColor(run.color);
      doc.markContent('Span', { actual: run.actual, lang: run.lang });
      run.font.inLanguage(run.lang, () =>
        doc.text(run.text, cursor, baseline, { lineBreak: false, baseline: 'alphabetic' }),
      );
      doc.endMarkedContent();
      cursor += run.width;
    }
    top += lineHeight;
  }
  return top;
}
