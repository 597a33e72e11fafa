import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STAFF_ROLES } from '../../src/policy/policy.js';
import { LANGUAGES } from '../../src/verifier/i18n/index.js';
import { LANGUAGE_NAMES } from '../../src/web/language.js';
import { CONSOLE_CATALOGUES, CONSOLE_LANGUAGES, consoleTranslate } from '../../src/web/console/i18n/index.js';

/*
 * The staff console speaks the verifier's nine languages completely: every key in every catalogue, none empty, none
 * left in English unless it is a name, acronym or symbol line, the script of the language in every line that has
 * words, the same placeholders; and every key the console's sources name exists.
 */
const en = CONSOLE_CATALOGUES.en as Record<string, string>;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Lines that are the same in every language (names, acronyms, symbols). */
const SAME_IN_ALL = /^(?:[{}\w]+ · [{}\w]+|PDF|CSV|AQRF|OK|[\d\s{}%/×:.,·–-]+)$/;
/** Lines every language writes in its own words, though one of them may share the English word (Administrator, Moderator). */
const SHARED_WORDS: Record<string, RegExp> = { id: /^(?:Administrator|Moderator)$/, ms: /^(?:Moderator)$/, fil: /^(?:Administrator|Moderator)$/ };
// Languages with their own script: every line with words must contain some of it (an English line slipped in has none).
const SCRIPT: Record<string, RegExp> = { th: /[\u0E00-\u0E7F]/, lo: /[\u0E80-\u0EFF]/, km: /[\u1780-\u17FF]/, my: /[\u1000-\u109F]/ };
const languages = CONSOLE_LANGUAGES.filter((l) => l !== 'en');

describe('staff console catalogues', () => {
  it('are the verifier\'s nine languages', () => {
    expect([...CONSOLE_LANGUAGES].sort()).toEqual(Object.keys(LANGUAGES).sort());
    // The pickers of the console and /me name each language as the verifier does.
    expect(Object.fromEntries(CONSOLE_LANGUAGES.map((l) => [l, LANGUAGE_NAMES[l]]))).toEqual(Object.fromEntries(Object.entries(LANGUAGES).map(([l, { name }]) => [l, name])));
  });

  it.each(languages)('%s has every key, none empty, none left in English, its own script, the same placeholders', (lang) => {
    const catalogue = CONSOLE_CATALOGUES[lang] as Record<string, string | undefined>;
    const keys = Object.keys(en);
    const missing = keys.filter((k) => !catalogue[k]?.trim());
    const english = keys.filter((k) => catalogue[k] === en[k] && !SAME_IN_ALL.test(en[k]!) && !SHARED_WORDS[lang]?.test(en[k]!));
    const noScript = SCRIPT[lang] ? keys.filter((k) => catalogue[k] && !SAME_IN_ALL.test(catalogue[k]!) && !SCRIPT[lang]!.test(catalogue[k]!)) : [];
    const wrongPlaceholders = keys.filter((k) => catalogue[k] && placeholders(catalogue[k]!).join() !== placeholders(en[k]!).join());
    const extra = Object.keys(catalogue).filter((k) => !(k in en));
    expect({ missing, english, noScript, wrongPlaceholders, extra }).toEqual({ missing: [], english: [], noScript: [], wrongPlaceholders: [], extra: [] });
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

  it('fills placeholders, and falls back to English only for a language it does not have', () => {
    expect(consoleTranslate('id', 'error.generic', { code: 'conflict' })).toBe('Terjadi kesalahan (conflict). Tidak ada yang diubah.');
    expect(consoleTranslate('xx', 'signin.submit')).toBe('Sign in');
  });
});
