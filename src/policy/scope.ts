import type { ExpressionBuilder, Expression, SqlBool } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor, CaseFacts, Context } from './policy.js';

/*
 * Which rows of a kind an actor may see, as data. The same scope answers the single check (`caseInScope`, used by
 * the policy's `decide`) and filters list queries (`whereCaseInScope`), so the two can never disagree.
 */

export type CaseScope =
  | { kind: 'none' }
  | { kind: 'all' }
  | { kind: 'own'; candidateUserId: string }
  | { kind: 'body'; issuerId: string }
  | { kind: 'assigned'; issuerId: string; assessorId: string };

export type CandidateScope = { kind: 'none' } | { kind: 'all' } | { kind: 'own'; userId: string } | { kind: 'body'; issuerId: string };

export type CredentialScope = { kind: 'none' } | { kind: 'all' } | { kind: 'own'; holderUserId: string } | { kind: 'body'; issuerId: string };

const STAFF_WITH_BODY_SCOPE = new Set(['certifying_officer', 'moderator', 'counsellor']);

/** An admin sees returnees' cases only with a stated reason (audited by the caller); staff of no body see none. */
export function caseScope(actor: Actor, context: Context = {}): CaseScope {
  if (actor.role === 'candidate') return { kind: 'own', candidateUserId: actor.id };
  if (actor.role === 'admin') return context.reason?.trim() ? { kind: 'all' } : { kind: 'none' };
  if (actor.issuerId === null) return { kind: 'none' };
  if (actor.role === 'assessor') return { kind: 'assigned', issuerId: actor.issuerId, assessorId: actor.id };
  return STAFF_WITH_BODY_SCOPE.has(actor.role) ? { kind: 'body', issuerId: actor.issuerId } : { kind: 'none' };
}

export function caseInScope(scope: CaseScope, c: CaseFacts): boolean {
  switch (scope.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'own':
      return c.candidateUserId === scope.candidateUserId;
    case 'body':
      return c.issuerId === scope.issuerId;
    case 'assigned':
      return c.issuerId === scope.issuerId && c.assessorId === scope.assessorId;
  }
}

/** For a query over `rpl_cases` joined with `candidates`. */
export function whereCaseInScope(scope: CaseScope) {
  return (eb: ExpressionBuilder<Database, 'rpl_cases' | 'candidates'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'none':
        return eb.lit(false);
      case 'all':
        return eb.lit(true);
      case 'own':
        return eb('candidates.user_id', '=', scope.candidateUserId);
      case 'body':
        return eb('rpl_cases.issuer_id', '=', scope.issuerId);
      case 'assigned':
        return eb.and([eb('rpl_cases.issuer_id', '=', scope.issuerId), eb('rpl_cases.assessor_id', '=', scope.assessorId)]);
    }
  };
}

/** A returnee as scopes see them: their account and the bodies that registered them or hold a case of theirs. */
export interface CandidateFacts {
  userId: string;
  bodies: readonly string[];
}

/** Staff see a returnee their body registered or holds a case of (see `candidateBodies`). */
export function candidateScope(actor: Actor, context: Context = {}): CandidateScope {
  if (actor.role === 'candidate') return { kind: 'own', userId: actor.id };
  if (actor.role === 'admin') return context.reason?.trim() ? { kind: 'all' } : { kind: 'none' };
  if (actor.role === 'operator' || actor.issuerId === null) return { kind: 'none' };
  return { kind: 'body', issuerId: actor.issuerId };
}

export function candidateInScope(scope: CandidateScope, c: CandidateFacts): boolean {
  switch (scope.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'own':
      return c.userId === scope.userId;
    case 'body':
      return c.bodies.includes(scope.issuerId);
  }
}

/** For a query over `candidates`: the same bodies as `candidateBodies` loads for the single check. */
export function whereCandidateInScope(scope: CandidateScope) {
  return (eb: ExpressionBuilder<Database, 'candidates'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'none':
        return eb.lit(false);
      case 'all':
        return eb.lit(true);
      case 'own':
        return eb('candidates.user_id', '=', scope.userId);
      case 'body':
        return eb.or([
          eb('candidates.registered_issuer_id', '=', scope.issuerId),
          eb.exists(eb.selectFrom('rpl_cases').select('rpl_cases.id').whereRef('rpl_cases.candidate_id', '=', 'candidates.id').where('rpl_cases.issuer_id', '=', scope.issuerId)),
        ]);
    }
  };
}

export function credentialScope(actor: Actor, context: Context = {}): CredentialScope {
  if (actor.role === 'candidate') return { kind: 'own', holderUserId: actor.id };
  if (actor.role === 'admin') return context.reason?.trim() ? { kind: 'all' } : { kind: 'none' };
  if (actor.role === 'operator' || actor.issuerId === null) return { kind: 'none' };
  return { kind: 'body', issuerId: actor.issuerId };
}

export function credentialInScope(scope: CredentialScope, c: { issuerId: string; holderUserId: string | null }): boolean {
  switch (scope.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'own':
      return c.holderUserId === scope.holderUserId;
    case 'body':
      return c.issuerId === scope.issuerId;
  }
}

/** For a query over `credentials`. */
export function whereCredentialInScope(scope: CredentialScope) {
  return (eb: ExpressionBuilder<Database, 'credentials'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'none':
        return eb.lit(false);
      case 'all':
        return eb.lit(true);
      case 'own':
        return eb('credentials.holder_user_id', '=', scope.holderUserId);
      case 'body':
        return eb('credentials.issuer_id', '=', scope.issuerId);
    }
  };
}

/** Sync conflicts of the offline assessment day: the assessor's own, a certifying officer's body's, an admin's with a reason. */
export type ConflictScope = { kind: 'none' } | { kind: 'all' } | { kind: 'own'; issuerId: string; ownerId: string } | { kind: 'body'; issuerId: string };

export function conflictScope(actor: Actor, context: Context = {}): ConflictScope {
  if (actor.role === 'admin') return context.reason?.trim() ? { kind: 'all' } : { kind: 'none' };
  if (actor.issuerId === null) return { kind: 'none' };
  if (actor.role === 'assessor') return { kind: 'own', issuerId: actor.issuerId, ownerId: actor.id };
  return actor.role === 'certifying_officer' ? { kind: 'body', issuerId: actor.issuerId } : { kind: 'none' };
}

export function conflictInScope(scope: ConflictScope, c: { issuerId: string; ownerId: string }): boolean {
  switch (scope.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'own':
      return c.issuerId === scope.issuerId && c.ownerId === scope.ownerId;
    case 'body':
      return c.issuerId === scope.issuerId;
  }
}

/** For a query over `sync_conflicts`. */
export function whereConflictInScope(scope: ConflictScope) {
  return (eb: ExpressionBuilder<Database, 'sync_conflicts'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'none':
        return eb.lit(false);
      case 'all':
        return eb.lit(true);
      case 'own':
        return eb.and([eb('sync_conflicts.issuer_id', '=', scope.issuerId), eb('sync_conflicts.actor_id', '=', scope.ownerId)]);
      case 'body':
        return eb('sync_conflicts.issuer_id', '=', scope.issuerId);
    }
  };
}
