import { nowIso, type Executor } from '../db/database.js';
import { TandaError } from '../errors.js';
import type { Actor, Context } from '../policy/policy.js';
import { caseQualification, loadVisibleCase } from './case-repository.js';
import { audit, type RplContext } from './context.js';
import type { UnitDecision } from './outcome.js';
import type { CaseState } from './transitions.js';

export const ASSESSMENT_METHODS = ['portfolio_review', 'observation', 'practical_demonstration', 'interview', 'written_test'] as const;
export type AssessmentMethod = (typeof ASSESSMENT_METHODS)[number];

export const METHOD_LABELS: Record<AssessmentMethod, string> = {
  portfolio_review: 'portfolio',
  observation: 'observation',
  practical_demonstration: 'demonstration',
  interview: 'interview',
  written_test: 'written test',
};

/** The rules of evidence (BNSP's VATM, the ILO/Kenya quality checks): each judged for the evidence relied on. */
export interface EvidenceQuality {
  valid: boolean;
  authentic: boolean;
  current: boolean;
  sufficient: boolean;
}

export interface UnitAssessmentInput {
  unitId: string;
  methods: AssessmentMethod[];
  evidenceIds: string[];
  quality: EvidenceQuality;
  decision: UnitDecision;
  notes?: string | null;
}

export interface AssessmentInput {
  units: UnitAssessmentInput[];
  /** Where: an assessment centre of the certifying body (abroad is normal) and/or the country. */
  centreId?: string | null;
  country?: string | null;
  /** When (YYYY-MM-DD). */
  assessedOn: string;
}

export interface UnitAssessmentView extends UnitAssessmentInput {
  round: number;
  assessorId: string;
  centreId: string | null;
  country: string;
  assessedOn: string;
}

/**
 * The assigned assessor records per-unit judgements during assessment or reassessment; a unit may be recorded again
 * until the case is decided. Competent needs evidence judged valid, authentic, current and sufficient; a
 * judgement resting on documents alone must name them, while observation, demonstration and interview are
 * evidence in themselves (domestic workers often have no papers).
 */
export async function recordUnitAssessments(ctx: RplContext, actor: Actor, caseId: string, input: AssessmentInput): Promise<UnitAssessmentView[]> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    await recordUnitAssessmentsTx(tx, ctx, actor, caseId, input);
    return listUnitAssessmentsTx(tx, caseId);
  });
}

/** The states in which a case takes unit judgements. */
export const UNIT_RECORDING_STATES: ReadonlySet<string> = new Set<CaseState>(['assessment', 'reassessment']);

/**
 * The rules and writes of `recordUnitAssessments` inside the caller's transaction (the console's sync applies a
 * device's events of one case in one transaction). Every refusal is thrown before the first write.
 */
export async function recordUnitAssessmentsTx(tx: Executor, ctx: RplContext, actor: Actor, caseId: string, input: AssessmentInput): Promise<void> {
  const { row } = await loadVisibleCase(tx, actor, caseId, { kind: 'assessment', action: 'record' });
  if (!UNIT_RECORDING_STATES.has(row.state)) {
    throw new TandaError('invalid_transition', `unit assessments are recorded while the case is in assessment or reassessment, not ${row.state}`);
  }
  const qualification = await caseQualification(tx, row);
  const unitIds = new Set(qualification.units.map((u) => u.unitId));
  const evidence = new Set((await tx.selectFrom('evidence_items').select('id').where('case_id', '=', caseId).execute()).map((e) => e.id));
  let country = input.country ?? null;
  if (input.centreId) {
    const centre = await tx.selectFrom('assessment_centres').select(['issuer_id', 'country']).where('id', '=', input.centreId).executeTakeFirst();
    if (!centre || centre.issuer_id !== row.issuer_id) throw new TandaError('validation_failed', `no assessment centre ${input.centreId} of the case's certifying body`);
    country ??= centre.country;
  }
  if (!country || !/^[A-Z]{2}$/.test(country)) throw new TandaError('validation_failed', 'the country of assessment (ISO 3166-1 alpha-2) or an assessment centre is required');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.assessedOn) || Number.isNaN(Date.parse(input.assessedOn)) || input.assessedOn > nowIso().slice(0, 10)) {
    throw new TandaError('validation_failed', 'assessedOn must be a date (YYYY-MM-DD), not in the future');
  }
  const problems: string[] = [];
  for (const u of input.units) {
    if (!unitIds.has(u.unitId)) problems.push(`${u.unitId} is not a unit of ${qualification.code}`);
    if (!u.methods.length) problems.push(`${u.unitId}: at least one method`);
    const unknown = u.evidenceIds.filter((e) => !evidence.has(e));
    if (unknown.length) problems.push(`${u.unitId}: evidence ${unknown.join(', ')} is not in this case`);
    if (u.decision === 'competent') {
      const q = u.quality;
      if (!(q.valid && q.authentic && q.current && q.sufficient)) problems.push(`${u.unitId}: Competent needs evidence judged valid, authentic, current and sufficient`);
      if (u.methods.every((m) => m === 'portfolio_review') && !u.evidenceIds.length) problems.push(`${u.unitId}: a portfolio review must name the evidence items relied on`);
    }
  }
  if (new Set(input.units.map((u) => u.unitId)).size !== input.units.length) problems.push('a unit appears twice');
  if (problems.length) throw new TandaError('validation_failed', problems.join('; '), { details: { errors: problems } });

  const round = Number(row.round);
  const now = nowIso();
  for (const u of input.units) {
    await tx.deleteFrom('unit_assessments').where('case_id', '=', caseId).where('round', '=', round).where('unit_id', '=', u.unitId).execute();
    await tx
      .insertInto('unit_assessments')
      .values({
        case_id: caseId,
        round,
        unit_id: u.unitId,
        assessor_id: actor.id,
        methods: JSON.stringify(u.methods),
        evidence_ids: JSON.stringify(u.evidenceIds),
        quality: JSON.stringify(u.quality),
        decision: u.decision,
        notes: u.notes ?? null,
        centre_id: input.centreId ?? null,
        country,
        assessed_on: input.assessedOn,
        updated_at: now,
      })
      .execute();
  }
  await audit(tx, ctx, {
    actorId: actor.id,
    action: 'case.units_assessed',
    caseId,
    data: { round, units: input.units.map((u) => `${u.unitId}=${u.decision}`) },
  });
}

async function listUnitAssessmentsTx(executor: Executor, caseId: string): Promise<UnitAssessmentView[]> {
  const rows = await executor.selectFrom('unit_assessments').selectAll().where('case_id', '=', caseId).orderBy('round').orderBy('unit_id').execute();
  return rows.map((r) => ({
    round: Number(r.round),
    unitId: r.unit_id,
    assessorId: r.assessor_id,
    methods: JSON.parse(r.methods) as AssessmentMethod[],
    evidenceIds: JSON.parse(r.evidence_ids) as string[],
    quality: JSON.parse(r.quality) as EvidenceQuality,
    decision: r.decision as UnitDecision,
    notes: r.notes,
    centreId: r.centre_id,
    country: r.country,
    assessedOn: r.assessed_on,
  }));
}

export async function listUnitAssessments(ctx: RplContext, actor: Actor, caseId: string, context: Context = {}): Promise<UnitAssessmentView[]> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    await loadVisibleCase(tx, actor, caseId, { kind: 'assessment', context, audit: { tx, dialect: ctx.db.dialect } });
    return listUnitAssessmentsTx(tx, caseId);
  });
}
