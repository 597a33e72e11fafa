import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_CODES } from '../../src/credentials/checks.js';
import { bundledContexts } from '../../src/jsonld/index.js';
import { openTrustBundle } from '../../src/trust/open.js';
import { en } from '../../src/verifier/i18n/en.js';
import { LANGUAGES, translate, type Language } from '../../src/verifier/i18n/index.js';
import { verifyQrText } from '../../src/verifier/pipeline.js';
import { OVERALLS } from '../../src/verifier/verdict.js';
import { createVerifierData } from '../../src/verifier/verifier-data.js';
import { buildVectorSet } from './fixtures.js';

/*
 * The verifier speaks nine languages completely: every key in every catalogue, none of them left in English, the
 * same placeholders as the English line, and every key the page, the CLI and the pipeline use exists.
 */
const languages = Object.keys(LANGUAGES).filter((l) => l !== 'en') as Language[];
const enKeys = Object.keys(en) as Array<keyof typeof en>;

// Lines that are rightly the same as English in that language (the word is the same).
const SAME_AS_ENGLISH: Partial<Record<Language, string[]>> = { id: ['field.status'], ms: ['field.status'] };
// Languages with their own script: every line must contain some of it (an English line slipped in has none).
const SCRIPT: Partial<Record<Language, RegExp>> = { th: /[\u0E00-\u0E7F]/, lo: /[\u0E80-\u0EFF]/, km: /[\u1780-\u17FF]/, my: /[\u1000-\u109F]/ };
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('verifier catalogues', () => {
  it.each(languages)('%s has every key, none empty, none left in English, the same placeholders', (lang) => {
    const catalogue = LANGUAGES[lang].catalogue as Record<string, string | undefined>;
    const missing = enKeys.filter((k) => !catalogue[k]?.trim());
    const english = enKeys.filter((k) => catalogue[k] === en[k] && !SAME_AS_ENGLISH[lang]?.includes(k));
    const noScript = SCRIPT[lang] ? enKeys.filter((k) => catalogue[k] && !SCRIPT[lang]!.test(catalogue[k]!)) : [];
    const wrongPlaceholders = enKeys.filter((k) => catalogue[k] && placeholders(catalogue[k]!).join() !== placeholders(en[k]).join());
    const extra = Object.keys(catalogue).filter((k) => !(k in en));
    expect({ missing, english, noScript, wrongPlaceholders, extra }).toEqual({ missing: [], english: [], noScript: [], wrongPlaceholders: [], extra: [] });
  });

  it('has a line for every check code and every verdict', () => {
    expect(CHECK_CODES.filter((c) => !(c in en))).toEqual([]);
    expect(OVERALLS.filter((v) => !(`verdict.${v}` in en))).toEqual([]);
  });

  it('has every key the page, its script and the CLI name', () => {
    const used = new Set<string>();
    for (const file of ['src/web/page.ts', 'src/web/app/main.ts', 'src/cli/verify.ts']) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\b(?:t|say|i|en|row)\('([a-zA-Z_]+\.[a-zA-Z_.]+)'/g)) used.add(m[1]!);
      for (const m of source.matchAll(/data-i18n="([a-zA-Z_.]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });

  describe('every line the pipeline gives for the shared vectors', () => {
    let lines: Array<{ key: string; params: Record<string, string | number> }>;
    beforeAll(async () => {
      const set = await buildVectorSet();
      const contexts = bundledContexts();
      const data = {
        current: await createVerifierData(await openTrustBundle(set.bundle, { authority: set.authority, contexts }), contexts),
        stale: await createVerifierData(await openTrustBundle(set.staleBundle, { authority: set.authority, contexts }), contexts),
      };
      lines = [];
      for (const v of set.vectors) {
        const verdict = await verifyQrText(v.payload, data[v.bundle]);
        lines.push(verdict.reason, ...verdict.checks);
      }
    });

    it('exists in English, with every placeholder filled', () => {
      expect(lines.filter((l) => !(l.key in en)).map((l) => l.key)).toEqual([]);
      for (const l of lines) expect(translate('en', l.key, l.params), l.key).not.toMatch(/\{\w+\}|\(\)|\s{2}/);
    });

    it.each(languages)('is said in %s, not in English', (lang) => {
      const english = lines.filter((l) => translate(lang, l.key, l.params) === translate('en', l.key, l.params)).map((l) => l.key);
      expect(english).toEqual([]);
    });
  });
});
