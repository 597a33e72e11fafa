import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { Role, UsersTable } from '../db/schema.js';
import { TandaError } from '../errors.js';

const PREFIX = 'tnd_';

/**
 * API tokens carry 256 random bits, so a fast hash (SHA-256) is enough to store them: unlike a password there is
 * nothing to brute-force, and a per-request argon2 would cost ~50 ms for no gain.
 */
export const hashToken = (token: string): string => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

export function newTokenSecret(): string {
  return `${PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
}

/** When a token made now expires: `ttlDays` 0 means never (TANDA_TOKEN_TTL_DAYS=0). */
export const tokenExpiry = (ttlDays: number, now = Date.now()): string | null => (ttlDays > 0 ? new Date(now + ttlDays * 86_400_000).toISOString() : null);

export interface TokenOptions {
  /** A secret chosen by the operator (TANDA_BOOTSTRAP_TOKEN); otherwise a random one is made. */
  secret?: string | undefined;
  /** ISO 8601; null or absent: the token does not expire. */
  expiresAt?: string | null;
}

export async function createApiToken(executor: Executor, userId: string, label: string, options: TokenOptions = {}): Promise<string> {
  return (await createApiTokenRow(executor, userId, label, options)).secret;
}

/** The token and its row id (what `tanda tokens list` and `GET /tokens` name it by; the secret is shown only here). */
export async function createApiTokenRow(executor: Executor, userId: string, label: string, options: TokenOptions = {}): Promise<{ id: string; secret: string; expiresAt: string | null }> {
  const secret = options.secret ?? newTokenSecret();
  if (!secret.startsWith(PREFIX) && secret.length < 24) throw new TandaError('invalid_config', 'API tokens must be at least 24 characters');
  const id = crypto.randomUUID();
  const expiresAt = options.expiresAt ?? null;
  await executor
    .insertInto('api_tokens')
    .values({ id, user_id: userId, token_hash: hashToken(secret), label, created_at: nowIso(), last_used_at: null, revoked_at: null, expires_at: expiresAt })
    .execute();
  return { id, secret, expiresAt };
}

export interface AuthenticatedUser {
  id: string;
  name: string;
  role: Role;
  issuerId: string | null;
}

/**
 * How often a token's use is written down: at most once a minute per token. Admins read the last use to find tokens
 * nobody uses any more (weeks, months), so minutes are precise enough, and a client calling many times a second
 * costs a write a minute rather than one per request.
 */
export const TOKEN_USE_INTERVAL_MS = 60_000;

/** The account an API token belongs to, the token's row and when its use was last written down. */
export interface TokenAuthentication {
  user: AuthenticatedUser;
  tokenId: string;
  lastUsedAt: string | null;
}

/** A last use at or before this is old enough to be written over by a use at `now`. */
const useCutoff = (now: Date): string => new Date(now.getTime() - TOKEN_USE_INTERVAL_MS).toISOString();

/** Whether a use at `now` is to be written down (see TOKEN_USE_INTERVAL_MS). */
export const tokenUseDue = (lastUsedAt: string | null, now: Date): boolean => lastUsedAt === null || lastUsedAt <= useCutoff(now);

/**
 * The account an API token belongs to. An expired token is refused with its own code (`token_expired`), so a client
 * can tell "get a new token" from "this token was never valid or was revoked".
 */
export async function authenticateToken(executor: Executor, token: string, now = new Date()): Promise<TokenAuthentication | undefined> {
  const row = await executor
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['users.id', 'users.name', 'users.role', 'users.issuer_id', 'users.disabled', 'api_tokens.id as token_id', 'api_tokens.expires_at', 'api_tokens.last_used_at'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.disabled) return undefined;
  if (row.expires_at !== null && row.expires_at <= now.toISOString()) throw new TandaError('token_expired');
  return { user: { id: row.id, name: row.name, role: row.role, issuerId: row.issuer_id }, tokenId: row.token_id, lastUsedAt: row.last_used_at };
}

/**
 * Writes down a use of a token at `now`, unless one was written within TOKEN_USE_INTERVAL_MS: one conditional
 * UPDATE, so requests using the token at the same moment write it once between them, and a late write never moves
 * the time back. A token revoked or expired meanwhile is left as it is. True when it wrote.
 */
export async function recordTokenUse(executor: Executor, tokenId: string, now = new Date()): Promise<boolean> {
  const at = now.toISOString();
  const result = await executor
    .updateTable('api_tokens')
    .set({ last_used_at: at })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', useCutoff(now))]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A token as listed: never its secret (only its hash is stored anyway). */
export interface TokenInfo {
  id: string;
  userId: string;
  userName: string;
  label: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** When a request last signed in with it, to the minute (TOKEN_USE_INTERVAL_MS); null: never used. */
  lastUsedAt: string | null;
  expired: boolean;
}

/** Tokens of one account, or of every account (`userId` null), newest first. */
export async function listApiTokens(executor: Executor, userId: string | null, now = nowIso()): Promise<TokenInfo[]> {
  let q = executor
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.user_id', 'users.name', 'api_tokens.label', 'api_tokens.created_at', 'api_tokens.expires_at', 'api_tokens.revoked_at', 'api_tokens.last_used_at'])
    .orderBy('api_tokens.created_at', 'desc')
    .orderBy('api_tokens.id');
  if (userId !== null) q = q.where('api_tokens.user_id', '=', userId);
  return (await q.execute()).map((r) => ({
    id: r.id, userId: r.user_id, userName: r.name, label: r.label, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at,
    expired: r.expires_at !== null && r.expires_at <= now,
  }));
}

/** The owner of a token, for the policy to judge a revocation by; undefined when there is no such token. */
export async function tokenOwner(executor: Executor, tokenId: string): Promise<string | undefined> {
  const row = await executor.selectFrom('api_tokens').select('user_id').where('id', '=', tokenId).executeTakeFirst();
  return row?.user_id;
}

/** Revokes a token (idempotent: revoking a revoked token keeps its first revocation time). */
export async function revokeApiToken(executor: Executor, tokenId: string): Promise<void> {
  await executor.updateTable('api_tokens').set({ revoked_at: nowIso() }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute();
}

export async function createUser(
  executor: Executor,
  input: { id?: string; name: string; email?: string | null; role: Role; issuerId?: string | null; passwordHash?: string | null },
): Promise<Pick<UsersTable, 'id' | 'name' | 'role'>> {
  const id = input.id ?? crypto.randomUUID();
  await executor
    .insertInto('users')
    .values({ id, name: input.name, email: input.email ?? null, role: input.role, issuer_id: input.issuerId ?? null, password_hash: input.passwordHash ?? null, created_at: nowIso() })
    .execute();
  return { id, name: input.name, role: input.role };
}
