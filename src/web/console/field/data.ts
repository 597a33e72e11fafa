import { ApiError, OfflineError } from '../../api.js';
import { call } from '../shell.js';
import type { AuditEntry, CandidateView, CaseBundle, CaseView, EvidenceView, Qualification, SelfAssessmentItem, UnitAssessmentView } from './model.js';
import { isUnlocked, offlineCaseIds, readPackage, savePackage } from './store.js';

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
 * A case for the screens: from the server when it answers (and the device's copy refreshed, if the case is part of
 * the offline day), else the device's copy. `offline` says which one is shown.
 */
export async function loadBundle(id: string): Promise<{ bundle: CaseBundle; offline: boolean }> {
  const kept = (await offlineCaseIds()).includes(id);
  try {
    const bundle = await fetchBundle(id);
    if (kept && isUnlocked()) await savePackage(bundle);
    return { bundle, offline: false };
  } catch (e) {
    if (!(e instanceof OfflineError)) throw e;
    const bundle = kept ? await readPackage(id) : undefined;
    if (!bundle) throw e;
    return { bundle, offline: true };
  }
}
