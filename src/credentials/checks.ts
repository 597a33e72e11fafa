/** One check of a verification: data, never an exception. `status` lets an employer-facing verdict warn. */
export interface Check {
  /** One of CheckId for the checks made here; registry and pipeline checks add their own ids. */
  id: string;
  valid: boolean;
  status: 'pass' | 'fail' | 'warn';
  code?: string;
  message: string;
  data?: Record<string, unknown>;
}

export type CheckId =
  | 'structure'
  | 'context'
  | 'related_resource'
  | 'signature'
  | 'issuer_binding'
  | 'signing_key'
  | 'validity_period'
  | 'issuer'
  | 'accreditation'
  | 'catalogue'
  | 'levels'
  | 'status'
  | 'freshness'
  | 'payload'
  | 'registry'
  | 'registry_award';

/** Stable snake_case codes of failed or warned checks (an outside contract like the error codes). */
export const CHECK_CODES = [
  'malformed_credential',
  'unknown_context',
  'invalid_signature',
  'previous_proof_missing',
  'related_resource_mismatch',
  'unresolvable_did',
  'issuer_key_mismatch',
  'issuer_unbound',
  'key_retired',
  'key_compromised',
  'signing_time_invalid',
  'expired',
  'not_yet_valid',
  'unknown_issuer',
  'not_accredited',
  'accreditation_expired',
  'qualification_unknown',
  'unit_not_in_qualification',
  'level_mismatch',
  'aqrf_provisional',
  'revoked',
  'status_unknown',
  'status_stale',
  'status_missing',
  'not_registry_award',
  'award_unconfirmed',
  'status_verification_error',
  'status_list_length_error',
  'status_range_error',
  'status_malformed',
  'bundle_stale',
  'bundle_invalid',
  'qr_malformed',
  'qr_table_unknown',
  // Registry checks (src/frameworks/registry-check.ts).
  'issuer_unknown',
  'invalid_credential',
  'award_rule_not_met',
  'level_absent',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

/**
 * What a failed or warned check does to the employer's verdict, where that differs from its status (a `fail` makes
 * it INVALID, a `warn` adds a warning). A new code slots in here; its sentence goes in every verifier catalogue
 * (src/verifier/i18n/, enforced by tests/verifier/i18n.test.ts).
 * - `cannot_check`: the verifier lacks what it needs to decide (never INVALID: the certificate may be genuine);
 * - `info`: shown beside the fact it concerns, not a warning (it does not weaken trust in the certificate).
 */
export const VERDICT_EFFECT: Partial<Record<CheckCode, 'cannot_check' | 'info'>> = {
  qr_table_unknown: 'cannot_check',
  award_unconfirmed: 'cannot_check',
  aqrf_provisional: 'info',
};

export const pass = (id: CheckId, message: string, data?: Record<string, unknown>): Check => ({
  id,
  valid: true,
  status: 'pass',
  message,
  ...(data ? { data } : {}),
});
export const fail = (id: CheckId, code: CheckCode, message: string, data?: Record<string, unknown>): Check => ({
  id,
  valid: false,
  status: 'fail',
  code,
  message,
  ...(data ? { data } : {}),
});
export const warn = (id: CheckId, code: CheckCode, message: string, data?: Record<string, unknown>): Check => ({
  id,
  valid: true,
  status: 'warn',
  code,
  message,
  ...(data ? { data } : {}),
});
