import type { Role } from '../db/schema.js';
import { TandaError } from '../errors.js';
import { TRANSITIONS, isCaseEvent } from '../rpl/transitions.js';
import { candidateInScope, candidateScope, caseInScope, caseScope, conflictInScope, conflictScope, credentialInScope, credentialScope } from './scope.js';

/*
 * The one access policy: "may this actor do this action to this resource?". Pure (no database, no clock, no Fastify):
 * callers load the facts a decision needs (the case's body and assessor, the candidate's bodies, the credential's
 * issuer and holder) into a Resource and ask. Every route, CLI command and domain service goes through `authorize`
 * (or, for lists, through the scopes in ./scope.ts, which encode the same rules as SQL).
 *
 * The rules, in one place:
 * - a candidate acts only on their own profile, cases and credentials;
 * - staff act only within their certifying body; staff of no body act on nothing that belongs to a body;
 * - an assessor works only on the cases assigned to them;
 * - who may fire which workflow event is the transition table's `roles` (src/rpl/transitions.ts); the policy adds
 *   the body and assignment;
 * - an admin manages accounts, bodies, keys and the registry, and reads the audit chain and statistics; an admin reads
 *   a returnee's personal data only with a stated reason, which the caller records in the audit chain;
 * - the operator (whoever runs the `tanda` CLI on the deployment's machine, holding its master key) runs deployment
 *   tasks; body work from the CLI is done as a named staff account, so the same body rules hold there;
 * - erasure reaches every body's cases, so only the returnee (or an admin with a stated reason) erases; a staff
 *   member's export holds only their body's part of the file.
 */

export type StaffRole = Exclude<Role, 'candidate'>;
export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'certifying_officer', 'assessor', 'moderator', 'counsellor'];

/** Who asks: a signed-in user (API token or session) or the operator at the deployment's command line. */
export type Actor = { kind?: 'user'; id: string; role: Role; issuerId: string | null } | OperatorActor;
export interface OperatorActor {
  kind: 'operator';
  id: 'operator';
  role: 'operator';
  issuerId: null;
}
export const OPERATOR: OperatorActor = { kind: 'operator', id: 'operator', role: 'operator', issuerId: null };
export const isOperator = (actor: Actor): actor is OperatorActor => actor.kind === 'operator';

/** A case as the policy needs it. */
export interface CaseFacts {
  issuerId: string;
  assessorId: string | null;
  candidateUserId: string;
}

