import { describe, expect, it } from 'vitest';
import { SECOND_LANGS } from '../../src/certificates/view.js';
import { ASSESSMENT_METHODS } from '../../src/rpl/assessment.js';
import { PRECONDITIONS } from '../../src/rpl/transitions.js';
import { REVOCATION_REASONS } from '../../src/status/status-service.js';
import { CONSOLE_CATALOGUES } from '../../src/web/console/i18n/index.js';
import { KIND_KEYS, LANGUAGE_NAMES, METHOD_KEYS, OUTCOME_KEYS, QUALITY_KEYS, REVOCATION_REASON_KEYS, UNMET } from '../../src/web/console/office/keys.js';

/*
 * The office screens build some catalogue keys from what the server sends (methods, outcomes, revocation reasons,
 * re-issue kinds, unmet preconditions), which the console-wide scan of t('…') calls cannot see: each map covers the
 * server's list of values, and each key it names is in every catalogue.
 */
const en = CONSOLE_CATALOGUES.en as Record<string, string>;

describe('office screens: keys built from server values', () => {
  it('cover the server\'s lists: methods, revocation reasons, second languages; unmet preconditions the server knows', () => {
    expect(Object.keys(METHOD_KEYS).sort()).toEqual([...ASSESSMENT_METHODS].sort());
    expect(Object.keys(REVOCATION_REASON_KEYS).sort()).toEqual([...REVOCATION_REASONS].sort());
    expect(Object.keys(LANGUAGE_NAMES).sort()).toEqual([...SECOND_LANGS].sort());
    expect(Object.keys(UNMET).filter((k) => !(k in PRECONDITIONS))).toEqual([]);
    expect(Object.keys(UNMET)).toContain('moderator_is_not_assessor');
  });

  it('name keys that every catalogue has', () => {
    const keys = [UNMET, OUTCOME_KEYS, METHOD_KEYS, QUALITY_KEYS, REVOCATION_REASON_KEYS, KIND_KEYS].flatMap((m) => Object.values(m) as string[]);
    expect(keys.length).toBe(3 + 3 + 5 + 4 + 4 + 3);
    expect(keys.filter((k) => !en[k])).toEqual([]);
    for (const [lang, catalogue] of Object.entries(CONSOLE_CATALOGUES)) expect({ lang, missing: keys.filter((k) => !(catalogue as Record<string, string>)[k]) }).toEqual({ lang, missing: [] });
  });
});
