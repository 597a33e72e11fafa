import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowIso, type Executor } from '../db/database.js';
import { TandaError } from '../errors.js';
import { getQualification } from '../frameworks/catalogue-repository.js';
import type { Qualification } from '../frameworks/types.js';
import { authorize, can, type Actor } from '../policy/policy.js';
import type { AssessmentMethod, EvidenceQuality } from '../rpl/assessment.js';
import { caseFacts, eventsFor } from '../rpl/case-repository.js';
import { audit, type RplContext } from '../rpl/context.js';
import type { UnitAssessmentsTable } from '../rpl/tables.js';

/** A day abroad is forty candidates or so; sixty leaves room without letting a package become a body's whole file. */
export const MAX_OFFLINE_CASES = 60;
const ASSESSABLE = new Set(['assessment', 'reassessment']);

export interface OfflineUnitJudgement {
  unitId: string;
  assessorId: string;
  methods: AssessmentMethod[];
  evidenceIds: string[];
  quality: EvidenceQuality;
  decision: string;
  notes: string | null;
  centreId: string | null;
  country: string;
  assessedOn: string;
  updatedAt: string;
}

export interface OfflineCase {
  id: string;
  /** The package (the day's id): the device names it in each event it records on this case. */
  packageId: string;
  /** The case has no number of its own; the cohort reference is what a body's paperwork uses, when there is one. */
  cohortRef: string | null;
  state: string;
  version: number;
  round: number;
  qualification: { id: string; code: string; title: string; titles: Record<string, string>; units: Array<{ id: string; code: string; title: string; titles: Record<string, string>; core: boolean }> };
  /**
   * Who to call up in the hall, and nothing more: the case view staff see online shows the name alone (no sex, age,
   * contact or national id), and a device in an embassy hall is the likeliest place for data to be lost.
   */
  candidate: { id: string; name: string };
  selfAssessment: Array<{ unitId: string; rating: string; note: string | null }>;
  /** Metadata only: the files stay on the server (an assessor opens them online or takes new photos). */
  evidence: Array<{ id: string; kind: string; title: string; mediaType: string | null; size: number | null }>;
  /** This round's judgements recorded so far. */
  assessments: OfflineUnitJudgement[];
  /**
   * The workflow events the assessor may fire on the case as packaged (as `allowedEvents` of the case view): the
   * device offers `decide` offline from it, once its own preconditions hold on the device's copy.
   */
  allowedEvents: string[];
  packagedAt: string;
}

export interface OfflineDay {
  id: string;
  createdAt: string;
  cases: OfflineCase[];
}

/** What identifies one judgement of a unit as written: who, what, when. Sync compares these to see a change. */
export const unitSignature = (r: Pick<Selectable<UnitAssessmentsTable>, 'assessor_id' | 'decision' | 'updated_at'>): string => `${r.assessor_id}|${r.decision}|${r.updated_at}`;

export function judgementView(r: Selectable<UnitAssessmentsTable>): OfflineUnitJudgement {
  return {
    unitId: r.unit_id,
    assessorId: r.assessor_id,
    methods: JSON.parse(r.methods) as AssessmentMethod[],
    evidenceIds: JSON.parse(r.evidence_ids) as string[],
    quality: JSON.parse(r.quality) as EvidenceQuality,
    decision: r.decision,
    notes: r.notes,
    centreId: r.centre_id,
    country: r.country,
    assessedOn: r.assessed_on,
    updatedAt: r.updated_at,
  };
}

const titleOf = (titles: Record<string, string>): string => titles.en ?? Object.values(titles)[0] ?? '';

function qualificationView(q: Qualification): OfflineCase['qualification'] {
  return {
    id: q.id,
    code: q.code,
    title: titleOf(q.titles),
    titles: q.titles,
    units: q.units.map((u) => ({ id: u.unitId, code: u.code, title: titleOf(u.titles), titles: u.titles, core: u.kind === 'core' })),
  };
}

/**
 * Takes an assessor's cases off the server for a day without network: all of them or none. The package is stored
 * (which cases, at which version, each unit's judgement then) because sync needs to know what the device started
 * from: recording a unit does not move the case version, so the version alone cannot tell a colleague's judgement
 * made meanwhile from the assessor's own. Each case gets an audit entry: its returnee's data is now on a device.
 */
