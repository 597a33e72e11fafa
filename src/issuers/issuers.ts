import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { IssuersTable } from '../db/schema.js';
import { TandaError } from '../errors.js';
import type { DidDocument } from '../jsonld/did-key.js';
import { didKeyDocument } from '../jsonld/did-key.js';
import { DID_V1, MULTIKEY_V1 } from '../jsonld/urls.js';
import type { KeyStore } from '../keys/key-store.js';

export type IssuerRow = IssuersTable;

/** did:web for an issuer hosted by this instance: https://host[:port]/issuers/<id>/did.json (port percent-encoded). */
export function didWebFor(publicUrl: string, issuerId: string): string {
  const url = new URL(publicUrl);
  const host = url.port ? `${url.hostname}%3A${url.port}` : url.hostname;
  const pathPart = url.pathname.replace(/^\/+|\/+$/g, '').split('/').filter(Boolean);
  return ['did:web', host, ...pathPart, 'issuers', issuerId].join(':');
}

export interface CreateIssuerInput {
  id?: string;
  name: string;
  country: string;
  didMethod: 'key' | 'web';
  url?: string | null;
}

export async function createIssuer(executor: Executor, keys: KeyStore, publicUrl: string, input: CreateIssuerInput): Promise<IssuerRow> {
  const id = input.id ?? crypto.randomUUID();
  const existing = await executor.selectFrom('issuers').select('id').where('id', '=', id).executeTakeFirst();
  if (existing) throw new TandaError('already_exists', `certifying body ${id} already exists`);
  const provisionalDid = input.didMethod === 'web' ? didWebFor(publicUrl, id) : `did:key:pending-${id}`;
  await executor
    .insertInto('issuers')
    .values({ id, name: input.name, country: input.country, did: provisionalDid, did_method: input.didMethod, url: input.url ?? null, created_at: nowIso() })
    .execute();
  await rotateIssuerKey(executor, keys, id);
  const row = await findIssuer(executor, id);
  if (!row) throw new TandaError('internal', 'issuer vanished during creation');
  return row;
}

/**
 * A new key becomes current; old keys stay listed so old credentials keep verifying. For did:web the DID stays and
 * gains a verification method; a did:key *is* its key, so the body's current DID changes and the old did:key stays
 * recognised through its retired key row.
 */
export async function rotateIssuerKey(executor: Executor, keys: KeyStore, issuerId: string): Promise<string> {
  const issuer = await findIssuer(executor, issuerId);
  if (!issuer) throw new TandaError('not_found', `certifying body ${issuerId} not found`);
  const { verificationMethod, controller } = await keys.addKey(executor, issuerId, (pk, n) =>
    issuer.did_method === 'web'
      ? { controller: issuer.did, id: `${issuer.did}#key-${n}` }
      : { controller: `did:key:${pk}`, id: `did:key:${pk}#${pk}` },
  );
  if (issuer.did_method === 'key') await executor.updateTable('issuers').set({ did: controller }).where('id', '=', issuerId).execute();
  return verificationMethod;
}

export async function findIssuer(executor: Executor, id: string): Promise<IssuerRow | undefined> {
  return executor.selectFrom('issuers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listIssuers(executor: Executor): Promise<IssuerRow[]> {
  return executor.selectFrom('issuers').selectAll().orderBy('name').execute();
}

/** The body that controls a DID, including DIDs of rotated-out did:key keys. */
export async function findIssuerByDid(executor: Executor, did: string): Promise<IssuerRow | undefined> {
  const direct = await executor.selectFrom('issuers').selectAll().where('did', '=', did).executeTakeFirst();
  if (direct) return direct;
  return executor
    .selectFrom('issuers')
    .innerJoin('issuer_keys', 'issuer_keys.issuer_id', 'issuers.id')
    .selectAll('issuers')
    .where('issuer_keys.verification_method', 'like', `${did}#%`)
    .executeTakeFirst();
}

/**
 * DID document for a did:web issuer of this instance, listing every key it ever used (rotation keeps old ones). A
 * compromised key carries Multikey `revoked` with its compromise date, so outside verifiers that honour it refuse its
 * proofs too; retirement is not expressible there (`expires` would refuse proofs made before it as well), so a
 * retired key is listed plainly and only Tanda's own `signing_key` check dates its proofs.
 */
export async function didWebDocument(executor: Executor, keys: KeyStore, did: string): Promise<DidDocument | undefined> {
  const issuer = await executor.selectFrom('issuers').selectAll().where('did', '=', did).where('did_method', '=', 'web').executeTakeFirst();
  if (!issuer) return undefined;
  const methods = (await keys.publicKeys(issuer.id, executor)).map((k) => ({
    id: k.verification_method,
    type: 'Multikey' as const,
    controller: did,
    publicKeyMultibase: k.public_key_multibase,
    ...(k.compromised_at ? { revoked: k.compromised_at } : {}),
  }));
  const ids = methods.map((m) => m.id);
  return { '@context': [DID_V1, MULTIKEY_V1], id: did, verificationMethod: methods, assertionMethod: ids, authentication: ids };
}

/** Resolver for the document loader: did:key by construction, did:web only from this registry. */
export function registryDidResolver(executor: Executor, keys: KeyStore) {
  return async (did: string): Promise<DidDocument | undefined> =>
    did.startsWith('did:key:') ? didKeyDocument(did) : didWebDocument(executor, keys, did);
}