/** The facts each kind of resource is judged on. */
export type Resource =
  /** A returnee's profile. `bodies`: the bodies that registered them or hold a case of theirs. */
  | { kind: 'candidate'; userId: string; bodies: readonly string[] }
  /** Registering a new returnee (with the body they are registered under). */
  | { kind: 'candidate_registry'; issuerId: string | null }
  | ({ kind: 'case' } & CaseFacts)
  /** Opening a case for a candidate with a body. */
  | { kind: 'case_opening'; issuerId: string; candidateUserId: string; candidateBodies: readonly string[] }
  | ({ kind: 'evidence' } & CaseFacts)
  | ({ kind: 'assessment' } & CaseFacts)
  /** A credential issued here. `holderUserId`: the returnee's account when it came from an RPL case. */
  | { kind: 'credential'; issuerId: string; holderUserId: string | null }
  /** Signing a credential as a body through the VC API (no registry claim). */
  | { kind: 'issuance'; issuerId: string }
  /** A status list entry of a body's credential (revocation). */
  | { kind: 'status_entry'; issuerId: string }
  /** Issuing the award of a certified case or a moderated cohort row. */
  | { kind: 'award'; issuerId: string }
  /** A body's cohorts: importing an assessment day's decisions (CSV), certifying cases in a batch, its progress. */
  | { kind: 'cohort'; issuerId: string | null }
  /** Audit entries: of one body's cases, or the whole chain (issuerId null). */
  | { kind: 'audit'; issuerId: string | null }
  /** Aggregated, suppressed statistics: of one body, or all (issuerId null). */
  | { kind: 'statistics'; issuerId: string | null }
  /** Frameworks, mapping tables, the catalogue, accreditations, centres. */
  | { kind: 'registry' }
  /** A certifying body: its keys and its certificate profile. */
  | { kind: 'body'; issuerId: string }
  /** Staff accounts (of one body, or of every body: null). */
  | { kind: 'account'; issuerId: string | null }
  /** API tokens of one account (`ownerId`), or of every account (null: the full list). */
  | { kind: 'api_token'; ownerId: string | null }
  /** Deployment tasks: migrations, trust-bundle export, status list refresh, orphan sweep, first admin, backups. */
  | { kind: 'deployment' }
  /** A returnee's share link of their own credentials (the /me space); `ownerUserId` null when creating one. */
  | { kind: 'share_link'; ownerUserId: string }
  /** The returnee space (/me): a returnee's own view of their file, certificates, links and uploads. */
  | { kind: 'returnee_space'; userId: string }
  /**
   * An assessor's offline assessment day (the console): taking assigned cases off the server and syncing back.
   * `ownerId`: the assessor who made a stored day (its package), when a sync names it; null for the day as such
   * (making one, syncing at all).
   */
  | { kind: 'offline_day'; issuerId: string | null; ownerId: string | null }
  /**
   * An offline event that was not applied because the case changed meanwhile. `ownerId`: the assessor whose device
   * sent it; null (with the caller's body) when asking for the list, which the scope in ./scope.ts then filters.
   */
  | { kind: 'sync_conflict'; issuerId: string | null; ownerId: string | null };

export type ResourceKind = Resource['kind'];

export const ACTIONS = {
  candidate: ['read', 'update', 'change_contact', 'withdraw_consent', 'statistics_consent', 'export', 'erase'],
  candidate_registry: ['create'],
  case: ['read', 'transition', 'self_assess', 'history'],
  case_opening: ['create'],
  evidence: ['read', 'upload'],
  assessment: ['read', 'record'],
  credential: ['read', 'print', 'history', 'revoke', 'reissue', 'offer_to_wallet'],
  issuance: ['issue'],
  status_entry: ['update'],
  award: ['issue'],
  cohort: ['import', 'certify', 'read'],
  audit: ['read', 'verify_chain'],
  statistics: ['read'],
  registry: ['read', 'manage'],
  body: ['read', 'rotate_key', 'compromise_key', 'manage_profile'],
  account: ['create', 'read', 'manage', 'read_assessors'],
  api_token: ['read', 'create', 'revoke'],
  deployment: ['run', 'read_metrics'],
  share_link: ['create', 'read', 'revoke'],
  returnee_space: ['use'],
  offline_day: ['create', 'sync'],
  sync_conflict: ['read', 'apply', 'discard'],
} as const satisfies Record<ResourceKind, readonly string[]>;

export type ActionOf<K extends ResourceKind> = (typeof ACTIONS)[K][number];
/** `transition` takes the event as a second part: `transition:confirm`. */
export type Action = ActionOf<ResourceKind> | `transition:${string}`;

export interface Context {
  /** An admin's stated reason for reading a returnee's personal data; the caller audits it. */
  reason?: string | undefined;
}

export type Refusal = 'unauthenticated' | 'not_found' | 'forbidden' | 'reason_required';

export type Decision =
  | { allowed: true; /** The access used an admin's stated reason: audit it. */ auditedReason?: string }
  | { allowed: false; code: Refusal; message: string };

const allow: Decision = { allowed: true };
/** Outside the actor's reach: answered like a missing id, so existence cannot be probed. */
const hidden = (what: string): Decision => ({ allowed: false, code: 'not_found', message: `no such ${what}` });
const forbid = (message: string): Decision => ({ allowed: false, code: 'forbidden', message });

