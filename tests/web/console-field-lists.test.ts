import { describe, expect, it } from 'vitest';
import { ASSESSMENT_METHODS } from '../../src/rpl/assessment.js';
import { EVIDENCE_KINDS } from '../../src/rpl/evidence.js';
import { SELF_RATINGS } from '../../src/rpl/self-assessment.js';
import { CASE_STATES } from '../../src/rpl/transitions.js';
import { CONSOLE_CATALOGUES } from '../../src/web/console/i18n/index.js';
import * as field from '../../src/web/console/field/model.js';

/*
 * The field screens keep copies of the server's lists (the browser bundle may not import src/rpl) and build
 * catalogue keys from them (states, kinds, methods, rules): the copies must equal the server's, and every key built
 * from a value must exist in English and Bahasa Indonesia.
 */
describe('the field screens\' lists', () => {
  it('equal the server\'s', () => {
    expect([...field.ASSESSMENT_METHODS]).toEqual([...ASSESSMENT_METHODS]);
    expect([...field.EVIDENCE_KINDS]).toEqual([...EVIDENCE_KINDS]);
    expect([...field.CASE_STATES]).toEqual([...CASE_STATES]);
  });

  it('have a string for every value in both languages', () => {
    const keys = [
      ...CASE_STATES.map((s) => `field.state.${s}`),
      ...EVIDENCE_KINDS.map((k) => `field.kind.${k}`),
      ...ASSESSMENT_METHODS.map((m) => `field.method.${m}`),
      ...field.QUALITY_RULES.map((r) => `field.rule.${r}`),
      ...SELF_RATINGS.map((r) => `field.self.${r}`),
      ...['competent', 'not_yet_competent'].map((d) => `field.decision.${d}`),
      ...['core', 'elective'].map((k) => `field.unitKind.${k}`),
    ];
    for (const lang of ['en', 'id']) {
      const catalogue = CONSOLE_CATALOGUES[lang] as Record<string, string>;
      expect(keys.filter((k) => !catalogue[k]), lang).toEqual([]);
    }
  });
});
