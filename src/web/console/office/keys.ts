import type { SECOND_LANGS } from '../../../certificates/view.js';
import type { AssessmentMethod, EvidenceQuality } from '../../../rpl/assessment.js';
import type { CaseOutcome } from '../../../rpl/outcome.js';
import type { Precondition } from '../../../rpl/transitions.js';
import type { ReissueKind, RevocationReason } from '../../../status/tables.js';
import type { ConsoleKey } from '../i18n/index.js';

/*
 * Catalogue keys for values that come from the server (outcomes, methods, reasons, kinds, unmet preconditions): one
 * key per value, checked against the server's own lists by tests/web/console-office-i18n.test.ts. Kept free of the
 * page's state so that test can import it.
 */

/** The preconditions whose refusal the office screens explain (src/rpl/transitions.ts PRECONDITIONS). */
export const UNMET = {
  moderator_is_not_assessor: 'office.unmet.moderator_is_not_assessor',
  has_competent_units: 'office.unmet.has_competent_units',
  all_core_units_decided: 'office.unmet.all_core_units_decided',
} as const satisfies Partial<Record<Precondition, ConsoleKey>>;

export const OUTCOME_KEYS = {
  full_qualification: 'office.outcome.full_qualification',
  statement_of_attainment: 'office.outcome.statement_of_attainment',
  not_yet_competent: 'office.outcome.not_yet_competent',
} as const satisfies Record<CaseOutcome, ConsoleKey>;

/** The assessment methods in the assessor's own words (the field screens' catalogue): one translation of each. */
export const METHOD_KEYS = {
  portfolio_review: 'field.method.portfolio_review',
  observation: 'field.method.observation',
  practical_demonstration: 'field.method.practical_demonstration',
  interview: 'field.method.interview',
  written_test: 'field.method.written_test',
} as const satisfies Record<AssessmentMethod, ConsoleKey>;

export const QUALITY_KEYS = {
  valid: 'office.quality.valid',
  authentic: 'office.quality.authentic',
  current: 'office.quality.current',
  sufficient: 'office.quality.sufficient',
} as const satisfies Record<keyof EvidenceQuality, ConsoleKey>;

/** The revocation reasons the status route accepts (REVOCATION_REASONS in src/status/status-service.ts). */
export const REVOCATION_REASON_KEYS = {
  fraud: 'office.reason.fraud',
  error: 'office.reason.error',
  superseded: 'office.reason.superseded',
  other: 'office.reason.other',
} as const satisfies Record<RevocationReason, ConsoleKey>;

/** How a credential replaced another (ReissueKind in src/status/tables.ts). */
export const KIND_KEYS = {
  correction: 'office.kind.correction',
  renewal: 'office.kind.renewal',
  key_compromise: 'office.kind.key_compromise',
} as const satisfies Record<ReissueKind, ConsoleKey>;

/** Each second language of a certificate by its own name: the officer picks the returnee's language as they write it. */
export const LANGUAGE_NAMES: Record<(typeof SECOND_LANGS)[number], string> = {
  id: 'Bahasa Indonesia', fil: 'Filipino', th: 'ไทย', vi: 'Tiếng Việt', km: 'ខ្មែរ', lo: 'ລາວ', my: 'မြန်မာ', ms: 'Bahasa Melayu',
};
