import { nowIso, type Executor } from '../db/database.js';
import { TandaError } from '../errors.js';
import type { Actor, Context } from '../policy/policy.js';
import { caseQualification, loadVisibleCase } from './case-repository.js';
import { audit, type RplContext } from './context.js';

/** As in TESDA's Self-Assessment Guide and BNSP's FR.APL.02: "can I do this?" per unit. */
export const SELF_RATINGS = ['yes', 'partly', 'not_yet'] as const;
export type SelfRating = (typeof SELF_RATINGS)[number];

export interface SelfAssessmentItem {
  unitId: string;
  rating: SelfRating;
  note?: string | null;
}

const EDITABLE = new Set(['draft', 'submitted', 'screening']);

export async function saveSelfAssessment(ctx: RplContext, actor: Actor, caseId: string, items: SelfAssessmentItem[]): Promise<SelfAssessmentItem[]> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const { row } = await loadVisibleCase(tx, actor, caseId, { action: 'self_assess' });
    if (!EDITABLE.has(row.state)) throw new TandaError('invalid_transition', `the self-assessment is closed once the case is in ${row.state}`);
    const q = await caseQualification(tx, row);
    const units = new Set(q.units.map((u) => u.unitId));
    const foreign = items.filter((i) => !units.has(i.unitId)).map((i) => i.unitId);
    if (foreign.length) throw new TandaError('validation_failed', `not units of ${q.code}: ${foreign.join(', ')}`);
    for (const i of items) {
      await tx.deleteFrom('self_assessments').where('case_id', '=', caseId).where('unit_id', '=', i.unitId).execute();
      await tx.insertInto('self_assessments').values({ case_id: caseId, unit_id: i.unitId, rating: i.rating, note: i.note ?? null, updated_at: nowIso() }).execute();
    }
    await audit(tx, ctx, { actorId: actor.id, action: 'case.self_assessed', caseId, data: { units: items.map((i) => i.unitId) } });
    return listSelf(tx, caseId);
  });
}

async function listSelf(executor: Executor, caseId: string): Promise<SelfAssessmentItem[]> {
  const rows = await executor.selectFrom('self_assessments').selectAll().where('case_id', '=', caseId).orderBy('unit_id').execute();
  return rows.map((r) => ({ unitId: r.unit_id, rating: r.rating as SelfRating, note: r.note }));
}

export async function getSelfAssessment(ctx: RplContext, actor: Actor, caseId: string, context: Context = {}): Promise<SelfAssessmentItem[]> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    await loadVisibleCase(tx, actor, caseId, { context, audit: { tx, dialect: ctx.db.dialect } });
    return listSelf(tx, caseId);
  });
}
