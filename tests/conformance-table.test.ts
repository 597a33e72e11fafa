import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * docs/conformance.md names, for each MUST, a test file and part of a test title. This checks that every row names
 * a test that exists (whether it passes is the rest of the suite's job), so the table cannot point at nothing.
 */
const root = new URL('../', import.meta.url);
const table = fs.readFileSync(new URL('docs/conformance.md', root), 'utf8');
const rows = table.split('\n').filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line) && !line.startsWith('| rule') && !line.startsWith('| MUST') && !line.startsWith('| requirement') && !line.startsWith('| class') && !line.startsWith('| schema says'));
const POINTER = /`(tests\/[^`]+\.test\.ts)` › "([^"]+)"/;

/** Test titles of a file, with it.each placeholders (%s) turned into wildcards. */
function titles(file: string): RegExp[] {
  const source = fs.readFileSync(new URL(file, root), 'utf8');
  const out: RegExp[] = [];
  for (const m of source.matchAll(/\bit(?:\.each\([\s\S]*?\))?\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)) {
    const title = m[2]!.replace(/\\'/g, "'");
    out.push(new RegExp(title.split('%s').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')));
  }
  // it.each rows: their leading strings are substituted for the %s of the title.
  const literal = (text: string) => new RegExp(text.replace(/\\'/g, "'").replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  for (const m of source.matchAll(/^\s*\[\s*'((?:\\'|[^'])*)'(?:,\s*'((?:\\'|[^'])*)')?/gm)) {
    out.push(literal(m[1]!));
    if (m[2]) out.push(literal(m[2]));
  }
  return out;
}

describe('docs/conformance.md', () => {
  it('has a row for each MUST area, every one naming a test', () => {
    expect(rows.length).toBeGreaterThan(90);
    const missing = rows.filter((r) => !POINTER.test(r));
    expect(missing).toEqual([]);
  });

  it('every named test exists in the file it names', () => {
    const cache = new Map<string, RegExp[]>();
    const dangling: string[] = [];
    for (const row of rows) {
      const [, file, fragment] = row.match(POINTER)!;
      if (!fs.existsSync(new URL(file!, root))) {
        dangling.push(`${file}: no such file`);
        continue;
      }
      if (!cache.has(file!)) cache.set(file!, titles(file!));
      const found = cache.get(file!)!.some((t) => t.test(fragment!) || t.source.replace(/\\/g, '').includes(fragment!));
      if (!found) dangling.push(`${file} › ${fragment}`);
    }
    expect(dangling).toEqual([]);
  });
});
