import type { Executor } from '../db/database.js';
import type { Role } from '../db/schema.js';
import { createUser } from '../auth/tokens.js';
import { TandaError } from '../errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { createSession } from './sessions.js';

export const STAFF_SESSION_MINUTES = 8 * 60;

export interface StaffInput {
  name: string;
  email: string;
  role: Exclude<Role, 'candidate'>;
  issuerId?: string | null;
  password: string;
}

export async function createStaffUser(executor: Executor, input: StaffInput): Promise<{ id: string; name: string; role: Role }> {
  const email = input.email.trim().toLowerCase();
  const taken = await executor.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) throw new TandaError('already_exists', `a user with e-mail ${email} exists`);
  if (input.issuerId) {
    const issuer = await executor.selectFrom('issuers').select('id').where('id', '=', input.issuerId).executeTakeFirst();
    if (!issuer) throw new TandaError('not_found', `no certifying body ${input.issuerId}`);
  }
  return createUser(executor, { name: input.name, email, role: input.role, issuerId: input.issuerId ?? null, passwordHash: await hashPassword(input.password) });
}

/** Staff sign-in for the web console: e-mail and password → an expiring session token. */
export async function loginStaff(
  executor: Executor,
  email: string,
  password: string,
  limits: { ttlMinutes: number; idleMinutes?: number } = { ttlMinutes: STAFF_SESSION_MINUTES },
): Promise<{ token: string; expiresAt: string; userId: string; role: Role }> {
  const user = await executor
    .selectFrom('users')
    .select(['id', 'role', 'password_hash', 'disabled'])
    .where('email', '=', email.trim().toLowerCase())
    .where('role', '!=', 'candidate')
    .executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash, password);
  if (!user || !ok || Number(user.disabled)) throw new TandaError('invalid_credentials', 'wrong e-mail or password');
  const session = await createSession(executor, user.id, limits.ttlMinutes, limits.idleMinutes === undefined ? {} : { idleMinutes: limits.idleMinutes });
  return { ...session, userId: user.id, role: user.role };
}
