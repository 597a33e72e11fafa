import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { getQualification } from './catalogue-repository.js';
import { toInstant } from './dates.js';
import { getFramework } from './framework-repository.js';
import { accreditationFromRow, centreFromRow } from './rows.js';
import { accreditationVerdict } from './scope.js';
import type { Accreditation, AssessmentCentre } from './types.js';
import { authorize, type Actor } from '../policy/policy.js';

export interface AccreditationInput {
  id?: string;
  country: string;
  frameworkId?: string | null;
  qualificationIds?: string[];
  sectors?: string[];
  validFrom: string;
  validUntil?: string | null;
  accreditedBy?: string | null;
  reference?: string | null;
}

const COUNTRY = /^[A-Z]{2}$/;

export async function addAccreditation(ex: Executor, actor: Actor, issuerId: string, input: AccreditationInput): Promise<Accreditation> {
  authorize(actor, 'manage', { kind: 'registry' });
  const issuer = await ex.selectFrom('issuers').select(['id']).where('id', '=', issuerId).executeTakeFirst();
  if (!issuer) throw new TandaError('not_found', `No certifying body ${issuerId}`);
  const problems: string[] = [];
  if (!COUNTRY.test(input.country)) problems.push('country must be an ISO 3166-1 alpha-2 code');
  const frameworkId = input.frameworkId ?? null;
  if (frameworkId && !(await getFramework(ex, frameworkId))) problems.push(`unknown framework ${frameworkId}`);
  const qualificationIds = input.qualificationIds ?? [];
  const sectors = input.sectors ?? [];
  if (qualificationIds.length === 0 && sectors.length === 0) problems.push('the scope needs qualificationIds or sectors');
  for (const id of qualificationIds) {
    const q = await getQualification(ex, id);
    if (!q) problems.push(`unknown qualification ${id}`);
    else if (q.country !== input.country) problems.push(`${q.code} belongs to ${q.country}, not ${input.country}`);
  }
  const validFrom = toInstant(input.validFrom);
  const validUntil = input.validUntil == null ? null : toInstant(input.validUntil);
  if (!validFrom) problems.push('validFrom must be a date');
  if (input.validUntil != null && !validUntil) problems.push('validUntil must be a date');
  if (validFrom && validUntil && validUntil <= validFrom) problems.push('validUntil must be after validFrom');
  if (problems.length > 0 || !validFrom || validUntil === undefined) {
    throw new TandaError('validation_failed', `Invalid accreditation: ${problems.join('; ')}`, { details: { errors: problems } });
  }
  const a: Accreditation = {
    id: input.id ?? crypto.randomUUID(),
    issuerId,
    country: input.country,
    frameworkId,
    qualificationIds,
    sectors,
    validFrom,
    validUntil,
    accreditedBy: input.accreditedBy ?? null,
    reference: input.reference ?? null,
  };
  await ex
    .insertInto('accreditations')
    .values({
      id: a.id,
      issuer_id: a.issuerId,
      country: a.country,
      framework_id: a.frameworkId,
      qualification_ids: JSON.stringify(a.qualificationIds),
      sectors: JSON.stringify(a.sectors),
      valid_from: a.validFrom,
      valid_until: a.validUntil,
      accredited_by: a.accreditedBy,
      reference: a.reference,
      created_at: nowIso(),
    })
    .execute();
  return a;
}

export async function listAccreditations(ex: Executor, filter: { issuerId?: string } = {}): Promise<Accreditation[]> {
  let q = ex.selectFrom('accreditations').selectAll();
  if (filter.issuerId) q = q.where('issuer_id', '=', filter.issuerId);
  return (await q.orderBy('issuer_id').orderBy('valid_from').execute()).map(accreditationFromRow);
}

export interface AssessmentCentreInput {
  id?: string;
  issuerId: string;
  name: string;
  country: string;
  city?: string | null;
  address?: string | null;
}

/** A centre may sit abroad (e.g. a Philippine body assessing in Hong Kong or Dubai): its country is where it is. */
export async function addAssessmentCentre(ex: Executor, actor: Actor, input: AssessmentCentreInput): Promise<AssessmentCentre> {
  authorize(actor, 'manage', { kind: 'registry' });
  const issuer = await ex.selectFrom('issuers').select(['id']).where('id', '=', input.issuerId).executeTakeFirst();
  if (!issuer) throw new TandaError('not_found', `No certifying body ${input.issuerId}`);
  if (!COUNTRY.test(input.country)) throw new TandaError('validation_failed', 'country must be an ISO 3166-1 alpha-2 code');
  if (!input.name.trim()) throw new TandaError('validation_failed', 'name is required');
  const c: AssessmentCentre = {
    id: input.id ?? crypto.randomUUID(),
    issuerId: input.issuerId,
    name: input.name.trim(),
    country: input.country,
    city: input.city ?? null,
    address: input.address ?? null,
  };
  await ex
    .insertInto('assessment_centres')
    .values({ id: c.id, issuer_id: c.issuerId, name: c.name, country: c.country, city: c.city, address: c.address, created_at: nowIso() })
    .execute();
  return c;
}

export async function listAssessmentCentres(ex: Executor, filter: { issuerId?: string } = {}): Promise<AssessmentCentre[]> {
  let q = ex.selectFrom('assessment_centres').selectAll();
  if (filter.issuerId) q = q.where('issuer_id', '=', filter.issuerId);
  return (await q.orderBy('issuer_id').orderBy('name').execute()).map(centreFromRow);
}

export interface CertifyingBody {
  id: string;
  name: string;
  country: string;
  did: string;
  url: string | null;
  accreditations: Accreditation[];
  assessmentCentres: AssessmentCentre[];
}

export async function listCertifyingBodies(ex: Executor): Promise<CertifyingBody[]> {
  const issuers = await ex.selectFrom('issuers').select(['id', 'name', 'country', 'did', 'url']).orderBy('name').execute();
  const accreditations = await listAccreditations(ex);
  const centres = await listAssessmentCentres(ex);
  return issuers.map((i) => ({
    ...i,
    accreditations: accreditations.filter((a) => a.issuerId === i.id),
    assessmentCentres: centres.filter((c) => c.issuerId === i.id),
  }));
}

/**
 * Guard for issuing: throws `not_accredited` unless the body holds an accreditation covering the qualification
 * on the date. Uses the same rule as registry verification, so nothing is issued that verification would reject.
 */
export async function assertAccredited(
  ex: Executor,
  args: { issuerId: string; qualificationId: string; date: string | Date },
): Promise<Accreditation> {
  const q = await getQualification(ex, args.qualificationId);
  if (!q) throw new TandaError('not_found', `No qualification ${args.qualificationId} in the catalogue`);
  const instant = toInstant(args.date);
  if (!instant) throw new TandaError('validation_failed', `Invalid date ${String(args.date)}`);
  const verdict = accreditationVerdict(await listAccreditations(ex, { issuerId: args.issuerId }), args.issuerId, q, instant);
  if (verdict.status === 'accredited') return verdict.accreditation;
  const why =
    verdict.status === 'expired'
      ? `its accreditation ended on ${verdict.accreditation.validUntil?.slice(0, 10)}`
      : verdict.status === 'not_yet_valid'
        ? `its accreditation starts on ${verdict.accreditation.validFrom.slice(0, 10)}`
        : `${q.code} (${q.country}, ${q.sector}) is outside its scope`;
  throw new TandaError('not_accredited', `The certifying body is not accredited for ${q.code} on ${instant.slice(0, 10)}: ${why}`, {
    details: { issuerId: args.issuerId, qualificationId: q.id, reason: verdict.status },
  });
}
