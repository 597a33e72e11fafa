/**
 * Regenerates fixtures/reference-shaping.json from HarfBuzz's own command-line shaper. NOT part of the test run:
 * run by hand after changing the fonts or the word list, on a machine with hb-shape (Debian: libharfbuzz-bin):
 *
 *   npx tsx tests/certificates/record-reference-shaping.ts
 *
 * Then review the diff: glyph changes mean the printed text changes.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fontFile } from '../../src/certificates/fonts.js';
import { SHAPING_CASES } from './fixtures/shaping-words.js';

interface HbGlyph {
  g: number;
  cl: number;
  dx: number;
  dy: number;
  ax: number;
  ay: number;
}

const version = execFileSync('hb-shape', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
const cases = SHAPING_CASES.map((c) => {
  const file = fontFile(c.script, c.weight);
  const out = execFileSync(
    'hb-shape',
    ['--no-glyph-names', '--output-format=json', `--language=${c.lang}`, '--cluster-level=1', file, c.text.normalize('NFC')],
    { encoding: 'utf8' },
  );
  const glyphs = (JSON.parse(out) as HbGlyph[]).map((g) => [g.g, g.cl, g.ax, g.dx, g.dy]);
  return { ...c, font: basename(file), glyphs };
});
const header = JSON.stringify({ recordedWith: version, clusterLevel: 'MONOTONE_CHARACTERS', glyphFields: ['id', 'cluster', 'xAdvance', 'xOffset', 'yOffset'] });
// One case a line, so a font or shaper change shows up as a readable diff.
writeFileSync(
  new URL('./fixtures/reference-shaping.json', import.meta.url),
  `${header.slice(0, -1)},"cases":[\n${cases.map((c) => JSON.stringify(c)).join(',\n')}\n]}\n`,
);
console.log(`recorded ${cases.length} cases with ${version}`);