const PERSONAL_DATA_KINDS: ReadonlySet<ResourceKind> = new Set(['candidate', 'case', 'evidence', 'assessment', 'credential', 'sync_conflict']);
const WHAT: Record<ResourceKind, string> = {
  candidate: 'candidate',
  candidate_registry: 'candidate registry',
  case: 'case',
  case_opening: 'case',
  evidence: 'evidence',
  assessment: 'assessment',
  credential: 'credential',
  issuance: 'certifying body',
  status_entry: 'credential',
  award: 'case',
  cohort: 'cohort',
  audit: 'audit entry',
  statistics: 'statistics',
  registry: 'registry entry',
  body: 'certifying body',
  account: 'account',
  api_token: 'token',
  deployment: 'task',
  share_link: 'share link',
  returnee_space: 'returnee space',
  offline_day: 'offline assessment day',
  sync_conflict: 'sync conflict',
};

const inBody = (actor: Actor, issuerId: string | null): boolean => actor.issuerId !== null && actor.issuerId === issuerId;
const isStaff = (actor: Actor): boolean => actor.role !== 'candidate' && actor.role !== 'operator';

/** Case-bound resources (case, evidence, assessment): who sees the case at all — the same rule lists use as SQL. */
const seesCase = (actor: Actor, c: CaseFacts): boolean => caseInScope(caseScope(actor), c);

function decideCaseEvent(actor: Actor, event: string, c: CaseFacts): Decision {
  if (!seesCase(actor, c)) return hidden('case');
  if (!isCaseEvent(event)) return forbid(`unknown event ${event}`);
  const roles: readonly Role[] = TRANSITIONS[event].roles;
  if (actor.role === 'operator' || !roles.includes(actor.role)) return forbid(`the event ${event} needs one of the roles: ${roles.join(', ')}`);
  return allow;
}