export async function createOfflineDay(ctx: RplContext, actor: Actor, input: { caseIds: string[] }): Promise<OfflineDay> {
  authorize(actor, 'create', { kind: 'offline_day', issuerId: actor.issuerId, ownerId: null });
  const ids = input.caseIds;
  if (!ids.length || ids.length > MAX_OFFLINE_CASES) throw new TandaError('validation_failed', `an offline day holds 1 to ${MAX_OFFLINE_CASES} cases`);
  if (new Set(ids).size !== ids.length) throw new TandaError('validation_failed', 'a case appears twice');
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom('rpl_cases')
      .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
      .selectAll('rpl_cases')
      .select(['candidates.user_id as candidate_user_id', 'candidates.full_name as candidate_name'])
      .where('rpl_cases.id', 'in', ids)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Cases outside the assessor's reach are named like missing ones, so nothing is learnt of other bodies' cases.
    const hidden = ids.filter((id) => {
      const r = byId.get(id);
      return !r || !can(actor, 'record', { kind: 'assessment', ...caseFacts(r, r.candidate_user_id) });
    });
    if (hidden.length) throw new TandaError('not_found', `no such case to assess: ${hidden.join(', ')}`, { details: { caseIds: hidden } });
    const closed = ids.filter((id) => !ASSESSABLE.has(byId.get(id)!.state));
    if (closed.length) throw new TandaError('case_not_assessable', `not in assessment or reassessment: ${closed.join(', ')}`, { details: { caseIds: closed } });

    const id = crypto.randomUUID();
    const now = nowIso();
    await tx.insertInto('offline_packages').values({ id, actor_id: actor.id, issuer_id: actor.issuerId!, case_count: ids.length, created_at: now }).execute();
    const qualifications = new Map<string, Qualification>();
    for (const r of rows) {
      if (qualifications.has(r.qualification_id)) continue;
      const q = await getQualification(tx, r.qualification_id);
      if (!q) throw new TandaError('not_found', `qualification ${r.qualification_id} is no longer in the catalogue`);
      qualifications.set(r.qualification_id, q);
    }
    const [evidence, selfRows, unitRows] = await Promise.all([
      tx
        .selectFrom('evidence_items')
        .leftJoin('evidence_blobs', 'evidence_blobs.hash', 'evidence_items.blob_hash')
        .select(['evidence_items.id', 'evidence_items.case_id', 'evidence_items.kind', 'evidence_items.title', 'evidence_blobs.content_type', 'evidence_blobs.size'])
        .where('evidence_items.case_id', 'in', ids)
        .orderBy('evidence_items.created_at')
        .execute(),
      tx.selectFrom('self_assessments').selectAll().where('case_id', 'in', ids).orderBy('unit_id').execute(),
      tx.selectFrom('unit_assessments').selectAll().where('case_id', 'in', ids).orderBy('unit_id').execute(),
    ]);
    const cases: OfflineCase[] = [];
    for (const caseId of ids) {
      const r = byId.get(caseId)!;
      const round = Number(r.round);
      const units = unitRows.filter((u) => u.case_id === caseId && Number(u.round) === round);
      await tx
        .insertInto('offline_package_cases')
        .values({ package_id: id, case_id: caseId, actor_id: actor.id, version: Number(r.version), round, units: JSON.stringify(Object.fromEntries(units.map((u) => [u.unit_id, unitSignature(u)]))), created_at: now })
        .execute();
      await audit(tx, ctx, { actorId: actor.id, action: 'case.packaged_offline', caseId, subjectId: id, data: { packageId: id, version: Number(r.version) } });
      cases.push({
        id: caseId,
        packageId: id,
        cohortRef: r.cohort_ref,
        state: r.state,
        version: Number(r.version),
        round,
        qualification: qualificationView(qualifications.get(r.qualification_id)!),
        candidate: { id: r.candidate_id, name: r.candidate_name },
        selfAssessment: selfRows.filter((s) => s.case_id === caseId).map((s) => ({ unitId: s.unit_id, rating: s.rating, note: s.note })),
        evidence: evidence
          .filter((e) => e.case_id === caseId)
          .map((e) => ({ id: e.id, kind: e.kind, title: e.title, mediaType: e.content_type ?? null, size: e.size === null || e.size === undefined ? null : Number(e.size) })),
        assessments: units.map(judgementView),
        allowedEvents: eventsFor(actor, r, r.candidate_user_id),
        packagedAt: now,
      });
    }
    return { id, createdAt: now, cases };
  });
}

/** What a package recorded of one case: its round then, and each unit's judgement signature then. */
export interface PackageSnapshot {
  round: number;
  units: Record<string, string>;
  createdAt: string;
}

/**
 * The first package of this actor that holds the case at `version`, if any: for events of devices that do not say
 * which package they hold (recorded before events named it). The first, not the newest: a judgement someone made
 * between two packages then still counts as a change for both (a person looks at it) rather than for neither
 * (overwritten unseen).
 */
export async function packageOf(tx: Executor, actorId: string, caseId: string, version: number): Promise<PackageSnapshot | undefined> {
  const row = await tx
    .selectFrom('offline_package_cases')
    .select(['round', 'units', 'created_at'])
    .where('actor_id', '=', actorId)
    .where('case_id', '=', caseId)
    .where('version', '=', version)
    .orderBy('created_at', 'asc')
    .limit(1)
    .executeTakeFirst();
  return row ? { round: Number(row.round), units: JSON.parse(row.units) as Record<string, string>, createdAt: row.created_at } : undefined;
}
