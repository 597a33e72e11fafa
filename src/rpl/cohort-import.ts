import crypto from 'node:crypto';
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError, isTandaError, type ErrorCode } from '../errors.js';
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
 *
 * Re-runnable: each imported row records (file, line) → case in its own transaction, so running the same file again
 * after a crash or a kill skips the rows that landed and imports the rest; and one candidate gets at most one
 * imported case per qualification and assessment day, so the same person twice (in one file or in two) is reported
 * as a duplicate row instead of a second case.
 */

export const COHORT_COLUMNS = [
  'full_name', 'name_latin', 'email', 'phone', 'sex', 'birth_year', 'country_of_work', 'sector', 'years_experience',
  'national_id', 'preferred_language', 'consent_purpose', 'consent_statistics', 'decisions', 'methods', 'notes',
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
  /** Declared encoding of the file; by default detected from a byte-order mark, else UTF-8. */
  encoding?: CohortEncoding;
}

/** The encodings a cohort file may be in; `auto` reads a byte-order mark and otherwise expects UTF-8. */
export const COHORT_ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be'] as const;
export type CohortEncoding = (typeof COHORT_ENCODINGS)[number];

export interface CohortRowReport {
  /** Line in the file (the header is line 1). */
  line: number;
  /**
   * `already_imported`: an earlier run of this file imported the line (`caseId` is its case); `duplicate`: the
   * candidate already has an imported case for this qualification and day (`caseId`), so none was made.
   */
  status: 'imported' | 'already_imported' | 'duplicate' | 'failed';
  /**
   * Why a row failed or was a duplicate, from the error table: `validation_failed` (a field), `invalid_text` (bytes
   * not valid in the file's encoding), `already_exists` (a duplicate), `conflict` (the contacts match different
   * returnees), `internal` (the database refused the row).
   */
  code?: ErrorCode;
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
  alreadyImported: number;
  duplicates: number;
  failed: number;
  /** The encoding the file was read in. */
  encoding?: Exclude<CohortEncoding, 'auto'>;
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
  // Opt-in: only an explicit yes counts the returnee in statistics; empty or no leaves them out.
  const statistics = s('consent_statistics')?.toLowerCase() ?? 'no';
  if (statistics !== 'yes' && statistics !== 'no') errors.push('consent_statistics: yes or no (empty is no)');

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
        consent: { purpose: consent!, statistics: statistics === 'yes' },
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
  let records: Array<{ record: Row; info: { lines: number } }>;
  try {
    records = parseCsv(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, bom: true, info: true, relax_column_count: false }) as typeof records;
  } catch (e) {
    // The file's structure (a quote left open, a row with more cells than the header): no row can be trusted.
    if (e instanceof CsvError) throw new TandaError('import_failed', `the file is not a well-formed CSV: ${e.message}`, { details: { line: (e as CsvError & { lines?: number }).lines ?? null, csvCode: e.code } });
    throw e;
  }
  const header = Object.keys(records[0]?.record ?? {});
  const unknown = header.filter((h) => !(COHORT_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw new TandaError('import_failed', `unknown column(s): ${unknown.join(', ')}; expected ${COHORT_COLUMNS.join(', ')}`);
  return records.map((r) => ({ line: r.info.lines, row: r.record }));
}

const BOMS: Array<[Exclude<CohortEncoding, 'auto'>, number[]]> = [
  ['utf-8', [0xef, 0xbb, 0xbf]],
  ['utf-16le', [0xff, 0xfe]],
  ['utf-16be', [0xfe, 0xff]],
];

/**
 * The file's text in the declared encoding or the one its byte-order mark names (UTF-8 without one). Bytes that are
 * not valid in that encoding (a Latin-1 or Windows-1252 export read as UTF-8) refuse the file, with the lines they
 * are on, instead of importing names with replacement characters.
 */
export function decodeCohortFile(bytes: Uint8Array, declared: CohortEncoding = 'auto'): { ok: true; text: string; encoding: Exclude<CohortEncoding, 'auto'> } | { ok: false; rows: CohortRowReport[] } {
  const bom = BOMS.find(([, sig]) => sig.every((b, i) => bytes[i] === b))?.[0];
  if (declared !== 'auto' && bom && bom !== declared) {
    return { ok: false, rows: [{ line: 1, status: 'failed', code: 'invalid_text', errors: [`the file starts with a ${bom} byte-order mark but was declared ${declared}`] }] };
  }
  const encoding = declared === 'auto' ? (bom ?? 'utf-8') : declared;
  try {
    // fatal: an invalid byte sequence throws instead of becoming U+FFFD; the BOM, if any, is dropped.
    return { ok: true, text: new TextDecoder(encoding, { fatal: true }).decode(bytes), encoding };
  } catch {
    const hint = 'save it as UTF-8 (or UTF-16 with a byte-order mark), or declare its encoding';
    if (encoding !== 'utf-8') return { ok: false, rows: [{ line: 1, status: 'failed', code: 'invalid_text', errors: [`the file is not valid ${encoding}: ${hint}`] }] };
    // Which lines: UTF-8 never uses the newline byte inside a character, so each line decodes on its own.
    const rows: CohortRowReport[] = [];
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      const nl = bytes.indexOf(0x0a, start);
      const end = nl === -1 ? bytes.length : nl;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end));
      } catch {
        rows.push({ line, status: 'failed', code: 'invalid_text', errors: [`not valid UTF-8 (a Latin-1 or Windows export?): ${hint}`] });
      }
      start = end + 1;
    }
    return { ok: false, rows };
  }
}

