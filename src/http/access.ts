import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { StoredCredential } from '../credentials/service.js';
import { TandaError } from '../errors.js';
import { authorize, type Action, type Actor, type Context, type Resource } from '../policy/policy.js';
import { auditReasonedAccess } from '../rpl/audit.js';

/**
 * The HTTP side of the access policy. A route says only "signed in" (onRequest, so an anonymous caller gets 401
 * before the body is even validated); what the caller may do is asked of src/policy with the loaded resource, by the
 * domain service or, for resources that need no loading, by `allowed` below.
 */

/** The header an admin states their reason in when reading a returnee's data; the read is audited with it. */
export const ACCESS_REASON_HEADER = 'x-tanda-access-reason';
const MAX_REASON = 500;

/** onRequest: the caller must be signed in. */
export const signedIn: onRequestAsyncHookHandler = async (request) => {
  if (!request.user) throw new TandaError('unauthenticated');
};

/** The signed-in caller as the policy sees them. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.user) throw new TandaError('unauthenticated');
  return request.user;
}

/** The access context of a request: an admin's stated reason (`X-Tanda-Access-Reason`), if any. */
export function accessContext(request: FastifyRequest): Context {
  const raw = request.headers[ACCESS_REASON_HEADER];
  const reason = (Array.isArray(raw) ? raw.join(' ') : raw)?.trim();
  if (reason && reason.length > MAX_REASON) throw new TandaError('validation_failed', `${ACCESS_REASON_HEADER} is limited to ${MAX_REASON} characters`);
  return reason ? { reason } : {};
}

/** onRequest, after `signedIn`: for a resource known from the request alone (the registry, accounts, the chain). */
export function allowed(action: Action, resource: (request: FastifyRequest) => Resource): onRequestAsyncHookHandler {
  return async (request) => {
    authorize(request.user, action, resource(request), accessContext(request));
  };
}

/**
 * A credential issued here, by its id or bare UUID, if the policy lets the caller do `action` to it (its holder,
 * staff of the issuing body, an admin with a stated reason, which is audited). Anyone else gets "not found".
 */
export async function credentialFor(request: FastifyRequest<{ Params: { id: string } }>, action: 'read' | 'print' | 'history'): Promise<StoredCredential> {
  const { credentials, db } = request.server.services;
  const actor = actorOf(request);
  const id = request.params.id;
  const stored = (await credentials.find(id)) ?? (await credentials.find(`urn:uuid:${id}`));
  if (!stored) throw new TandaError('not_found', 'no credential with that id');
  const decision = authorize(actor, action, { kind: 'credential', issuerId: stored.issuerId, holderUserId: stored.holderUserId }, accessContext(request));
  if (decision.auditedReason) {
    await db.kysely.transaction().execute((tx) => auditReasonedAccess(tx, db.dialect, { actorId: actor.id, decision, action: `credential.${action}`, subjectId: stored.id }));
  }
  return stored;
}
