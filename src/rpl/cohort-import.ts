import crypto from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError, isTandaError } from '../errors.js';
import { getQualification, getQualificationByCode } from '../frameworks/catalogue-repository.js';
import type { Qualification } from '../frameworks/types.js';
import { authorize, type Actor } from '../policy/policy.js';
import { METHOD_LABELS, type AssessmentMethod } from './assessment.js';
import { normaliseContact } from './candidate-login.js';
import { insertCandidate, SEXES, type CandidateInput, type Sex } from './candidates.js';
import { audit, type RplContext } from './context.js';
import { qualifiedAssessor } from './case-repository.js';
import { computeOutcome, type CaseOutcome, type UnitDecision } from './outcome.js';

/**
 * Cohort import: an overseas assessment day (TESDA's OAP, a BNSP TUK sewaktu) yields a sheet with one row per
 * candidate and the per-unit decisions of the day. Each row becomes a candidate (or reuses a registered one, matched
 * by national ID, e-mail or phone) and a case in `decided`, which then goes through moderation like any other.
 * Each row is its own transaction: a bad row is reported and skipped, the good ones are kept.
 */

export const COHORT_COLUMNS = [
  'full_name', 'name_latin', 'email', 'phone', 'sex', 'birth_year', 'country_of_work', 'sector', 'years_experience',
  'national_id', 'preferred_language', 'consent_purpose', 'decisions', 'methods', 'notes',
] as const;

export interface CohortOptions {
  issuerId: string;
  /** Catalogue id or code. */
  qualification: string;
  /** The assessor who made the decisions; recorded on every unit decision. */
  assessorId: string;
  centreId?: string | null;
  country?: string | null;
  /** YYYY-MM-DD, the assessment day. */
  assessedOn: string;
  cohortRef: string;
}

export interface CohortRowReport {
  /** Line in the file (the header is line 1). */
  line: number;
  status: 'imported' | 'failed';
  candidateId?: string;
  reusedCandidate?: boolean;
  caseId?: string;
  outcome?: CaseOutcome;
  errors?: string[];
}

export interface CohortReport {
  cohortRef: string;
  total: number;
  imported: number;
  failed: number;
  rows: CohortRowReport[];
}

const DECISION_WORDS: Record<string, UnitDecision> = {
  c: 'competent', k: 'competent', competent: 'competent', kompeten: 'competent',
  nyc: 'not_yet_competent', bk: 'not_yet_competent', not_yet_competent: 'not_yet_competent', 'belum kompeten': 'not_yet_competent',
};

type Row = Partial<Record<(typeof COHORT_COLUMNS)[number], string>>;

interface ParsedRow {
  profile: CandidateInput;
  decisions: Map<string, UnitDecision>;
  methods: AssessmentMethod[];
  notes: string | null;
}

function parseRow(r: Row, q: Qualification): { ok: true; value: ParsedRow } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const s = (k: keyof Row) => (r[k] ?? '').trim() || null;
  const int = (k: keyof Row) => {
    const v = s(k);
    if (v === null) return null;
    if (!/^\d+$/.test(v)) errors.push(`${k}: not a whole number`);
    return Number(v);
  };
  const fullName = s('full_name');
  if (!fullName) errors.push('full_name is required');
  const email = s('email');
  const phone = s('phone');
  if (!email && !phone) errors.push('an email or a phone is required (the returnee signs in with it)');
  const sex = s('sex')?.toLowerCase() ?? null;
  if (sex !== null && !(SEXES as readonly string[]).includes(sex)) errors.push(`sex: one of ${SEXES.join(', ')}`);
  const country = s('country_of_work')?.toUpperCase() ?? null;
  if (country !== null && !/^[A-Z]{2}$/.test(country)) errors.push('country_of_work: ISO 3166-1 alpha-2');
  const consent = s('consent_purpose');
  if (!consent) errors.push('consent_purpose is required (record the consent the returnee gave)');

  const byCode = new Map(q.units.map((u) => [u.code.toLowerCase(), u.unitId]));
  const decisions = new Map<string, UnitDecision>();
  for (const part of (s('decisions') ?? '').split(';').map((p) => p.trim()).filter(Boolean)) {
    const [code, word] = part.split('=').map((x) => x.trim());
    const unitId = code ? byCode.get(code.toLowerCase()) : undefined;
    const decision = word ? DECISION_WORDS[word.toLowerCase()] : undefined;
    if (!unitId) errors.push(`decisions: ${code ?? part} is not a unit of ${q.code}`);
    else if (!decision) errors.push(`decisions: ${part} — use C or NYC (K or BK)`);
    else decisions.set(unitId, decision);
  }
  const missing = q.units.filter((u) => u.kind === 'core' && !decisions.has(u.unitId)).map((u) => u.code);
  if (missing.length) errors.push(`decisions: no decision for core unit(s) ${missing.join(', ')}`);
  const methods = (s('methods') ?? '').split(';').map((m) => m.trim()).filter(Boolean) as AssessmentMethod[];
  const unknownMethods = methods.filter((m) => !(m in METHOD_LABELS));
  if (!methods.length || unknownMethods.length) errors.push(`methods: one or more of ${Object.keys(METHOD_LABELS).join(', ')} separated by ;`);
  const birthYear = int('birth_year');
  const years = int('years_experience');
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      profile: {
        fullName: fullName!,
        nameLatin: s('name_latin'),
        email,
        phone,
        sex: sex as Sex | null,
        birthYear,
        countryOfWork: country,
        sector: s('sector'),
        yearsExperience: years,
        nationalId: s('national_id'),
        preferredLanguage: s('preferred_language'),
        consent: { purpose: consent! },
      },
      decisions,
      methods,
      notes: s('notes'),
    },
  };
}

