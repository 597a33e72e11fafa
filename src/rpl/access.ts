import type { AuthenticatedUser } from '../auth/tokens.js';
import type { Role } from '../db/schema.js';
import { TandaError } from '../errors.js';
import type { RplCasesTable } from './tables.js';

export type Actor = AuthenticatedUser;

export const STAFF_ROLES: readonly Role[] = ['admin', 'certifying_officer', 'assessor', 'moderator', 'counsellor'];

/**
 * Who may see a case: an admin every case; an assessor only the cases currently assigned to them; a candidate only
 * their own; other staff the cases of their certifying body (all cases when they belong to none, e.g. a counsellor
 * at a migrant workers office).
 */
export function canSeeCase(actor: Actor, kase: Pick<RplCasesTable, 'issuer_id' | 'assessor_id'>, candidateUserId: string): boolean {
  switch (actor.role) {
    case 'admin':
      return true;
    case 'candidate':
      return candidateUserId === actor.id;
    case 'assessor':
      return kase.assessor_id === actor.id;
    default:
      return actor.issuerId === null || actor.issuerId === kase.issuer_id;
  }
}

/** A candidate's own record, or a staff member who works with candidates. Others get not_found, not forbidden. */
export function assertCanSeeCandidate(actor: Actor, candidate: { user_id: string }): void {
  if (actor.role === 'candidate' ? actor.id !== candidate.user_id : !['admin', 'counsellor', 'certifying_officer'].includes(actor.role)) {
    throw new TandaError('not_found', 'no such candidate');
  }
}
