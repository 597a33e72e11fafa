import type { Accreditation } from './types.js';
import { inPeriod } from './dates.js';

/** What accreditation scope is matched against: the qualification as the catalogue describes it. */
export interface ScopeTarget {
  id: string;
  country: string;
  frameworkId: string;
  sector: string;
}

export function scopeCovers(a: Accreditation, q: ScopeTarget): boolean {
  if (a.country !== q.country) return false;
  if (a.frameworkId !== null && a.frameworkId !== q.frameworkId) return false;
  return a.qualificationIds.includes(q.id) || a.sectors.includes(q.sector);
}

export type AccreditationVerdict =
  | { status: 'accredited'; accreditation: Accreditation }
  | { status: 'expired'; accreditation: Accreditation }
  | { status: 'not_yet_valid'; accreditation: Accreditation }
  | { status: 'out_of_scope' };

/**
 * Shared by issuing (assertAccredited) and by verification (online and offline), so both always agree on what
 * "accredited for this qualification on this date" means.
 */
export function accreditationVerdict(
  accreditations: readonly Accreditation[],
  issuerId: string,
  q: ScopeTarget,
  instant: string,
): AccreditationVerdict {
  const inScope = accreditations.filter((a) => a.issuerId === issuerId && scopeCovers(a, q));
  const current = inScope.find((a) => inPeriod(instant, a.validFrom, a.validUntil));
  if (current) return { status: 'accredited', accreditation: current };
  // The most recently ended scope explains an expiry better than one that has not started yet.
  const ended = inScope.filter((a) => a.validUntil !== null && a.validUntil <= instant).sort((x, y) => (x.validUntil! < y.validUntil! ? 1 : -1))[0];
  if (ended) return { status: 'expired', accreditation: ended };
  const future = inScope[0];
  return future ? { status: 'not_yet_valid', accreditation: future } : { status: 'out_of_scope' };
}
