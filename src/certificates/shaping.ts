import * as hb from 'harfbuzzjs';
import * as fontkit from 'fontkit';

/**
 * Text shaping for the certificate PDFs.
 *
 * pdfkit 0.20.2 shapes with fontkit 2.0.4, which has no Myanmar shaper, crashes on some Khmer words and misorders
 * Thai/Lao tone marks before sara am. pdfkit accepts any font object with a `layout()` method, so each font is a
 * fontkit font (pdfkit still embeds and subsets through fontkit) whose `layout()` is answered by HarfBuzz.
 * This relies on pdfkit 0.20.2 / fontkit 2.0.4 internals (the GlyphRun shape pdfkit reads); both are pinned.
 */

/** The font families Tanda embeds; every other script falls back to `latin` (Noto Sans covers Latin, Greek, Cyrillic). */
export type FontScript = 'latin' | 'thai' | 'khmer' | 'lao' | 'myanmar';

export interface ShapedGlyph {
  readonly id: number;
  /** UTF-16 offset of the first character of this glyph's cluster in the shaped text. */
  readonly cluster: number;
  readonly xAdvance: number;
  readonly yAdvance: number;
  readonly xOffset: number;
  readonly yOffset: number;
}

export const ZWSP = '\u200B';

const SHAPE_CACHE_LIMIT = 20_000;

/**
 * One TTF face, parsed once by fontkit (for pdfkit's embedding) and once by HarfBuzz (for shaping), shared by all
 * documents. Shaping results are cached across documents because certificate labels repeat on every page.
 */
export class ShapingFont {
  /** The object handed to pdfkit's registerFont: fontkit's font with `layout` answered by HarfBuzz. */
  readonly pdfFont: fontkit.Font;
  readonly unitsPerEm: number;
  /** Line extents in font units: the larger of hhea and OS/2 win metrics, so stacked marks are never clipped. */
  readonly lineAscent: number;
  readonly lineDescent: number;

  private readonly hbFont: hb.Font;
  private readonly cache = new Map<string, readonly ShapedGlyph[]>();
  private readonly glyphCache = new Map<string, readonly fontkit.Glyph[]>();
  /** pdfkit's layout() call carries no language, so the caller sets it around each drawing call. */
  private language = 'en';

  constructor(
    readonly name: string,
    data: Uint8Array,
  ) {
    const parsed = fontkit.create(data);
    if (!('unitsPerEm' in parsed)) throw new Error(`${name}: a font collection, expected a single TTF face`);
    this.pdfFont = parsed;
    Object.defineProperty(parsed, 'layout', {
      value: (text: string, features?: string[] | Record<string, boolean>) => this.glyphRun(text, features),
    });
    memoiseOutlines(parsed);
    this.unitsPerEm = parsed.unitsPerEm;
    const os2 = parsed['OS/2'];
    this.lineAscent = Math.max(parsed.ascent, os2.winAscent);
    this.lineDescent = Math.max(-parsed.descent, os2.winDescent);
    this.hbFont = new hb.Font(new hb.Face(new hb.Blob(data), 0));
  }

  /** Runs `draw` (which calls pdfkit) with HarfBuzz shaping in language `lang` (BCP 47). */
  inLanguage<T>(lang: string, draw: () => T): T {
    const previous = this.language;
    this.language = lang;
    try {
      return draw();
    } finally {
      this.language = previous;
    }
  }

  hasGlyph(codePoint: number): boolean {
    return this.pdfFont.hasGlyphForCodePoint(codePoint);
  }