/** The rule table. Admin reads of personal data are handled in `decide` (they need a reason). */
function rule(actor: Actor, action: Action, r: Resource): Decision {
  const role = actor.role;
  switch (r.kind) {
    case 'candidate': {
      // Admins never get here (see `decide`); the returnee sees themselves, staff the returnees of their body.
      if (!candidateInScope(candidateScope(actor), r)) return hidden('candidate');
      if (role === 'candidate') return allow;
      if (action === 'read') return allow;
      // Being counted in statistics is the returnee's own choice: no one gives or withdraws it for them.
      if (action === 'statistics_consent') return forbid('consent to statistics is the returnee\'s own to give or withdraw');
      // Profile work is the counsellor's; the export is of this body's part of the file only (the caller scopes it).
      if (['update', 'change_contact', 'withdraw_consent', 'export'].includes(action)) {
        return role === 'counsellor' ? allow : forbid('a counsellor of the body works on returnee profiles');
      }
      // Erasure reaches every body's cases: only the returnee, or an admin with a stated reason.
      return forbid('only the returnee (or an admin with a stated reason) may erase their data');
    }
    case 'candidate_registry':
      return role === 'counsellor' && inBody(actor, r.issuerId) ? allow : forbid('returnees are registered by a counsellor of a certifying body');
    case 'case_opening':
      if (role === 'candidate') return r.candidateUserId === actor.id ? allow : hidden('candidate');
      if (role !== 'counsellor') return forbid('cases are opened by the returnee or a counsellor of the body');
      if (!inBody(actor, r.issuerId)) return forbid('a counsellor opens cases with their own certifying body only');
      return r.candidateBodies.some((b) => inBody(actor, b)) ? allow : hidden('candidate');
    case 'case':
      if (action.startsWith('transition:')) return decideCaseEvent(actor, action.slice('transition:'.length), r);
      if (!seesCase(actor, r)) return hidden('case');
      // A transition is always of a named event (`transition:confirm`); a bare one allows nothing.
      if (action === 'transition') return forbid('name the event: transition:<event>');
      if (action === 'self_assess') return role === 'candidate' || role === 'counsellor' ? allow : forbid('the self-assessment is the returnee\'s (or their counsellor\'s)');
      return allow;
    case 'evidence':
      if (!seesCase(actor, r)) return hidden('case');
      if (action === 'upload') return ['candidate', 'counsellor', 'assessor'].includes(role) ? allow : forbid('evidence is added by the returnee, their counsellor or the assessor');
      return allow;
    case 'assessment':
      if (!seesCase(actor, r)) return hidden('case');
      if (action === 'record') return role === 'assessor' ? allow : forbid('unit decisions are recorded by the assigned assessor');
      return allow;
    case 'credential':
      if (!credentialInScope(credentialScope(actor), r)) return hidden('credential');
      // A wallet offer sends a code to the returnee's own e-mail or phone: only they start one, for themselves.
      if (action === 'offer_to_wallet') return role === 'candidate' ? allow : forbid('only the returnee sends their credential to a wallet');
      if (role === 'candidate') return ['read', 'print', 'history'].includes(action) ? allow : forbid('not for a returnee');
      if (action === 'revoke' || action === 'reissue') return role === 'certifying_officer' ? allow : forbid('a certifying officer of the issuing body does this');
      return allow;
    case 'issuance':
    case 'status_entry':
    case 'award':
      return role === 'certifying_officer' && inBody(actor, r.issuerId) ? allow : forbid('a certifying officer of the certifying body does this');
    case 'cohort':
      // The imported decisions are recorded as the assessor's own, so the assessor imports them.
      if (action === 'import') return role === 'assessor' && inBody(actor, r.issuerId) ? allow : forbid('an assessor of the certifying body imports their assessment day');
      // Certification batches: each case is still certified through `transition:certify`; these say who may ask for
      // a batch and follow one. Another body's batch is answered like a missing one.
      if (role !== 'certifying_officer' || actor.issuerId === null) return forbid('a certifying officer of the certifying body certifies cases in batches');
      return inBody(actor, r.issuerId) ? allow : hidden('certification batch');
    case 'audit':
      if (role === 'admin' || role === 'operator') return allow;
      // Staff read their body's part of the chain (case histories); the whole chain is the admin's.
      return r.issuerId !== null && isStaff(actor) && inBody(actor, r.issuerId) && action === 'read' ? allow : forbid('the audit log is read by an admin, or by staff for their own body');
    case 'statistics':
      if (role === 'admin') return allow;
      if (!['certifying_officer', 'counsellor', 'moderator'].includes(role)) return forbid('statistics are for admins, officers, counsellors and moderators');
      return r.issuerId !== null && inBody(actor, r.issuerId) ? allow : forbid('staff see the statistics of their own certifying body');
    case 'registry':
      if (action === 'read') return allow;
      return role === 'admin' || role === 'operator' ? allow : forbid('the registry is managed by an admin');
    case 'body':
      if (action === 'read') return allow;
      if (role === 'admin' || role === 'operator') return allow;
      return action === 'manage_profile' && role === 'certifying_officer' && inBody(actor, r.issuerId) ? allow : forbid('certifying bodies are managed by an admin');
    case 'account':
      if (role === 'admin' || role === 'operator') return allow;
      // Who may be named to assess a case: the body's staff who name one (counsellors accept cases, officers assign
      // a re-assessor) see the body's active assessors; the rest of the staff list is the admin's.
      if (action === 'read_assessors' && (role === 'counsellor' || role === 'certifying_officer') && r.issuerId !== null && inBody(actor, r.issuerId)) return allow;
      return forbid(action === 'read_assessors' ? 'a body\'s assessors are listed for its counsellors and certifying officers' : 'accounts are managed by an admin');
    case 'api_token':
      // An admin manages every account's tokens; staff list, make and revoke their own. Returnees sign in with
      // one-time codes and sessions, never API tokens. Another account's tokens are not shown to exist.
      if (role === 'admin' || role === 'operator') return allow;
      if (role === 'candidate') return forbid('API tokens are for staff accounts');
      if (r.ownerId === null) return forbid('the list of every account\'s tokens is the admin\'s');
      return r.ownerId === actor.id ? allow : hidden('token');
    case 'deployment':
      // Metrics are counts and latencies, no personal data; still not public (they show load and usage). The
      // operator's scraper holds TANDA_METRICS_TOKEN, a deployment secret, and is asked about as the operator.
      return role === 'operator' || role === 'admin' ? allow : forbid('deployment tasks are the operator\'s');
    case 'share_link':
      // A link shares the returnee's own credentials on their say-so: theirs alone to make, see (with its opening
      // log) and revoke. Staff and admins never see them.
      if (role !== 'candidate') return forbid('share links are the returnee\'s own');
      return r.ownerUserId === actor.id ? allow : hidden('share link');
    case 'returnee_space':
      // Staff work on returnees' files through their own routes; /me is only ever the caller's own file.
      if (role !== 'candidate') return forbid('the returnee space is for returnees');
      return r.userId === actor.id ? allow : hidden('returnee space');
    case 'offline_day':
      // A stored day (a package a sync names) is its maker's alone; anyone else's is answered like a missing one.
      if (r.ownerId !== null) return role === 'assessor' && inBody(actor, r.issuerId) && r.ownerId === actor.id ? allow : hidden('offline assessment day');
      // Each case of the day is still asked about as `assessment:record` (assigned, of the body, in assessment).
      return role === 'assessor' && inBody(actor, r.issuerId) ? allow : forbid('an offline assessment day is an assessor\'s of a certifying body');
    case 'sync_conflict': {
      // The assessor sees their own device's conflicts; a certifying officer the body's (someone must close the
      // conflicts of an assessor who left). The list is filtered by conflictScope.
      if (r.ownerId === null) {
        if (action !== 'read') return forbid('a conflict is resolved one at a time');
        return (role === 'assessor' || role === 'certifying_officer') && inBody(actor, r.issuerId) ? allow : forbid('sync conflicts are seen by assessors and certifying officers of a body');
      }
      if (!conflictInScope(conflictScope(actor), { issuerId: r.issuerId ?? '', ownerId: r.ownerId })) return hidden('sync conflict');
      // Applying records the device's judgement as the assessor's own: only they do that.
      if (action === 'apply') return r.ownerId === actor.id ? allow : forbid('only the assessor whose judgement it is applies it');
      return allow;
    }
  }
}

