import type { Executor } from '../db/database.js';
import { TandaError } from '../errors.js';

/** Cells below this are suppressed: with small numbers a "count" can identify a person. */
export const MIN_CELL = 5;

export const DIMENSIONS = ['sex', 'age_band', 'country_of_work', 'sector', 'qualification', 'outcome'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface Cell {
  value: string;
  /** null when suppressed. */
  count: number | null;
  suppressed: boolean;
}

export interface Statistics {
  cases: number;
  minCell: number;
  dimensions: Record<Dimension, Cell[]>;
}

export function ageBand(birthYear: number | null, atYear: number): string {
  if (birthYear === null) return 'unknown';
  const age = atYear - birthYear;
  if (age < 25) return 'under_25';
  if (age < 35) return '25_34';
  if (age < 45) return '35_44';
  if (age < 55) return '45_54';
  return '55_plus';
}

/** Where a case ended up, for reporting: what was awarded, or where it stopped. */
export function reportedOutcome(state: string, outcome: string | null): string {
  if (state === 'certified') return outcome ?? 'certified';
  if (state === 'not_yet_competent' || state === 'withdrawn' || state === 'rejected_ineligible') return state;
  return 'in_progress';
}

/**
 * Suppresses cells under MIN_CELL and, when exactly one cell of a dimension is suppressed, the next smallest too:
 * otherwise the total minus the shown cells gives the hidden one away (secondary suppression).
 */
export function suppress(counts: Map<string, number>): Cell[] {
  const cells: Cell[] = [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([value, count]) => ({ value, count, suppressed: count < MIN_CELL }));
  if (cells.filter((c) => c.suppressed).length === 1) {
    const next = cells.filter((c) => !c.suppressed).sort((a, b) => (a.count ?? 0) - (b.count ?? 0))[0];
    if (next) next.suppressed = true;
  }
  return cells.map((c) => (c.suppressed ? { ...c, count: null } : c));
}

/**
 * Gender-disaggregated counts of cases (the ASEAN guidelines ask for them), one table per dimension, of the returnees
 * who consented to statistics. Erased candidates count as `unknown` for the profile dimensions. Computed in the process rather than with GROUP BY
 * per dimension: one query, the same code on both dialects, and cohorts are thousands of rows, not millions.
 */
export async function caseStatistics(executor: Executor, filter: { issuerId?: string | null; from?: string; to?: string } = {}, now = new Date()): Promise<Statistics> {
  // A period that ends before it starts is a mistake in the request, not an empty answer.
  if (filter.from && filter.to && filter.to < filter.from) throw new TandaError('validation_failed', `the period ends (${filter.to}) before it starts (${filter.from})`);
  let q = executor
    .selectFrom('rpl_cases')
    .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
    .innerJoin('qualifications', 'qualifications.id', 'rpl_cases.qualification_id')
    .select(['rpl_cases.state', 'rpl_cases.outcome', 'candidates.sex', 'candidates.birth_year', 'candidates.country_of_work', 'candidates.sector', 'qualifications.code'])
    // Only returnees who opted in to statistics and have not withdrawn it are counted (migration 0024).
    .where('candidates.statistics_consent_at', 'is not', null)
    .where('candidates.statistics_consent_withdrawn_at', 'is', null);
  if (filter.issuerId) q = q.where('rpl_cases.issuer_id', '=', filter.issuerId);
  if (filter.from) q = q.where('rpl_cases.created_at', '>=', filter.from);
  if (filter.to) q = q.where('rpl_cases.created_at', '<', filter.to);
  const rows = await q.execute();
  const counts = Object.fromEntries(DIMENSIONS.map((d) => [d, new Map<string, number>()])) as Record<Dimension, Map<string, number>>;
  const bump = (d: Dimension, v: string | null) => counts[d].set(v ?? 'unknown', (counts[d].get(v ?? 'unknown') ?? 0) + 1);
  const year = now.getUTCFullYear();
  for (const r of rows) {
    bump('sex', r.sex);
    bump('age_band', ageBand(r.birth_year === null ? null : Number(r.birth_year), year));
    bump('country_of_work', r.country_of_work);
    bump('sector', r.sector);
    bump('qualification', r.code);
    bump('outcome', reportedOutcome(r.state, r.outcome));
  }
  return {
    cases: rows.length < MIN_CELL ? 0 : rows.length,
    minCell: MIN_CELL,
    dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, suppress(counts[d])])) as Record<Dimension, Cell[]>,
  };
}
