import { ApiError, OfflineError } from '../../api.js';
import { call } from '../shell.js';
import type { OfflineCase } from '../../../console/offline-day.js';
import type { AuditEntry, CandidateView, CaseBundle, CaseView, EvidenceKind, EvidenceView, Qualification, SelfAssessmentItem, UnitAssessmentView } from './model.js';
import { offlineCaseIds, readPackage } from './store.js';

export type { OfflineCase };

/**
 * A case of the server's offline-day package as the case screens read it. The package is deliberately lean (the
 * candidate's name only, evidence without files, no history): the device in an embassy hall keeps no more.
 */
export function bundleOfPackage(c: OfflineCase, me: { userId: string; issuerId: string }): CaseBundle {
  const kase: CaseView = {
    id: c.id,
    candidateId: c.candidate.id,
    candidateName: c.candidate.name,
    qualificationId: c.qualification.id,
    issuerId: me.issuerId,
    state: c.state as CaseView['state'],
    version: c.version,
    round: c.round,
    assessorId: me.userId,
    moderatorId: null,
    outcome: null,
    decidedAt: null,
    moderatedAt: null,
    moderationNote: null,
    gapTrainingNote: null,
    appealedAt: null,
    appealDeadline: null,
    credentialId: null,
    cohortRef: c.cohortRef,
    // Absent from packages made before the server sent it: such a copy is not decided offline.
    allowedEvents: c.allowedEvents ?? [],
    createdAt: c.packagedAt,
    updatedAt: c.packagedAt,
  };
  return {
    kase,
    candidate: null,
    selfAssessment: c.selfAssessment.map((s) => ({ unitId: s.unitId, rating: s.rating as SelfAssessmentItem['rating'], note: s.note })),
    evidence: c.evidence.map((e): EvidenceView => ({
      id: e.id, caseId: c.id, kind: e.kind as EvidenceKind, title: e.title, description: null, fileName: null, sha256: null, size: e.size, contentType: e.mediaType, uploadedBy: '', createdAt: c.packagedAt,
    })),
    qualification: {
      id: c.qualification.id,
      code: c.qualification.code,
      titles: c.qualification.titles,
      units: c.qualification.units.map((u) => ({ unitId: u.id, code: u.code, titles: u.titles, kind: u.core ? 'core' : 'elective' })),
    } as Qualification,
    assessments: c.assessments.map((a): UnitAssessmentView => ({
      round: c.round, unitId: a.unitId, assessorId: a.assessorId, methods: a.methods, evidenceIds: a.evidenceIds, quality: a.quality,
      decision: a.decision as UnitAssessmentView['decision'], notes: a.notes, centreId: a.centreId, country: a.country, assessedOn: a.assessedOn,
    })),
    history: [],
    savedAt: c.packagedAt,
    packageId: c.packageId,
  };
}

/** A read the viewer may not be allowed (a candidate's profile, the audit log): nothing rather than an error. */
async function ifAllowed<T>(p: Promise<T>, otherwise: T): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return otherwise;
    throw e;
  }
}

/** Everything the case screen shows, from the server. */
export async function fetchBundle(id: string): Promise<CaseBundle> {
  const enc = encodeURIComponent(id);
  const kase = await call<CaseView>('GET', `/cases/${enc}`);
  const [candidate, selfAssessment, evidence, qualification, assessments, history] = await Promise.all([
    ifAllowed(call<CandidateView>('GET', `/candidates/${encodeURIComponent(kase.candidateId)}`), null),
    ifAllowed(call<SelfAssessmentItem[]>('GET', `/cases/${enc}/self-assessment`), []),
    ifAllowed(call<EvidenceView[]>('GET', `/cases/${enc}/evidence`), []),
    ifAllowed(call<Qualification>('GET', `/qualifications/${encodeURIComponent(kase.qualificationId)}`), null),
    ifAllowed(call<UnitAssessmentView[]>('GET', `/cases/${enc}/assessments`), []),
    ifAllowed(call<AuditEntry[]>('GET', `/audit?caseId=${enc}`), []),
  ]);
  return { kase, candidate, selfAssessment, evidence, qualification, assessments, history, savedAt: new Date().toISOString() };
}

/**
 * A case for the screens: from the server when it answers, else the device's copy of the offline day (which stays
 * as the server packaged it: sync answers move its version, nothing else). `offline` says which one is shown.
 */
export async function loadBundle(id: string): Promise<{ bundle: CaseBundle; offline: boolean }> {
  const kept = (await offlineCaseIds()).includes(id);
  try {
    return { bundle: await fetchBundle(id), offline: false };
  } catch (e) {
    if (!(e instanceof OfflineError)) throw e;
    const bundle = kept ? await readPackage(id) : undefined;
    if (!bundle) throw e;
    return { bundle, offline: true };
  }
}
