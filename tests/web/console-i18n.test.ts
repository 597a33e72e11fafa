import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STAFF_ROLES } from '../../src/policy/policy.js';
import { CONSOLE_CATALOGUES, CONSOLE_LANGUAGES, consoleTranslate } from '../../src/web/console/i18n/index.js';

/*
 * The staff console speaks English and Bahasa Indonesia completely (the two; the other languages join as
 * data): every key in both, none empty, none left in English unless it is a word the two languages share, the same
 * placeholders; and every key the console's sources name exists.
 */
const en = CONSOLE_CATALOGUES.en as Record<string, string>;
const id = CONSOLE_CATALOGUES.id as Record<string, string>;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Lines that are the same in both languages (names, loanwords, symbols). */
const SAME_IN_BOTH = /^(?:[{}\w]+ · [{}\w]+|Administrator|Moderator|PDF|CSV|AQRF|OK|[\d\s{}%/×:.,·–-]+)$/;

describe('staff console catalogues', () => {
  it('are English and Bahasa Indonesia', () => {
    expect([...CONSOLE_LANGUAGES]).toEqual(['en', 'id']);
  });

  it('Bahasa Indonesia has every key, none empty, none left in English, the same placeholders', () => {
    const keys = Object.keys(en);
    const missing = keys.filter((k) => !id[k]?.trim());
    const english = keys.filter((k) => id[k] === en[k] && !SAME_IN_BOTH.test(en[k]!));
    const wrongPlaceholders = keys.filter((k) => id[k] && placeholders(id[k]!).join() !== placeholders(en[k]!).join());
    const extra = Object.keys(id).filter((k) => !(k in en));
    expect({ missing, english, wrongPlaceholders, extra }).toEqual({ missing: [], english: [], wrongPlaceholders: [], extra: [] });
  });

  it('has every key the console names, and a name for every staff role', () => {
    const used = new Set<string>();
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    for (const file of walk('src/web/console').filter((f) => /\.tsx?$/.test(f) && !f.includes('/i18n/'))) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\bt\('([a-zA-Z_]+\.[a-zA-Z_.]+)'/g)) used.add(m[1]!);
      for (const m of source.matchAll(/label: '([a-zA-Z_]+\.[a-zA-Z_.]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
    expect(STAFF_ROLES.map((r) => `role.${r}`).filter((k) => !(k in en))).toEqual([]);
  });

  it('fills placeholders, and shows English for a language it does not have yet', () => {
    expect(consoleTranslate('id', 'error.generic', { code: 'conflict' })).toBe('Terjadi kesalahan (conflict). Tidak ada yang diubah.');
    expect(consoleTranslate('th', 'signin.submit')).toBe('Sign in');
  });
});
