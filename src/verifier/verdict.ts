import { VERDICT_EFFECT, type Check, type CheckCode } from '../credentials/checks.js';
import type { BundleAge } from '../trust/bundle.js';

/**
 * A check's effect on the verdict: `fail` makes it INVALID, `cannot_check` CANNOT_CHECK (the verifier lacks what it
 * needs: never a reason to call a genuine certificate invalid), `warn` a warning, `info` a note beside a fact.
 */
export type VerdictStatus = 'pass' | 'info' | 'warn' | 'cannot_check' | 'fail';

/** The verdict status of a check: its own, unless the check-code table (VERDICT_EFFECT) says otherwise. */
export function verdictStatus(check: Pick<Check, 'status' | 'code'>): VerdictStatus {
  return (check.code && check.status !== 'pass' && VERDICT_EFFECT[check.code as CheckCode]) || check.status;
}

/** One line of a verdict: the check itself plus what the reader's catalogue needs to say it in their language. */
export interface VerdictCheck {
  id: string;
  valid: boolean;
  status: VerdictStatus;
  code?: string;
  /** English, for logs and API clients; UIs render `key` with `params` from a message catalogue. */
  message: string;
  key: string;
  params: Record<string, string | number>;
  data?: Record<string, unknown>;
}

export type Overall = 'VALID' | 'VALID_WITH_WARNINGS' | 'INVALID' | 'CANNOT_CHECK';
export const OVERALLS: readonly Overall[] = ['VALID', 'VALID_WITH_WARNINGS', 'INVALID', 'CANNOT_CHECK'];

export interface LocalisedName {
  /** The default text (as signed, or the catalogue's English), then whatever languages the catalogue has. */
  text: string;
  titles: Record<string, string>;
}

export interface CredentialSummary {
  holderName?: string;
  holderNameLatin?: string;
  qualification: LocalisedName & { id?: string; code?: string; kind?: string };
  units: Array<LocalisedName & { code?: string; id: string }>;
  nationalLevel?: { framework: string; level: string };
  aqrfLevel?: { level: number; status: 'official' | 'provisional'; source?: string };
  issuer: { did?: string; name?: string; country?: string };
  accreditation?: { validFrom?: string; validUntil?: string | null };
  validFrom?: string;
  validUntil?: string;
  status: { state: 'not_revoked' | 'revoked' | 'unknown' | 'stale' | 'none'; asOf?: string };
}

export interface Verdict {
  verdict: Overall;
  /**
   * The one sentence that says why, as a catalogue key and parameters: the first failed check of an INVALID verdict,
   * what is missing for CANNOT_CHECK, the first warning, or who issued a VALID one.
   */
  reason: { key: string; params: Record<string, string | number>; check?: string };
  /** False unless the verdict is VALID or VALID_WITH_WARNINGS: then `summary` is only what the certificate claims. */
  claimsConfirmed: boolean;
  checks: VerdictCheck[];
  summary?: CredentialSummary;
  /** The trust bundle the verdict was reached with, and how old it was at `checkedAt`. */
  dataAge: BundleAge;
  checkedAt: string;
}

/** Never VALID while any check fails or could not be made; a warning downgrades to VALID_WITH_WARNINGS; info does not. */
export function overall(checks: readonly Pick<VerdictCheck, 'status'>[]): Overall {
  if (checks.length === 0 || checks.some((c) => c.status === 'fail')) return 'INVALID';
  if (checks.some((c) => c.status === 'cannot_check')) return 'CANNOT_CHECK';
  return checks.some((c) => c.status === 'warn') ? 'VALID_WITH_WARNINGS' : 'VALID';
}

const DECIDING: Record<Overall, VerdictStatus | undefined> = { INVALID: 'fail', CANNOT_CHECK: 'cannot_check', VALID_WITH_WARNINGS: 'warn', VALID: undefined };

/** The check that decided the verdict, said in one sentence; a VALID one names its issuer. */
export function verdictReason(verdict: Overall, checks: readonly VerdictCheck[]): Verdict['reason'] {
  const deciding = DECIDING[verdict];
  const c = deciding ? checks.find((x) => x.status === deciding) : undefined;
  if (c) return { key: c.key, params: c.params, check: c.id };
  return { key: 'reason.VALID', params: checks.find((x) => x.id === 'issuer_known')?.params ?? {} };
}
