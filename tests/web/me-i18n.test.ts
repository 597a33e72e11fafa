import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_KINDS } from '../../src/rpl/evidence.js';
import { CASE_STATES } from '../../src/rpl/transitions.js';
import { REVOCATION_REASONS } from '../../src/status/status-service.js';
import { en as verifierEn } from '../../src/verifier/i18n/en.js';
import { LANGUAGES } from '../../src/verifier/i18n/index.js';
import { en } from '../../src/web/me/i18n/en.js';
import { ME_CATALOGUES, meTranslate } from '../../src/web/me/i18n/index.js';

/*
 * The returnee space speaks the verifier's nine languages completely: every key in every catalogue, none left in
 * English, the same placeholders as the English line, and every key the pages use exists (also those built from
 * case states, evidence kinds and revocation reasons).
 */
const languages = Object.keys(ME_CATALOGUES).filter((l) => l !== 'en');
const enKeys = Object.keys(en) as Array<keyof typeof en>;
// Languages with their own script: every line must contain some of it (an English line slipped in has none).
const SCRIPT: Record<string, RegExp> = { th: /[\u0E00-\u0E7F]/, lo: /[\u0E80-\u0EFF]/, km: /[\u1780-\u17FF]/, my: /[\u1000-\u109F]/ };
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('returnee space catalogues', () => {
  it('are the verifier\'s nine languages', () => {
    expect(Object.keys(ME_CATALOGUES).sort()).toEqual(Object.keys(LANGUAGES).sort());
  });

  it.each(languages)('%s has every key, none empty, none left in English, the same placeholders', (lang) => {
    const catalogue = ME_CATALOGUES[lang] as Record<string, string | undefined>;
    const missing = enKeys.filter((k) => !catalogue[k]?.trim());
    const english = enKeys.filter((k) => catalogue[k] === en[k]);
    const noScript = SCRIPT[lang] ? enKeys.filter((k) => catalogue[k] && !SCRIPT[lang]!.test(catalogue[k]!)) : [];
    const wrongPlaceholders = enKeys.filter((k) => catalogue[k] && placeholders(catalogue[k]!).join() !== placeholders(en[k]).join());
    const extra = Object.keys(catalogue).filter((k) => !(k in en));
    expect({ missing, english, noScript, wrongPlaceholders, extra }).toEqual({ missing: [], english: [], noScript: [], wrongPlaceholders: [], extra: [] });
  });

  it('has every key the pages name, and one for every case state, evidence kind and revocation reason', () => {
    const used = new Set<string>();
    for (const file of ['src/web/me/main.tsx', 'src/me/share-page.ts']) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\b(?:t|m|setError)\('([a-zA-Z_]+\.[a-zA-Z_.]+|loading)'/g)) used.add(m[1]!);
    }
    const share = fs.readFileSync('src/me/share-page.ts', 'utf8');
    const verifierKeys = new Set([...share.matchAll(/\bt\('([a-zA-Z_.]+)'/g)].map((m) => m[1]!));
    const meKeys = [...used].filter((k) => !verifierKeys.has(k));
    expect(meKeys.length).toBeGreaterThan(80);
    expect(meKeys.filter((k) => !(k in en))).toEqual([]);
    // The public share page says the verdict in the verifier's own words.
    expect([...verifierKeys].filter((k) => !(k in verifierEn))).toEqual([]);
    const built = [...CASE_STATES.flatMap((s) => [`state.${s}`, `next.${s}`]), ...EVIDENCE_KINDS.map((k) => `kind.${k}`), ...REVOCATION_REASONS.map((r) => `reason.${r}`)];
    expect(built.filter((k) => !(k in en))).toEqual([]);
  });

  it('fills placeholders, and falls back to English only for a language it does not have', () => {
    expect(meTranslate('fil', 'share.opens', { count: 3 })).toBe('Binuksan nang 3 beses');
    expect(meTranslate('xx', 'cred.pdf')).toBe('Download PDF');
  });
});
