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

export async function createApiToken(executor: Executor, userId: string, label: string, secret: string = newTokenSecret()): Promise<string> {
  if (!secret.startsWith(PREFIX) && secret.length < 24) throw new TandaError('invalid_config', 'API tokens must be at least 24 characters');
  await executor
    .insertInto('api_tokens')
    .values({ id: crypto.randomUUID(), user_id: userId, token_hash: hashToken(secret), label, created_at: nowIso(), last_used_at: null, revoked_at: null })
    .execute();
  return secret;
}

export interface AuthenticatedUser {
  id: string;
  name: string;
  role: Role;
  issuerId: string | null;
}

export async function userForToken(executor: Executor, token: string): Promise<AuthenticatedUser | undefined> {
  const row = await executor
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['users.id', 'users.name', 'users.role', 'users.issuer_id', 'users.disabled', 'api_tokens.id as token_id'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.disabled) return undefined;
  return { id: row.id, name: row.name, role: row.role, issuerId: row.issuer_id };
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
