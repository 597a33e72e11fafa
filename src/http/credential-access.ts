import type { FastifyRequest } from 'fastify';
import type { StoredCredential } from '../credentials/service.js';
import { TandaError } from '../errors.js';
import { currentUser } from './auth.js';

/**
 * A credential the caller may read, by its id or bare UUID: its holder, staff of the issuing body, or an admin.
 * Anyone else gets "not found", like a missing id, so ids cannot be probed.
 */
export async function readableCredential(request: FastifyRequest<{ Params: { id: string } }>): Promise<StoredCredential> {
  const { credentials } = request.server.services;
  const user = currentUser(request);
  const id = request.params.id;
  const stored = (await credentials.find(id)) ?? (await credentials.find(`urn:uuid:${id}`));
  const allowed =
    stored && (user.role === 'admin' || (user.role === 'candidate' ? stored.holderUserId === user.id : user.issuerId === stored.issuerId));
  if (!stored || !allowed) throw new TandaError('not_found', 'no credential with that id');
  return stored;
}
