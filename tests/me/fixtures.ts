import type { TestContext } from '../helpers/app.js';
import { FILES, HOUSEKEEPING_UNITS, housekeepingAssessment, multipart, type RplFixture } from '../rpl/fixtures.js';

/** A returnee registered with `email`, whose case went through the whole workflow to a certified credential. */
export async function certifiedReturnee(t: TestContext, f: RplFixture, overrides: Record<string, unknown> = {}) {
  const candidate = await f.registerCandidate(overrides);
  const me = await f.candidateSession(candidate.email);
  const kase = await f.openCase(me);
  await t.app.inject({ method: 'PUT', url: `/cases/${kase.id}/self-assessment`, headers: me, payload: { units: HOUSEKEEPING_UNITS.map((unitId) => ({ unitId, rating: 'yes' })) } });
  const up = multipart({ kind: 'employer_testimonial', title: 'Letter from my employer' }, { name: 'letter.pdf', bytes: FILES.pdf() });
  const evidenceId = (await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/evidence`, headers: { ...me, ...up.headers }, payload: up.payload })).json().id as string;
  await f.fire(kase.id, me, 'submit');
  await f.fire(kase.id, f.counsellor, 'start_screening');
  await f.fire(kase.id, f.counsellor, 'accept', { assessorId: f.assessor.userId });
  await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/assessments`, headers: f.assessor, payload: housekeepingAssessment(t.issuer.id, [evidenceId]) });
  await f.fire(kase.id, f.assessor, 'decide');
  await f.fire(kase.id, f.moderator, 'confirm');
  const certified = await f.fire(kase.id, f.officer, 'certify');
  if (certified.statusCode !== 200) throw new Error(`certify: ${certified.statusCode} ${JSON.stringify(certified.body)}`);
  return { ...candidate, bearer: me, caseId: kase.id, credentialId: certified.body.credentialId as string };
}

/** A returnee with a case still in assessment (evidence may be added). */
export async function returneeInAssessment(f: RplFixture, email?: string) {
  const candidate = await f.registerCandidate(email ? { email } : {});
  const me = await f.candidateSession(candidate.email);
  const kase = await f.openCase(me);
  await f.fire(kase.id, me, 'submit');
  await f.fire(kase.id, f.counsellor, 'start_screening');
  await f.fire(kase.id, f.counsellor, 'accept', { assessorId: f.assessor.userId });
  return { ...candidate, bearer: me, caseId: kase.id };
}