/** The key rows of one import are recorded under: the file's bytes and what gives its rows their meaning. */
function importKey(bytes: Uint8Array, issuerId: string, qualificationId: string, assessedOn: string): string {
  return crypto.createHash('sha256').update(bytes).update(JSON.stringify([issuerId, qualificationId, assessedOn])).digest('hex');
}

export async function importCohort(
  ctx: RplContext,
  actor: Actor,
  file: Uint8Array | string,
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

  const bytes = typeof file === 'string' ? new TextEncoder().encode(file) : file;
  const decoded = decodeCohortFile(bytes, options.encoding);
  const empty = { cohortRef: options.cohortRef, imported: 0, alreadyImported: 0, duplicates: 0 };
  if (!decoded.ok) return { ...empty, total: decoded.rows.length, failed: decoded.rows.length, rows: decoded.rows };
  const rows = parseCohortCsv(decoded.text);
  const key = importKey(bytes, options.issuerId, q.id, options.assessedOn);
  const landed = new Map(
    (await ex.selectFrom('cohort_import_rows').select(['line', 'case_id']).where('file_sha256', '=', key).execute()).map((r) => [Number(r.line), r.case_id]),
  );
  const report: CohortReport = { ...empty, total: rows.length, failed: 0, encoding: decoded.encoding, rows: [] };
  for (const { line, row } of rows) {
    let result: CohortRowReport;
    const parsed = parseRow(row, q);
    const earlier = landed.get(line);
    if (earlier) {
      result = { line, status: 'already_imported', caseId: earlier };
    } else if (!parsed.ok) {
      result = { line, status: 'failed', code: 'validation_failed', errors: parsed.errors };
    } else {
      try {
        result = await ex.transaction().execute(async (tx) => importRow(tx, ctx, actor, q, parsed.value, options, country!, line, key));
      } catch (e) {
        // The row's transaction rolled back; a database error (a constraint, a lost race) fails this row only.
        result = isTandaError(e) ? { line, status: 'failed', code: e.code, errors: [e.message] } : { line, status: 'failed', code: 'internal', errors: [`database error: ${(e as Error).message}`] };
      }
    }
    report.rows.push(result);
    if (result.status === 'imported') report.imported++;
    else if (result.status === 'already_imported') report.alreadyImported++;
    else if (result.status === 'duplicate') report.duplicates++;
    else report.failed++;
    onProgress?.(report.rows.length, rows.length, result);
  }
  return report;
}

async function importRow(tx: Executor, ctx: RplContext, actor: Actor, q: Qualification, p: ParsedRow, o: CohortOptions, country: string, line: number, key: string): Promise<CohortRowReport> {
  const existing = await findExisting(tx, ctx, p.profile);
  if (existing) {
    const same = await tx
      .selectFrom('cohort_case_keys')
      .select('case_id')
      .where('candidate_id', '=', existing)
      .where('qualification_id', '=', q.id)
      .where('assessed_on', '=', o.assessedOn)
      .executeTakeFirst();
    if (same) {
      return { line, status: 'duplicate', code: 'already_exists', candidateId: existing, reusedCandidate: true, caseId: same.case_id, errors: [`this candidate already has an imported case for ${q.code} assessed on ${o.assessedOn}: no second case was made`] };
    }
  }
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
  await tx.insertInto('cohort_import_rows').values({ file_sha256: key, line, case_id: id, created_at: now }).execute();
  await tx.insertInto('cohort_case_keys').values({ candidate_id: candidateId, qualification_id: q.id, assessed_on: o.assessedOn, case_id: id }).execute();
  await audit(tx, ctx, { actorId: actor.id, action: 'case.imported', caseId: id, data: { to: 'decided', cohortRef: o.cohortRef, line, outcome, assessorId: o.assessorId } });
  return { line, status: 'imported', candidateId, reusedCandidate: existing !== undefined, caseId: id, outcome };
}
