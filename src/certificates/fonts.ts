import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ShapingFont, type FontScript } from './shaping.js';

export type FontWeight = 'regular' | 'bold';

/**
 * Noto Sans and its Thai, Khmer, Lao and Myanmar companions, as TTF from @expo-google-fonts (the @fontsource
 * packages ship only WOFF/WOFF2 subsets, which neither pdfkit nor HarfBuzz can use). The script fonts are designed
 * to sit next to Noto Sans, so a line mixing Latin and Thai keeps one visual weight.
 */
const FONT_FILES: Record<FontScript, Record<FontWeight, string>> = {
  latin: {
    regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  },
  thai: {
    regular: '@expo-google-fonts/noto-sans-thai/400Regular/NotoSansThai_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-thai/700Bold/NotoSansThai_700Bold.ttf',
  },
  khmer: {
    regular: '@expo-google-fonts/noto-sans-khmer/400Regular/NotoSansKhmer_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-khmer/700Bold/NotoSansKhmer_700Bold.ttf',
  },
  lao: {
    regular: '@expo-google-fonts/noto-sans-lao/400Regular/NotoSansLao_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-lao/700Bold/NotoSansLao_700Bold.ttf',
  },
  myanmar: {
    regular: '@expo-google-fonts/noto-sans-myanmar/400Regular/NotoSansMyanmar_400Regular.ttf',
    bold: '@expo-google-fonts/noto-sans-myanmar/700Bold/NotoSansMyanmar_700Bold.ttf',
  },
};

export const FONT_SCRIPTS = Object.keys(FONT_FILES) as FontScript[];
export const FONT_WEIGHTS: readonly FontWeight[] = ['regular', 'bold'];

const require = createRequire(import.meta.url);
const loaded = new Map<string, ShapingFont>();

/** Absolute path of the TTF file used for a script and weight (also used to record the shaping fixture). */
export function fontFile(script: FontScript, weight: FontWeight): string {
  return require.resolve(FONT_FILES[script][weight]);
}

/** The pdfkit font name under which a script/weight is registered in every certificate document. */
export function fontName(script: FontScript, weight: FontWeight): string {
  return `${script}-${weight}`;
}

/** Loaded once per process and shared by all documents (parsing the five faces costs tens of milliseconds). */
export function shapingFont(script: FontScript, weight: FontWeight): ShapingFont {
  const name = fontName(script, weight);
  let font = loaded.get(name);
  if (!font) {
    font = new ShapingFont(name, readFileSync(fontFile(script, weight)));
    loaded.set(name, font);
  }
  return font;
}

/**
 * The font for a run of `script`; a character that face lacks (say “ in a Lao name) falls back to Noto Sans, which
 * carries the widest repertoire.
 */
export function fontForChar(script: FontScript, weight: FontWeight, char: string): ShapingFont {
  const font = shapingFont(script, weight);
  if (script === 'latin' || font.hasGlyph(char.codePointAt(0)!)) return font;
  return shapingFont('latin', weight);
}
