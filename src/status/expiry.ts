/**
 * `validUntil` from a qualification's validity rule ("valid for N years"): the same calendar day N years on, in UTC;
 * a certificate dated 29 February ends on 28 February of a common year rather than rolling into March.
 */
export function validUntilFor(validFrom: string | Date, years: number): string {
  if (!Number.isInteger(years) || years < 1) throw new RangeError(`validity must be a whole number of years, got ${years}`);
  const from = validFrom instanceof Date ? validFrom : new Date(validFrom);
  if (Number.isNaN(from.getTime())) throw new RangeError(`not a date: ${String(validFrom)}`);
  const until = new Date(from.getTime());
  until.setUTCFullYear(from.getUTCFullYear() + years);
  if (until.getUTCMonth() !== from.getUTCMonth()) until.setUTCDate(0);
  return isoSeconds(until);
}

/** ISO-8601 UTC without milliseconds: the form the credentials carry. */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
