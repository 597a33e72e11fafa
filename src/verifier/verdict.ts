import type { BundleAge } from '../trust/bundle.js';

/** One line of a verdict: the check itself plus what the reader's catalogue needs to say it in their language. */
export interface VerdictCheck {
  id: string;
  valid: boolean;
  status: 'pass' | 'fail' | 'warn';
  code?: string;
  /** English, for logs and API clients; UIs render `key` with `params` from a message catalogue. */
  message: string;
  key: string;
  params: Record<string, string | number>;
  data?: Record<string, unknown>;
}

export type Overall = 'VALID' | 'VALID_WITH_WARNINGS' | 'INVALID';

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
  checks: VerdictCheck[];
  summary?: CredentialSummary;
  /** The trust bundle the verdict was reached with, and how old it was at `checkedAt`. */
  dataAge: BundleAge;
  checkedAt: string;
}

/** Never VALID while any check fails; a warning downgrades to VALID_WITH_WARNINGS. */
export function overall(checks: readonly Pick<VerdictCheck, 'status'>[]): Overall {
  if (checks.length === 0 || checks.some((c) => c.status === 'fail')) return 'INVALID';
  return checks.some((c) => c.status === 'warn') ? 'VALID_WITH_WARNINGS' : 'VALID';
}
