import type { Db, Executor } from '../db/database.js';
import type { Role } from '../db/schema.js';
import { createUser } from '../auth/tokens.js';
import { TandaError } from '../errors.js';
import { authorize, type Actor } from '../policy/policy.js';
import { appendAudit } from './audit.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { createSession, revokeUserSessions } from './sessions.js';

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

/** A staff account as the registry admin screen shows it: never its password hash. */
export interface StaffView {
  id: string;
  name: string;
  email: string | null;
  role: Exclude<Role, 'candidate'>;
  issuerId: string | null;
  active: boolean;
  createdAt: string;
}

export interface StaffFilter {
  issuerId?: string;
  role?: Exclude<Role, 'candidate'>;
  /** Deactivated accounts too (by default only active ones). */
  includeInactive?: boolean;
  limit?: number;
  offset?: number;
}

const staffView = (u: { id: string; name: string; email: string | null; role: Role; issuer_id: string | null; disabled: number | string; created_at: string }): StaffView => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role as StaffView['role'],
  issuerId: u.issuer_id,
  active: !Number(u.disabled),
  createdAt: u.created_at,
});

/** Staff accounts (of one body, or all), by name; `total` counts every page. */
export async function listStaff(executor: Executor, actor: Actor, filter: StaffFilter = {}): Promise<{ staff: StaffView[]; total: number }> {
  authorize(actor, 'read', { kind: 'account', issuerId: filter.issuerId ?? null });
  let q = executor.selectFrom('users').where('role', '!=', 'candidate');
  if (filter.issuerId) q = q.where('issuer_id', '=', filter.issuerId);
  if (filter.role) q = q.where('role', '=', filter.role);
  if (!filter.includeInactive) q = q.where('disabled', '=', 0);
  const { count } = await q.select((eb) => eb.fn.countAll<number | string | bigint>().as('count')).executeTakeFirstOrThrow();
  const rows = await q
    .select(['id', 'name', 'email', 'role', 'issuer_id', 'disabled', 'created_at'])
    .orderBy('name')
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0)
    .execute();
  return { staff: rows.map(staffView), total: Number(count) };
}

/** The active assessors of a body: whom a counsellor or officer may name to assess a case (names and ids only). */
export async function listAssessors(executor: Executor, actor: Actor, issuerId: string): Promise<{ assessors: Array<{ id: string; name: string }> }> {
  authorize(actor, 'read_assessors', { kind: 'account', issuerId });
  const rows = await executor.selectFrom('users').select(['id', 'name']).where('role', '=', 'assessor').where('issuer_id', '=', issuerId).where('disabled', '=', 0).orderBy('name').orderBy('id').execute();
  return { assessors: rows };
}

/**
 * Deactivates or reactivates a staff account. Deactivation also ends the account's sessions, so a reactivated
 * account signs in afresh; its API tokens are refused while it is inactive (src/auth/tokens.ts). Recorded in the
 * audit chain. An admin cannot deactivate their own account (nobody would be left to undo it).
 */
export async function setStaffActive(db: Db, actor: Actor, userId: string, active: boolean): Promise<StaffView> {
  return db.kysely.transaction().execute(async (tx) => {
    const user = await tx.selectFrom('users').select(['id', 'name', 'email', 'role', 'issuer_id', 'disabled', 'created_at']).where('id', '=', userId).where('role', '!=', 'candidate').executeTakeFirst();
    if (!user) throw new TandaError('not_found', 'no staff account with that id');
    authorize(actor, 'manage', { kind: 'account', issuerId: user.issuer_id });
    if (!active && user.id === actor.id) throw new TandaError('validation_failed', 'you cannot deactivate your own account');
    if (active === !Number(user.disabled)) return staffView(user);
    await tx.updateTable('users').set({ disabled: active ? 0 : 1 }).where('id', '=', userId).execute();
    if (!active) await revokeUserSessions(tx, userId);
    await appendAudit(tx, db.dialect, { actorId: actor.id === 'operator' ? null : actor.id, action: active ? 'account.reactivated' : 'account.deactivated', subjectId: userId, data: { role: user.role, issuerId: user.issuer_id } });
    return staffView({ ...user, disabled: active ? 0 : 1 });
  });
}
