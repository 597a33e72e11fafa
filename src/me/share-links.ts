import crypto from 'node:crypto';
import { hashToken } from '../auth/tokens.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { authorize, type Actor } from '../policy/policy.js';
import type { Services } from '../services.js';
import type { StoredCredential } from '../credentials/service.js';
import { latestOf, ownCredential } from './credentials.js';

/**
 * Share links: a returnee lets someone open a public page with the verdict on chosen credentials of theirs, until
 * a date they choose (separate from the credentials' own validity) or until they revoke it. The URL carries 256
 * random bits; only their SHA-256 is stored. Each opening is recorded with its time only (no address, no agent):
 * the returnee sees when it was opened, nobody learns who opened it.
 */
export const MAX_SHARE_DAYS = 366;
export const MAX_CREDENTIALS_PER_LINK = 20;

export interface ShareLinkView {
  id: string;
  label: string | null;
  credentialIds: string[];
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
  state: 'active' | 'expired' | 'revoked';
  opens: string[];
}

type Deps = Pick<Services, 'db' | 'credentials' | 'certificates' | 'status' | 'config'>;

const linkState = (row: { expires_at: string; revoked_at: string | null }, now = nowIso()): ShareLinkView['state'] =>
  row.revoked_at ? 'revoked' : row.expires_at <= now ? 'expired' : 'active';

export const shareUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/$/, '')}/s/${token}`;

export async function createShareLink(
  services: Deps,
  actor: Actor,
  input: { credentialIds: string[]; expiresAt: string; label?: string | null },
): Promise<ShareLinkView & { url: string }> {
  authorize(actor, 'create', { kind: 'share_link', ownerUserId: actor.id });
  const ids = [...new Set(input.credentialIds)];
  if (!ids.length || ids.length > MAX_CREDENTIALS_PER_LINK) throw new TandaError('validation_failed', `a link holds 1 to ${MAX_CREDENTIALS_PER_LINK} credentials`);
  const expires = Date.parse(input.expiresAt);
  if (!Number.isFinite(expires) || expires <= Date.now()) throw new TandaError('validation_failed', 'expiresAt must be in the future');
  if (expires > Date.now() + MAX_SHARE_DAYS * 86_400_000) throw new TandaError('validation_failed', `a link lasts at most ${MAX_SHARE_DAYS} days`);
  const stored: StoredCredential[] = [];
  for (const id of ids) stored.push(await ownCredential(services, actor, id));
  const token = crypto.randomBytes(32).toString('base64url');
  const id = crypto.randomUUID();
  const now = nowIso();
  const expiresAt = new Date(expires).toISOString();
  await services.db.kysely.transaction().execute(async (tx) => {
    await tx.insertInto('share_links').values({ id, user_id: actor.id, token_hash: hashToken(token), label: input.label ?? null, expires_at: expiresAt, revoked_at: null, created_at: now }).execute();
    await tx.insertInto('share_link_credentials').values(stored.map((s, position) => ({ link_id: id, credential_id: s.id, position }))).execute();
  });
  return { id, url: shareUrl(services.config.publicUrl, token), label: input.label ?? null, credentialIds: stored.map((s) => s.id), expiresAt, revokedAt: null, createdAt: now, state: 'active', opens: [] };
}

export async function listShareLinks(services: Deps, actor: Actor): Promise<ShareLinkView[]> {
  authorize(actor, 'read', { kind: 'share_link', ownerUserId: actor.id });
  const db = services.db.kysely;
  const links = await db.selectFrom('share_links').selectAll().where('user_id', '=', actor.id).orderBy('created_at', 'desc').execute();
  if (!links.length) return [];
  const ids = links.map((l) => l.id);
  const [creds, opens] = await Promise.all([
    db.selectFrom('share_link_credentials').selectAll().where('link_id', 'in', ids).orderBy('position').execute(),
    db.selectFrom('share_link_opens').selectAll().where('link_id', 'in', ids).orderBy('opened_at', 'desc').execute(),
  ]);
  return links.map((l) => ({
    id: l.id,
    label: l.label,
    credentialIds: creds.filter((c) => c.link_id === l.id).map((c) => c.credential_id),
    expiresAt: l.expires_at,
    revokedAt: l.revoked_at,
    createdAt: l.created_at,
    state: linkState(l),
    opens: opens.filter((o) => o.link_id === l.id).map((o) => o.opened_at),
  }));
}

export async function revokeShareLink(services: Deps, actor: Actor, id: string): Promise<void> {
  const row = await services.db.kysely.selectFrom('share_links').select(['id', 'user_id']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new TandaError('not_found', 'no such share link');
  authorize(actor, 'revoke', { kind: 'share_link', ownerUserId: row.user_id });
  await services.db.kysely.updateTable('share_links').set({ revoked_at: nowIso() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/**
 * The public side: what a link holds, today. A credential re-issued after a name correction is shown as its newest
 * version. A revoked or expired link is gone (410); an unknown one not found. Each successful opening is logged.
 */
export async function openShareLink(services: Deps, token: string): Promise<{ expiresAt: string; credentialIds: string[] }> {
  const db = services.db.kysely;
  const link = await db.selectFrom('share_links').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!link) throw new TandaError('not_found', 'no such share link');
  if (linkState(link) !== 'active') throw new TandaError('share_link_gone');
  const rows = await db.selectFrom('share_link_credentials').select('credential_id').where('link_id', '=', link.id).orderBy('position').execute();
  await db.insertInto('share_link_opens').values({ id: crypto.randomUUID(), link_id: link.id, opened_at: nowIso() }).execute();
  const credentialIds: string[] = [];
  for (const r of rows) credentialIds.push(await latestOf(services, r.credential_id));
  return { expiresAt: link.expires_at, credentialIds: [...new Set(credentialIds)] };
}