/** The decision, without throwing. `actor` null: not signed in. */
export function decide(actor: Actor | null, action: Action, resource: Resource, context: Context = {}): Decision {
  if (!actor) return { allowed: false, code: 'unauthenticated', message: 'sign in first' };
  const base = action.startsWith('transition:') ? 'transition' : action;
  if (!(ACTIONS[resource.kind] as readonly string[]).includes(base)) return forbid(`${action} is not an action on a ${WHAT[resource.kind]}`);
  if (actor.role === 'admin' && PERSONAL_DATA_KINDS.has(resource.kind)) {
    // Admins run the deployment, not cases: reading a returnee's data needs a reason that goes into the audit chain,
    // and changing it is not theirs at all (erasure on a returnee's request is the one exception).
    const reads = base === 'read' || base === 'export' || base === 'history' || base === 'print' || (resource.kind === 'candidate' && base === 'erase');
    if (!reads) return forbid('an admin does not change returnees\' data or cases');
    const reason = context.reason?.trim();
    if (!reason) return { allowed: false, code: 'reason_required', message: 'an admin reads a returnee\'s data only with a stated reason (X-Tanda-Access-Reason)' };
    return { allowed: true, auditedReason: reason };
  }
  return rule(actor, action, resource);
}

/** Throws the refusal as a TandaError; returns the decision (to see whether an admin's reason must be audited). */
export function authorize(actor: Actor | null, action: Action, resource: Resource, context: Context = {}): Extract<Decision, { allowed: true }> {
  const d = decide(actor, action, resource, context);
  if (!d.allowed) throw new TandaError(d.code, d.message);
  return d;
}

export const can = (actor: Actor | null, action: Action, resource: Resource, context: Context = {}): boolean => decide(actor, action, resource, context).allowed;
