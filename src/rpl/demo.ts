import { createApiToken, createUser } from '../auth/tokens.js';
import { TandaError } from '../errors.js';
import { qualificationUrl } from '../frameworks/urls.js';
import type { Actor } from './access.js';
import { recordUnitAssessments } from './assessment.js';
import { createCandidate } from './candidates.js';
import { caseQualification } from './case-repository.js';
import { createCase, transitionCase } from './cases.js';
import { certifyCase } from './certification.js';
import type { RplContext } from './context.js';
import { addEvidence } from './evidence.js';

export const DEMO_RETURNEE_EMAIL = 'rosalinda.returnee@demo.example';

/**
 * A demo returnee whose case has gone through the real workflow up to `moderated` (applied, screened, assessed in
 * Hong Kong, decided, confirmed by a second person), so a certifying officer can issue a certificate on first
 * start. Uses the demo assessor and moderator of the body; adds a demo counsellor and prints its token.
 */
export async function seedDemoRplCase(ctx: RplContext, issuerId = 'ph-tesda-demo'): Promise<{ caseId: string; version: number; lines: string[] }> {
  const counsellorUser = await createUser(ctx.db.kysely, { name: 'Liza Ramos (demo counsellor)', role: 'counsellor', issuerId });
  const counsellorToken = await createApiToken(ctx.db.kysely, counsellorUser.id, 'demo');
  const counsellor: Actor = { id: counsellorUser.id, name: counsellorUser.name, role: 'counsellor', issuerId };

  const { caseId, version: v } = await moderatedDemoCase(ctx, issuerId, counsellor, {
    fullName: 'Rosalinda Bautista Reyes',
    email: DEMO_RETURNEE_EMAIL,
    yearsExperience: 9,
    sex: 'female',
    birthYear: 1986,
  });
  return {
    caseId,
    version: v,
    lines: [
      `  counsellor           token ${counsellorToken}`,
      `demo RPL case   ${caseId} is moderated: certify it as the certifying officer with`,
      `                POST /cases/${caseId}/transitions {"event":"certify","version":${v}}`,
      `demo returnee   ${DEMO_RETURNEE_EMAIL} signs in by code (POST /auth/candidate/code; with npm start's development mail transport the code appears in this log)`,
    ],
  };
}

async function demoStaff(ctx: RplContext, issuerId: string, role: 'assessor' | 'moderator' | 'certifying_officer' | 'counsellor'): Promise<Actor> {
  const u = await ctx.db.kysely.selectFrom('users').select(['id', 'name', 'role', 'issuer_id']).where('role', '=', role).where('issuer_id', '=', issuerId).executeTakeFirst();
  if (!u) throw new TandaError('not_found', `the demo body ${issuerId} has no ${role}`);
  return { id: u.id, name: u.name, role: u.role, issuerId: u.issuer_id };
}

interface DemoPerson {
  fullName: string;
  email: string;
  yearsExperience: number;
  sex: 'female' | 'male';
  birthYear: number;
}

/** A returnee's Housekeeping NC II case taken through the real workflow to `moderated` by the body's demo staff. */
async function moderatedDemoCase(ctx: RplContext, issuerId: string, counsellor: Actor, person: DemoPerson): Promise<{ caseId: string; version: number }> {
  const assessor = await demoStaff(ctx, issuerId, 'assessor');
  const moderator = await demoStaff(ctx, issuerId, 'moderator');
  const profile = await createCandidate(ctx, counsellor, {
    ...person,
    preferredLanguage: 'fil',
    countryOfWork: 'HK',
    sector: 'Hotel housekeeping',
    consent: { purpose: 'Recognition of prior learning and certification (demo)' },
  });
  const candidate: Actor = { id: profile.userId, name: profile.fullName, role: 'candidate', issuerId: null };
  const opened = await createCase(ctx, candidate, { qualificationId: qualificationUrl('ph-housekeeping-nc2'), issuerId });
  const testimonial = await addEvidence(ctx, candidate, opened.id, {
    kind: 'employer_testimonial',
    title: 'Testimonial of the hotel\'s executive housekeeper (demo)',
    description: 'Room attendant 2017-2026, 16 rooms a shift, trained new staff on turndown service.',
  });
  let v = (await transitionCase(ctx, candidate, opened.id, { event: 'submit', version: opened.version })).version;
  v = (await transitionCase(ctx, counsellor, opened.id, { event: 'start_screening', version: v })).version;
  v = (await transitionCase(ctx, counsellor, opened.id, { event: 'accept', version: v, assessorId: assessor.id })).version;
  const demo = await addEvidence(ctx, assessor, opened.id, {
    kind: 'demonstration_record',
    title: 'Room turnaround observed (demo)',
    description: 'Prepared a check-out room to standard in 24 minutes; bed, bathroom, amenities and reporting.',
  });
  const row = await ctx.db.kysely.selectFrom('rpl_cases').selectAll().where('id', '=', opened.id).executeTakeFirstOrThrow();
  const q = await caseQualification(ctx.db.kysely, row);
  await recordUnitAssessments(ctx, assessor, opened.id, {
    centreId: `demo-${issuerId}-centre-2`,
    assessedOn: new Date().toISOString().slice(0, 10),
    units: q.units.map((u) => ({
      unitId: u.unitId,
      methods: ['observation', 'interview', 'portfolio_review'],
      evidenceIds: [testimonial.id, demo.id],
      quality: { valid: true, authentic: true, current: true, sufficient: true },
      decision: 'competent',
      notes: null,
    })),
  });
  v = (await transitionCase(ctx, assessor, opened.id, { event: 'decide', version: v })).version;
  v = (await transitionCase(ctx, moderator, opened.id, { event: 'confirm', version: v, note: 'Demo: judgements consistent with the evidence.' })).version;
  return { caseId: opened.id, version: v };
}

/**
 * The demo certificate: a second returnee's case taken through the workflow and certified by the body's demo
 * officer, so even the demo's credential is an award of a certified case (there is no other way to issue one).
 */
export async function seedCertifiedDemoCase(ctx: RplContext, issuerId = 'ph-tesda-demo'): Promise<{ caseId: string; credentialId: string }> {
  const counsellor = await demoStaff(ctx, issuerId, 'counsellor');
  const officer = await demoStaff(ctx, issuerId, 'certifying_officer');
  const { caseId, version } = await moderatedDemoCase(ctx, issuerId, counsellor, {
    fullName: 'Maricel Dela Cruz Santos',
    email: 'maricel.returnee@demo.example',
    yearsExperience: 7,
    sex: 'female',
    birthYear: 1989,
  });
  const certified = await certifyCase(ctx, officer, caseId, version);
  if (!certified.credentialId) throw new TandaError('internal', 'the demo case was certified without a credential');
  return { caseId, credentialId: certified.credentialId };
}
