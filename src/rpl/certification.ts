import type { CertificatePreviewInput } from '../certificates/certificate-service.js';
import { TandaError } from '../errors.js';
import type { Executor } from '../db/database.js';
import { authorize, type Actor, type Context } from '../policy/policy.js';
import { assertVersion, caseFacts, caseOutcome, caseView, loadVisibleCase, updateCaseVersioned, type CaseRow, type CaseView } from './case-repository.js';
import { audit, type RplContext } from './context.js';
import { evidenceWording, type EvidenceWording } from '../awards/evidence-wording.js';
import type { AssessmentMethod } from './assessment.js';
import { assertEventAllowed, assertTransition, type CaseState } from './transitions.js';

/**
 * How and where the units were assessed, for the credential's `evidence[]`: methods and the place (centre city and
 * country), never the documents, which stay private to the case. Kept short: it is printed in the QR code.
 */
export async function assessmentSummary(
  executor: Executor,
  row: CaseRow,
): Promise<{ evidence: EvidenceWording; centre?: string; country?: string; date?: string }> {
  const rows = await executor
    .selectFrom('unit_assessments')
    .leftJoin('assessment_centres', 'assessment_centres.id', 'unit_assessments.centre_id')
    .select(['unit_assessments.methods', 'unit_assessments.country', 'unit_assessments.assessed_on', 'assessment_centres.name as centre_name', 'assessment_centres.city'])
    .where('unit_assessments.case_id', '=', row.id)
    .where('unit_assessments.round', '=', Number(row.round))
    .where('unit_assessments.decision', '=', 'competent')
    .execute();
  const methods = new Set<AssessmentMethod>();
  for (const r of rows) for (const m of JSON.parse(r.methods) as AssessmentMethod[]) methods.add(m);
  const last = [...rows].sort((a, b) => (a.assessed_on < b.assessed_on ? 1 : -1))[0];
  return {
    evidence: evidenceWording(methods, { city: last?.city, country: last?.country }),
    ...(last?.centre_name ? { centre: last.centre_name } : {}),
    ...(last ? { country: last.country, date: last.assessed_on } : {}),
  };
}

/**
 * Certification: a certifying officer of the case's certifying body issues the credential for a moderated
 * decision, within its accreditation (checked while issuing). It goes through issueAward, so the credential gets
 * its award record and QR type table and can be printed; the case moves to `certified` in the same transaction
 * (CredentialService.issue's afterStore): either both happen or neither.
 */
export async function certifyCase(
  ctx: RplContext,
  actor: Actor,
  id: string,
  version: number,
  context: Context = {},
  /** Runs in the issuing transaction, after the case and audit writes (a batch marks its item done there). */
  options: { afterStore?: (tx: Executor, credentialId: string) => Promise<void> } = {},
): Promise<CaseView> {
  const { row, candidateUserId, candidateName } = await loadVisibleCase(ctx.db.kysely, actor, id, { context });
  assertVersion(row, version);
  assertEventAllowed(row.state as CaseState, 'certify', actor.role);
  authorize(actor, 'transition:certify', { kind: 'case', ...caseFacts(row, candidateUserId) }, context);
  const { qualification, outcome, competentUnitIds } = await caseOutcome(ctx.db.kysely, row);
  assertTransition(row.state as CaseState, 'certify', actor.role, { has_competent_units: competentUnitIds.length > 0 });
  if (outcome === 'not_yet_competent') throw new TandaError('precondition_failed', 'nothing to certify');

  const candidate = await ctx.db.kysely.selectFrom('candidates').select(['full_name', 'name_latin', 'preferred_language', 'erased_at']).where('id', '=', row.candidate_id).executeTakeFirstOrThrow();
  if (candidate.erased_at) throw new TandaError('precondition_failed', 'the candidate\'s data was erased');
  const summary = await assessmentSummary(ctx.db.kysely, row);
  await ctx.issueAward(actor, {
    issuerId: row.issuer_id,
    qualificationId: qualification.id,
    achievedUnitIds: competentUnitIds,
    holder: { name: candidate.full_name, nameLatin: candidate.name_latin ?? undefined },
    holderUserId: candidateUserId,
    caseId: row.id,
    assessment: { centre: summary.centre, country: summary.country, date: summary.date },
    // The returnee's language beside English on the printed certificate (the printer falls back if it has no font).
    printLang: candidate.preferred_language ?? undefined,
    evidence: summary.evidence,
    afterStore: async (tx, signed) => {
      const v = await updateCaseVersioned(tx, row.id, version, { state: 'certified', credential_id: String(signed.id) });
      await audit(tx, ctx, { actorId: actor.id, action: 'case.transition', caseId: row.id, subjectId: String(signed.id), data: { event: 'certify', from: row.state, to: 'certified', version: v, round: Number(row.round), outcome } });
      await options.afterStore?.(tx, String(signed.id));
    },
  });
  const after = await loadVisibleCase(ctx.db.kysely, actor, id, { context });
  return caseView(after.row, { name: candidateName, userId: candidateUserId }, actor, ctx.appealDays);
}

/**
 * What certifying a moderated case now would put on its certificate, for the officer's preview: asked of the
 * policy as certifying itself is (a certifying officer of the case's body), read only — no credential, no status
 * entry, nothing written.
 */
export async function certificatePreviewInput(ctx: RplContext, actor: Actor, id: string, context: Context = {}): Promise<CertificatePreviewInput> {
  const { row, candidateUserId } = await loadVisibleCase(ctx.db.kysely, actor, id, { context });
  authorize(actor, 'transition:certify', { kind: 'case', ...caseFacts(row, candidateUserId) }, context);
  if (row.state !== 'moderated') throw new TandaError('precondition_failed', `only a moderated case has a certificate to preview (this one is ${row.state})`);
  const { qualification, outcome, competentUnitIds } = await caseOutcome(ctx.db.kysely, row);
  if (outcome === 'not_yet_competent' || competentUnitIds.length === 0) throw new TandaError('precondition_failed', 'no unit was assessed Competent: there is nothing to certify');
  const candidate = await ctx.db.kysely.selectFrom('candidates').select(['full_name', 'name_latin', 'preferred_language', 'erased_at']).where('id', '=', row.candidate_id).executeTakeFirstOrThrow();
  if (candidate.erased_at) throw new TandaError('precondition_failed', 'the candidate\'s data was erased');
  const summary = await assessmentSummary(ctx.db.kysely, row);
  return {
    qualificationId: qualification.id,
    issuerId: row.issuer_id,
    unitIds: competentUnitIds,
    holderName: candidate.full_name,
    holderNameLatin: candidate.name_latin ?? undefined,
    printLang: candidate.preferred_language,
    assessment: { centre: summary.centre, country: summary.country, date: summary.date },
  };
}