  shape(text: string, lang: string, features: readonly string[] = []): readonly ShapedGlyph[] {
    const key = `${lang}\u0000${features.join(',')}\u0000${text}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const glyphs = shapeWithHarfBuzz(this.hbFont, text, lang, features);
    if (this.cache.size >= SHAPE_CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, glyphs);
    return glyphs;
  }

  /** Advance width of `text` in font units. */
  advance(text: string, lang: string): number {
    let width = 0;
    for (const glyph of this.shape(text, lang)) width += glyph.xAdvance;
    return width;
  }

  /** pdfkit's view of a shaped run; positions are fresh objects because pdfkit scales them in place. */
  private glyphRun(text: string, features?: string[] | Record<string, boolean>): fontkit.GlyphRun {
    const featureTags = featureList(features);
    const shaped = this.shape(text, this.language, featureTags);
    // pdfkit lays out each string twice (to draw it, then to advance x): the glyph objects are reused, never changed.
    const key = `${this.language}\u0000${featureTags.join(',')}\u0000${text}`;
    let glyphs = this.glyphCache.get(key);
    if (!glyphs) {
      const codePoints = clusterCodePoints(text, shaped);
      glyphs = shaped.map((g, i) => this.pdfFont.getGlyph(g.id, codePoints[i]));
      if (this.glyphCache.size >= SHAPE_CACHE_LIMIT) this.glyphCache.clear();
      this.glyphCache.set(key, glyphs);
    }
    const positions = shaped.map((g) => ({ xAdvance: g.xAdvance, yAdvance: g.yAdvance, xOffset: g.xOffset, yOffset: g.yOffset }));
    return {
      glyphs: glyphs as fontkit.Glyph[],
      positions,
      // pdfkit reads this after scaling the positions, as it does with fontkit's GlyphRun getter.
      get advanceWidth() {
        return positions.reduce((sum, p) => sum + p.xAdvance, 0);
      },
    };
  }
}

/** fontkit's TTF glyph, as far as its subsetter uses it. */
interface DecodableGlyph extends fontkit.Glyph {
  _decode(): unknown;
}

/**
 * fontkit's subsetter parses the outline of every glyph it embeds, again for each document; outlines never change
 * and fontkit keeps one glyph object per id, so each glyph parses once per process (a quarter of a page's time).
 */
function memoiseOutlines(font: fontkit.Font): void {
  const getGlyph = font.getGlyph.bind(font);
  const done = new WeakSet<fontkit.Glyph>();
  Object.defineProperty(font, 'getGlyph', {
    value: (id: number, codePoints?: number[]) => {
      const glyph = getGlyph(id, codePoints) as DecodableGlyph;
      if (!done.has(glyph)) {
        done.add(glyph);
        const decode = glyph._decode.bind(glyph);
        let outline: unknown;
        let parsed = false;
        glyph._decode = () => {
          if (!parsed) {
            outline = decode();
            parsed = true;
          }
          return outline;
        };
      }
      return glyph;
    },
  });
}

// One buffer reused for every call: JavaScript is single-threaded and shaping is synchronous.
let sharedBuffer: hb.Buffer | undefined;

function shapeWithHarfBuzz(font: hb.Font, text: string, lang: string, features: readonly string[]): ShapedGlyph[] {
  const buffer = (sharedBuffer ??= new hb.Buffer());
  buffer.reset();
  buffer.addText(text);
  // Language before guessing: guessSegmentProperties only fills what is unset.
  buffer.setLanguage(lang);
  buffer.guessSegmentProperties();
  buffer.setClusterLevel(hb.ClusterLevel.MONOTONE_CHARACTERS);
  const hbFeatures = features.map((f) => hb.Feature.fromString(f)).filter((f): f is hb.Feature => f !== undefined);
  hb.shape(font, buffer, hbFeatures);
  const infos = buffer.getGlyphInfos();
  const positions = buffer.getGlyphPositions();
  return infos.map((info, i) => {
    const p = positions[i]!;
    return {
      id: info.codepoint,
      cluster: info.cluster,
      xAdvance: p.xAdvance,
      yAdvance: p.yAdvance,
      xOffset: p.xOffset,
      yOffset: p.yOffset,
    };
  });
}

function featureList(features?: string[] | Record<string, boolean>): string[] {
  if (!features) return [];
  if (Array.isArray(features)) return features;
  return Object.entries(features).map(([tag, on]) => (on ? tag : `-${tag}`));
}

/**
 * The characters a glyph stands for in the font's ToUnicode map: the whole cluster for its first glyph, none for
 * the others. ActualText carries the exact string; this only improves extraction by tools that ignore ActualText.
 */
function clusterCodePoints(text: string, shaped: readonly ShapedGlyph[]): number[][] {
  // Clusters are monotone (MONOTONE_CHARACTERS, left-to-right scripts only), so a cluster ends where the next begins.
  return shaped.map((g, i) => {
    if (i > 0 && shaped[i - 1]!.cluster === g.cluster) return [];
    let next = i + 1;
    while (next < shaped.length && shaped[next]!.cluster === g.cluster) next++;
    const end = shaped[next]?.cluster ?? text.length;
    return Array.from(text.slice(g.cluster, end), (c) => c.codePointAt(0)!);
  });
}

const SCRIPT_PATTERNS: ReadonlyArray<[FontScript, RegExp]> = [
  ['thai', /\p{Script=Thai}/u],
  ['khmer', /\p{Script=Khmer}/u],
  ['lao', /\p{Script=Lao}/u],
  ['myanmar', /\p{Script=Myanmar}/u],
];
const NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

const scriptCache = new Map<string, FontScript | null>();

/** The script of a character, or null for characters (spaces, digits, punctuation, marks) that follow their neighbours. */
export function scriptOf(char: string): FontScript | null {
  let script = scriptCache.get(char);
  if (script === undefined) {
    script = NEUTRAL.test(char) ? null : (SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(char))?.[0] ?? 'latin');
    scriptCache.set(char, script);
  }
  return script;
}

export interface ScriptRun {
  readonly text: string;
  readonly script: FontScript;
}

/** Splits text into runs of one script; neutral characters join the run before them (or after, at the start). */
export function splitScriptRuns(text: string): ScriptRun[] {
  const runs: { text: string; script: FontScript | null }[] = [];
  for (const char of text) {
    const script = scriptOf(char);
    const last = runs[runs.length - 1];
    if (last && (script === null || script === last.script)) last.text += char;
    else if (last && last.script === null) {
      last.text += char;
      last.script = script;
    } else runs.push({ text: char, script });
  }
  return runs.map((r) => ({ text: r.text, script: r.script ?? 'latin' }));
}

/** Every string printed is NFC, so the same name always maps to the same glyphs and extracts identically. */
export function normalise(text: string): string {
  return text.normalize('NFC');
}

const SEGMENTER_LANG: Partial<Record<FontScript, string>> = { thai: 'th', khmer: 'km', lao: 'lo', myanmar: 'my' };
const segmenters = new Map<string, Intl.Segmenter>();

function segmenter(lang: string): Intl.Segmenter {
  let s = segmenters.get(lang);
  if (!s) {
    s = new Intl.Segmenter(lang, { granularity: 'word' });
    segmenters.set(lang, s);
  }
  return s;
}

/**
 * Thai, Khmer, Lao and Burmese write words without spaces, and pdfkit (like Tanda's own wrapper) only breaks at
 * spaces, so U+200B is inserted at the word boundaries ICU's dictionary segmenter finds.
 */
export function insertWordBreaks(text: string): string {
  let out = '';
  for (const run of splitScriptRuns(text)) {
    const lang = SEGMENTER_LANG[run.script];
    if (!lang) {
      out += run.text;
      continue;
    }
    // Only between two words: never after an opening bracket or before a closing one or a full stop.
    let previousIsWord = false;
    for (const { segment, isWordLike } of segmenter(lang).segment(run.text)) {
      if (previousIsWord && isWordLike) out += ZWSP;
      out += segment;
      previousIsWord = isWordLike === true;
    }
  }
  return out;
}