async function findExisting(tx: Executor, ctx: RplContext, p: ParsedRow['profile']): Promise<string | undefined> {
  const conds: Array<['national_id_hash' | 'email' | 'phone', string]> = [];
  if (p.nationalId) conds.push(['national_id_hash', ctx.nationalIds.hash(p.nationalId)]);
  if (p.email) conds.push(['email', normaliseContact(p.email)]);
  if (p.phone) conds.push(['phone', normaliseContact(p.phone)]);
  const found = new Set<string>();
  for (const [col, v] of conds) {
    const row = await tx.selectFrom('candidates').select('id').where(col, '=', v).where('erased_at', 'is', null).executeTakeFirst();
    if (row) found.add(row.id);
  }
  if (found.size > 1) throw new TandaError('conflict', 'the national ID, e-mail and phone match different registered candidates');
  return [...found][0];
}

export function parseCohortCsv(text: string): Array<{ line: number; row: Row }> {
  const records = parseCsv(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, bom: true, info: true, relax_column_count: false }) as Array<{ record: Row; info: { lines: number } }>;
  const header = Object.keys(records[0]?.record ?? {});
  const unknown = header.filter((h) => !(COHORT_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw new TandaError('import_failed', `unknown column(s): ${unknown.join(', ')}; expected ${COHORT_COLUMNS.join(', ')}`);
  return records.map((r) => ({ line: r.info.lines, row: r.record }));
}

export async function importCohort(
  ctx: RplContext,
  actor: Actor,
  csvText: string,
  options: CohortOptions,
  onProgress?: (done: number, total: number, last: CohortRowReport) => void,
): Promise<CohortReport> {
  authorize(actor, 'import', { kind: 'cohort', issuerId: options.issuerId });
  const ex = ctx.db.kysely;
  const q = (await getQualification(ex, options.qualification)) ?? (await getQualificationByCode(ex, options.qualification));
  if (!q) throw new TandaError('not_found', `no qualification ${options.qualification} in the catalogue`);
  if (!(await qualifiedAssessor(ex, options.issuerId, options.assessorId))) throw new TandaError('validation_failed', `${options.assessorId} is not an assessor of ${options.issuerId}`);
  let country = options.country ?? null;
  if (options.centreId) {
    const centre = await ex.selectFrom('assessment_centres').select(['issuer_id', 'country']).where('id', '=', options.centreId).executeTakeFirst();
    if (!centre || centre.issuer_id !== options.issuerId) throw new TandaError('validation_failed', `no assessment centre ${options.centreId} of ${options.issuerId}`);
    country ??= centre.country;
  }
  if (!country) throw new TandaError('validation_failed', 'an assessment centre or a country is required');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.assessedOn)) throw new TandaError('validation_failed', 'the assessment date must be YYYY-MM-DD');

  const rows = parseCohortCsv(csvText);
  const report: CohortReport = { cohortRef: options.cohortRef, total: rows.length, imported: 0, failed: 0, rows: [] };
  for (const { line, row } of rows) {
    let result: CohortRowReport;
    const parsed = parseRow(row, q);
    if (!parsed.ok) {
      result = { line, status: 'failed', errors: parsed.errors };
    } else {
      try {
        result = await ex.transaction().execute(async (tx) => importRow(tx, ctx, actor, q, parsed.value, options, country!, line));
      } catch (e) {
        // The row's transaction rolled back; a database error (a constraint, a lost race) fails this row only.
        result = { line, status: 'failed', errors: [isTandaError(e) ? e.message : `database error: ${(e as Error).message}`] };
      }
    }
    report.rows.push(result);
    if (result.status === 'imported') report.imported++;
    else report.failed++;
    onProgress?.(report.rows.length, rows.length, result);
  }
  return report;
}

async function importRow(tx: Executor, ctx: RplContext, actor: Actor, q: Qualification, p: ParsedRow, o: CohortOptions, country: string, line: number): Promise<CohortRowReport> {
  const existing = await findExisting(tx, ctx, p.profile);
  const candidateId = existing ?? (await insertCandidate(tx, ctx, actor, p.profile, o.issuerId)).id;
  const { outcome } = computeOutcome(q.units, q.awardRule, p.decisions);
  const id = crypto.randomUUID();
  const now = nowIso();
  await tx
    .insertInto('rpl_cases')
    .values({
      id, candidate_id: candidateId, qualification_id: q.id, issuer_id: o.issuerId, state: 'decided', version: 1, round: 1,
      assessor_id: o.assessorId, previous_assessor_id: null, moderator_id: null, outcome, decided_at: now, moderated_at: null,
      moderation_note: null, gap_training_note: null, appeal_reason: null, appealed_at: null, credential_id: null, cohort_ref: o.cohortRef,
      created_by: actor.id, created_at: now, updated_at: now,
    })
    .execute();
  for (const [unitId, decision] of p.decisions) {
    await tx
      .insertInto('unit_assessments')
      .values({
        case_id: id, round: 1, unit_id: unitId, assessor_id: o.assessorId, methods: JSON.stringify(p.methods), evidence_ids: '[]',
        // The rating sheet of the day records the decision; sufficiency is what a Not Yet Competent lacked.
        quality: JSON.stringify({ valid: true, authentic: true, current: true, sufficient: decision === 'competent' }),
        decision, notes: p.notes, centre_id: o.centreId ?? null, country, assessed_on: o.assessedOn, updated_at: now,
      })
      .execute();
  }
  await audit(tx, ctx, { actorId: actor.id, action: 'case.imported', caseId: id, data: { to: 'decided', cohortRef: o.cohortRef, line, outcome, assessorId: o.assessorId } });
  return { line, status: 'imported', candidateId, reusedCandidate: existing !== undefined, caseId: id, outcome };
}
