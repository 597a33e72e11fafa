/**
 * Registry validity bounds and issue dates are compared as ISO-8601 UTC instants in text, so the comparison is the
 * same in SQL (text columns on both dialects), in Node and in the browser verifier.
 */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** `2026-01-01` → `2026-01-01T00:00:00.000Z`; undefined for anything that is not a full date or date-time. */
export function toInstant(value: string | Date): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (!DATE_ONLY.test(value) && !DATE_TIME.test(value)) return undefined;
  const d = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Half-open [from, until): a body accredited until 2027-01-01 is no longer accredited at that instant. */
export function inPeriod(instant: string, from: string, until: string | null): boolean {
  return from <= instant && (until === null || instant < until);
}
