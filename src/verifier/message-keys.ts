import type { Check } from '../credentials/checks.js';
import { verdictStatus, type VerdictCheck } from './verdict.js';

/**
 * The catalogue key and parameters of a check (browser-safe). Passing checks are keyed `<id>.pass` (or a variant),
 * failures and warnings by their stable code, so a catalogue line exists for every outcome the pipeline can give.
 */
export interface MessageContext {
  issuer?: string;
  country?: string;
  qualification?: string;
  issueDate?: string;
}

const day = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 10) : '');

export function withMessageKey(check: Check | (Omit<Check, 'id' | 'code'> & { id: string; code?: string }), ctx: MessageContext): VerdictCheck {
  const d = (check.data ?? {}) as Record<string, unknown>;
  const params: Record<string, string | number> = {};
  const set = (k: string, v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number') params[k] = v;
  };
  set('issuer', ctx.issuer);
  set('country', ctx.country);
  set('qualification', ctx.qualification);
  set('date', day(ctx.issueDate));

  let key = check.status === 'pass' ? `${check.id}.pass` : (check.code ?? `${check.id}.${check.status}`);
  switch (check.id) {
    case 'validity_period':
      set('from', day(d.validFrom));
      set('until', day(d.validUntil));
      if (check.status === 'pass' && !d.validUntil) key = 'validity_period.no_expiry';
      break;
    case 'issuer_accredited':
      set('until', day(d.validUntil));
      set('from', day(d.validFrom));
      // The moment accreditation was missing (when it signed, or the date the credential is valid from).
      if (typeof d.at === 'string') set('date', day(d.at));
      break;
    case 'signing_key':
      set('signed', day(d.signedAt));
      set('retired', day(d.retiredAt));
      set('compromised', day(d.compromisedAt));
      break;
    case 'units_in_qualification':
      if (Array.isArray(d.units)) set('count', d.units.length);
      break;
    case 'national_level':
      set('framework', d.framework);
      set('level', d.level);
      break;
    case 'aqrf_level':
      set('aqrf', d.aqrfLevel);
      if (check.status === 'pass' && d.aqrfStatus === 'absent') key = 'aqrf_level.absent';
      break;
    case 'status':
      set('asOf', day(d.asOf));
      set('until', day(d.listValidUntil));
      break;
    case 'freshness':
      set('issued', day(d.issued));
      set('until', day(d.validUntil));
      set('days', d.ageDays);
      break;
    case 'payload':
      set('bytes', d.bytes);
      break;
  }
  return { ...check, status: verdictStatus(check), key, params } as VerdictCheck;
}
