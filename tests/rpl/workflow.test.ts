import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/rpl/audit.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { FILES, HOUSEKEEPING, HOUSEKEEPING_UNITS, housekeepingAssessment, multipart, rplFixture, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

describe(`RPL end to end over HTTP on ${testDialect}`, () => {
  it('a returnee applies, uploads evidence, is assessed, moderated and certified; the credential verifies', async () => {
    const candidate = await f.registerCandidate();
    const me = await f.candidateSession(candidate.email);

    const kase = await f.openCase(me);
    const self = await t.app.inject({
      method: 'PUT',
      url: `/cases/${kase.id}/self-assessment`,
      headers: me,
      payload: { units: HOUSEKEEPING_UNITS.map((unitId) => ({ unitId, rating: 'yes' })) },
    });
    expect(self.statusCode).toBe(200);

    const upload = multipart({ kind: 'employer_testimonial', title: 'Letter from my employer in Hong Kong' }, { name: 'testimonial.pdf', bytes: FILES.pdf() });
    const uploaded = await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/evidence`, headers: { ...me, ...upload.headers }, payload: upload.payload });
    expect(uploaded.statusCode).toBe(201);
    expect(uploaded.json()).toMatchObject({ kind: 'employer_testimonial', contentType: 'application/pdf' });
    const evidenceId = uploaded.json().id as string;

    expect((await f.fire(kase.id, me, 'submit')).statusCode).toBe(200);
    expect((await f.fire(kase.id, f.counsellor, 'start_screening')).statusCode).toBe(200);
    const accepted = await f.fire(kase.id, f.counsellor, 'accept', { assessorId: f.assessor.userId });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.body).toMatchObject({ state: 'assessment', assessorId: f.assessor.userId });

    // The assessor reads the evidence (audited), records the demonstration and judges every unit.
    const read = await t.app.inject({ method: 'GET', url: `/cases/${kase.id}/evidence/${evidenceId}/content`, headers: f.assessor });
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-type']).toBe('application/pdf');
    const record = await t.app.inject({
      method: 'POST',
      url: `/cases/${kase.id}/evidence/records`,
      headers: f.assessor,
      payload: { kind: 'demonstration_record', title: 'Room turnaround', description: 'Prepared a guest room in 25 minutes to checklist.' },
    });
    expect(record.statusCode).toBe(201);
    const assessed = await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/assessments`, headers: f.assessor, payload: housekeepingAssessment(t.issuer.id, [evidenceId, record.json().id]) });
    expect(assessed.statusCode).toBe(200);
    const decided = await f.fire(kase.id, f.assessor, 'decide');
    expect(decided.body).toMatchObject({ state: 'decided', outcome: 'full_qualification' });

    const confirmed = await f.fire(kase.id, f.moderator, 'confirm', { note: 'Evidence and judgements consistent.' });
    expect(confirmed.body).toMatchObject({ state: 'moderated', moderatorId: f.moderator.userId });

    const certified = await f.fire(kase.id, f.officer, 'certify');
    expect(certified.statusCode).toBe(200);
    expect(certified.body).toMatchObject({ state: 'certified' });
    const credentialId = certified.body.credentialId as string;

    // The returnee sees their credential; it verifies; it records methods and place, never the documents.
    const stored = await t.services.credentials.find(credentialId);
    expect(stored?.holderUserId).toBe(candidate.userId);
    const vc = stored!.document as unknown as Record<string, unknown> & { evidence: Array<{ name: string; description: string }>; credentialSubject: { achievement: { achievementType: string; id: string } } };
    expect(vc.credentialSubject.achievement).toMatchObject({ achievementType: 'Certificate', id: HOUSEKEEPING });
    expect(vc.evidence[0]).toMatchObject({ name: 'RPL, Hong Kong, HK', description: 'interview, observation, portfolio' });
    expect(JSON.stringify(vc)).not.toContain(evidenceId);
    const verified = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc } });
    expect(verified.json().verified).toBe(true);

    // It is printable: award record with where it was assessed, and the QR code carries it.
    const view = await t.services.certificates.view(stored!);
    expect(view).toMatchObject({ templateId: 'full-qualification', holderName: 'Maricel Dela Cruz', assessment: { centre: expect.stringContaining('Hong Kong'), country: 'HK' } });
    expect(view.units).toHaveLength(6);
    const qr = await t.services.certificates.qrPayload(stored!);
    // evidence[] (methods and place) costs about 50 bytes, one QR version (466 bytes, v17 measured).
    expect(qr.version).toBeLessThanOrEqual(20);

    // Every step is in the audit log, which checks out; the issuance is its own entry, in the transaction that certifies.
    const audit = await t.app.inject({ method: 'GET', url: `/audit?caseId=${kase.id}`, headers: f.admin });
    const actions = audit.json().map((e: { action: string; data: { event?: string } }) => e.data.event ?? e.action);
    expect(actions).toEqual(['case.created', 'case.self_assessed', 'evidence.added', 'submit', 'start_screening', 'accept', 'evidence.read', 'evidence.added', 'case.units_assessed', 'decide', 'confirm', 'credential.issue', 'certify']);
    expect((await t.app.inject({ method: 'GET', url: '/audit/verify', headers: f.admin })).json()).toMatchObject({ valid: true });
  });

  it('partial competence gives a statement of attainment; none gives a gap-training referral; an appeal goes to another assessor', async () => {
    const candidate = await f.registerCandidate();
    const me = await f.candidateSession(candidate.email);
    const kase = await f.openCase(me);
    await f.fire(kase.id, me, 'submit');
    await f.fire(kase.id, f.counsellor, 'start_screening');
    await f.fire(kase.id, f.counsellor, 'accept', { assessorId: f.assessor.userId });
    const record = await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/evidence/records`, headers: f.assessor, payload: { kind: 'interview_record', title: 'Interview', description: 'Structured interview in Filipino.' } });
    await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/assessments`, headers: f.assessor, payload: housekeepingAssessment(t.issuer.id, [record.json().id], HOUSEKEEPING_UNITS) });
    expect((await f.fire(kase.id, f.assessor, 'decide')).body).toMatchObject({ outcome: 'not_yet_competent' });

    // The assessor may not moderate their own decision, whatever role the moderator check sees.
    const appeal = await f.fire(kase.id, me, 'appeal', { note: 'I was not asked about laundry, which I did for 8 years.' });
    expect(appeal.body).toMatchObject({ state: 'appealed' });
    const same = await f.fire(kase.id, f.officer, 'assign_reassessor', { assessorId: f.assessor.userId });
    expect([same.statusCode, same.body.code]).toEqual([409, 'precondition_failed']);
    const other = await f.fire(kase.id, f.officer, 'assign_reassessor', { assessorId: f.assessor2.userId });
    expect(other.body).toMatchObject({ state: 'reassessment', round: 2, assessorId: f.assessor2.userId });
    // The first assessor no longer sees the case; the new one does.
    expect((await t.app.inject({ method: 'GET', url: `/cases/${kase.id}`, headers: f.assessor })).statusCode).toBe(404);
    const nyc = HOUSEKEEPING_UNITS.slice(4);
    await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/assessments`, headers: f.assessor2, payload: housekeepingAssessment(t.issuer.id, [record.json().id], nyc) });
    expect((await f.fire(kase.id, f.assessor2, 'decide')).body).toMatchObject({ outcome: 'statement_of_attainment' });
    const secondAppeal = await f.fire(kase.id, me, 'appeal', { note: 'again' });
    expect([secondAppeal.statusCode, secondAppeal.body.code]).toEqual([409, 'precondition_failed']);
    await f.fire(kase.id, f.moderator, 'confirm');
    const gap = await f.fire(kase.id, f.officer, 'refer_gap_training');
    expect([gap.statusCode, gap.body.code]).toEqual([409, 'precondition_failed']);
    const certified = await f.fire(kase.id, f.officer, 'certify');
    expect(certified.body).toMatchObject({ state: 'certified' });
    const vc = (await t.services.credentials.find(certified.body.credentialId as string))!.document as unknown as { credentialSubject: { achievement: { achievementType: string; alignment: Array<{ targetUrl: string; targetFramework?: string }> } } };
    expect(vc.credentialSubject.achievement.achievementType).toBe('Competency');
    expect(vc.credentialSubject.achievement.alignment.filter((a) => !a.targetFramework).map((a) => a.targetUrl)).toEqual(HOUSEKEEPING_UNITS.slice(0, 4));
  });

  /** A case decided by `assessor` (who recorded every unit decision of the round), waiting for moderation. */
  async function decidedBy(assessor: { authorization: string; userId: string }): Promise<string> {
    const me = await f.candidateSession((await f.registerCandidate()).email);
    const kase = await f.openCase(me);
    await f.fire(kase.id, me, 'submit');
    await f.fire(kase.id, f.counsellor, 'start_screening');
    expect((await f.fire(kase.id, f.counsellor, 'accept', { assessorId: assessor.userId })).statusCode).toBe(200);
    const judged = await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/assessments`, headers: assessor, payload: housekeepingAssessment(t.issuer.id, []) });
    expect(judged.statusCode).toBe(200);
    expect((await f.fire(kase.id, assessor, 'decide')).statusCode).toBe(200);
    return kase.id;
  }

  it('the moderator must not be the assessor: a moderator who recorded the round\'s unit decisions can neither confirm nor return them', async () => {
    // Lorna assessed the case, then became a moderator of the same body (a promotion, as happens).
    const lorna = await t.login('assessor', { name: 'Lorna (assessor, then moderator)' });
    const caseId = await decidedBy({ ...lorna.headers, userId: lorna.userId });
    const recorded = await t.db.kysely.selectFrom('unit_assessments').select('assessor_id').distinct().where('case_id', '=', caseId).execute();
    expect(recorded.map((r) => r.assessor_id)).toEqual([lorna.userId]);
    await t.db.kysely.updateTable('users').set({ role: 'moderator' }).where('id', '=', lorna.userId).execute();

    for (const event of ['confirm', 'return_to_assessor']) {
      const res = await f.fire(caseId, lorna.headers, event);
      expect([event, res.statusCode, res.body.code, (res.body.details as { unmet?: string[] }).unmet]).toEqual([event, 409, 'precondition_failed', ['moderator_is_not_assessor']]);
    }
    expect(await t.db.kysely.selectFrom('rpl_cases').select('state').where('id', '=', caseId).executeTakeFirstOrThrow()).toEqual({ state: 'decided' });
    // A moderator who took no part confirms it.
    expect((await f.fire(caseId, f.moderator, 'confirm')).statusCode).toBe(200);
  });

  it('a moderator of no certifying body, or of another one, cannot confirm a body\'s decision', async () => {
    const caseId = await decidedBy(f.assessor);
    const { createIssuer } = await import('../../src/issuers/issuers.js');
    await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: 'workflow-other-body', name: 'Other Body', country: 'ID', didMethod: 'key' });
    for (const issuerId of [null, 'workflow-other-body']) {
      const outsider = (await t.login('moderator', { issuerId })).headers;
      const res = await f.fire(caseId, outsider, 'confirm');
      expect([issuerId, res.statusCode, res.body.code]).toEqual([issuerId, 404, 'not_found']);
    }
    expect(await t.db.kysely.selectFrom('rpl_cases').select(['state', 'moderator_id']).where('id', '=', caseId).executeTakeFirstOrThrow()).toEqual({ state: 'decided', moderator_id: null });
  });

  it('a stale version gets 409 conflict', async () => {
    const candidate = await f.registerCandidate();
    const me = await f.candidateSession(candidate.email);
    const kase = await f.openCase(me);
    const v = kase.version;
    const first = await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/transitions`, headers: me, payload: { event: 'submit', version: v } });
    const second = await t.app.inject({ method: 'POST', url: `/cases/${kase.id}/transitions`, headers: f.counsellor, payload: { event: 'withdraw', version: v } });
    expect(first.statusCode).toBe(200);
    expect([second.statusCode, second.json().code]).toEqual([409, 'conflict']);

    // Two writers racing on the same version: exactly one wins.
    const v2 = await f.version(kase.id);
    const race = await Promise.all([
      t.app.inject({ method: 'POST', url: `/cases/${kase.id}/transitions`, headers: f.counsellor, payload: { event: 'start_screening', version: v2 } }),
      t.app.inject({ method: 'POST', url: `/cases/${kase.id}/transitions`, headers: f.counsellor, payload: { event: 'start_screening', version: v2 } }),
    ]);
    expect(race.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await verifyAuditChain(t.db.kysely)).toMatchObject({ valid: true });
  });

  it('invalid transitions answer 409 invalid_transition naming the allowed events', async () => {
    const candidate = await f.registerCandidate();
    const me = await f.candidateSession(candidate.email);
    const kase = await f.openCase(me);
    const res = await f.fire(kase.id, f.officer, 'certify');
    expect(res.statusCode).toBe(409);
    expect(res.body).toMatchObject({ code: 'invalid_transition' });
    expect(res.body.message).toContain('allowed events: submit, withdraw');
  });
});
