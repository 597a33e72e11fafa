import { can, type Actor } from './policy.js';

/**
 * What the staff console offers a signed-in person: each screen is shown when the access policy would allow its
 * main action on a resource of the person's own body. This only decides what the page shows; every call the page
 * then makes is judged again by the policy on the real resource.
 */
export interface ConsoleAbilities {
  /** My cases, a case, its history (assessors: their assigned cases; other staff: their body's). */
  cases: boolean;
  /** The assessment form, evidence from the camera, the offline assessment day. */
  assess: boolean;
  /**
   * The conflicts of offline assessment days, to review and resolve: the assessor their own, a certifying officer
   * their body's (the policy lets only the assessor apply one; each conflict says which actions are open).
   */
  resolveConflicts: boolean;
  /** The moderation queue: confirm or return a decided case. */
  moderate: boolean;
  /** Certification: preview, issue, print, cohort batches. */
  certify: boolean;
  /** Revoke, re-issue and name correction of issued credentials. */
  manageCredentials: boolean;
  /** Cohort import (CSV of an assessment day's decisions). */
  importCohort: boolean;
  /** Frameworks, mapping tables, qualifications, accreditations, centres. */
  manageRegistry: boolean;
  /** Staff accounts. */
  manageAccounts: boolean;
  /** The body's certificate profile. */
  manageBodyProfile: boolean;
  /** Aggregated, suppressed statistics. */
  statistics: boolean;
}

export function consoleAbilities(actor: Actor): ConsoleAbilities {
  const body = actor.issuerId;
  // A case of the person's own body, assigned to them: the most a role can reach. Someone else is the assessor for
  // moderation (a moderator never confirms their own assessment).
  const ownCase = { kind: 'case', issuerId: body ?? '', assessorId: actor.id, candidateUserId: '' } as const;
  const othersCase = { ...ownCase, assessorId: `not-${actor.id}` };
  const inBody = body !== null;
  return {
    cases: inBody && can(actor, 'read', ownCase),
    assess: inBody && can(actor, 'record', { ...ownCase, kind: 'assessment' }),
    // A conflict in the person's body, sent from their own device or a colleague's: either is enough to offer the list.
    resolveConflicts: inBody && [actor.id, `not-${actor.id}`].some((ownerId) => can(actor, 'discard', { kind: 'sync_conflict', issuerId: body, ownerId })),
    moderate: inBody && can(actor, 'transition:confirm', othersCase),
    certify: inBody && can(actor, 'transition:certify', othersCase) && can(actor, 'issue', { kind: 'award', issuerId: body }),
    manageCredentials: inBody && can(actor, 'revoke', { kind: 'credential', issuerId: body, holderUserId: null }),
    importCohort: inBody && can(actor, 'import', { kind: 'cohort', issuerId: body }),
    manageRegistry: can(actor, 'manage', { kind: 'registry' }),
    manageAccounts: can(actor, 'manage', { kind: 'account', issuerId: body }),
    // An admin manages every body's profile (the registry screen lists the bodies); an officer their own.
    manageBodyProfile: can(actor, 'manage_profile', { kind: 'body', issuerId: body ?? '' }),
    statistics: can(actor, 'read', { kind: 'statistics', issuerId: body }),
  };
}
