import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { AuthenticatedUser } from '../auth/tokens.js';
import { hashToken } from '../auth/tokens.js';

const PREFIX = 'tss_';

/**
 * Opaque session tokens for the web console and the returnee space. Like API tokens they carry 256 random bits
 * and only their SHA-256 is stored; unlike them they expire and are revoked on logout.
 */
export async function createSession(executor: Executor, userId: string, ttlMinutes: number, options: { idleMinutes?: number } = {}): Promise<{ token: string; expiresAt: string }> {
  const token = `${PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + ttlMinutes * 60_000).toISOString();
  const now = nowIso();
  await executor
    .insertInto('sessions')
    .values({ id: crypto.randomUUID(), user_id: userId, token_hash: hashToken(token), created_at: now, expires_at: expiresAt, revoked_at: null, idle_minutes: options.idleMinutes ?? null, last_seen_at: now })
    .execute();
  return { token, expiresAt };
}

export const isSessionToken = (token: string): boolean => token.startsWith(PREFIX);

export async function userForSession(executor: Executor, token: string): Promise<AuthenticatedUser | undefined> {
  const row = await executor
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.name', 'users.role', 'users.issuer_id', 'users.disabled', 'sessions.id as session_id', 'sessions.expires_at', 'sessions.idle_minutes', 'sessions.last_seen_at'])
    .where('sessions.token_hash', '=', hashToken(token))
    .where('sessions.revoked_at', 'is', null)
    .executeTakeFirst();
  const now = Date.now();
  if (!row || Number(row.disabled) || row.expires_at <= new Date(now).toISOString()) return undefined;
  if (row.idle_minutes !== null) {
    const seen = Date.parse(row.last_seen_at ?? row.expires_at);
    if (now - seen > Number(row.idle_minutes) * 60_000) return undefined;
    // Written at most once a minute: the idle limit needs minutes, not every request's write.
    if (now - seen > 60_000) await executor.updateTable('sessions').set({ last_seen_at: new Date(now).toISOString() }).where('id', '=', row.session_id).execute();
  }
  return { id: row.id, name: row.name, role: row.role, issuerId: row.issuer_id };
}

export async function revokeSession(executor: Executor, token: string): Promise<boolean> {
  const result = await executor
    .updateTable('sessions')
    .set({ revoked_at: nowIso() })
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function revokeUserSessions(executor: Executor, userId: string): Promise<void> {
  await executor.updateTable('sessions').set({ revoked_at: nowIso() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}
