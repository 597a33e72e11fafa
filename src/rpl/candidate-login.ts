import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import type { Outbox } from './notifications.js';
import { createSession } from './sessions.js';

export const CODE_TTL_MINUTES = 10;
export const CODE_MAX_ATTEMPTS = 5;
export const CANDIDATE_SESSION_MINUTES = 120;

const scrypt = (code: string, salt: string): string => crypto.scryptSync(code, salt, 32).toString('hex');

export const normaliseContact = (contact: string): string => {
  const c = contact.trim();
  return c.includes('@') ? c.toLowerCase() : c.replace(/[\s()-]/g, '');
};

/**
 * Step 1 of a returnee's sign-in: a 6-digit code to their e-mail or phone through the outbox. The answer is the same
 * whether or not the contact is known (a challenge id that will simply never verify), so the route cannot be used
 * to find out who is registered.
 */
export async function requestCandidateCode(executor: Executor, outbox: Outbox, contact: string): Promise<{ challengeId: string }> {
  const normal = normaliseContact(contact);
  const challengeId = crypto.randomUUID();
  const candidate = await executor
    .selectFrom('candidates')
    .innerJoin('users', 'users.id', 'candidates.user_id')
    .select(['candidates.user_id', 'candidates.email', 'candidates.phone', 'candidates.preferred_language', 'users.disabled'])
    .where((eb) => eb.or([eb('candidates.email', '=', normal), eb('candidates.phone', '=', normal)]))
    .where('candidates.erased_at', 'is', null)
    .executeTakeFirst();
  if (!candidate || Number(candidate.disabled)) return { challengeId };

  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = crypto.randomBytes(16).toString('hex');
  await executor.transaction().execute(async (tx) => {
    await tx
      .insertInto('login_codes')
      .values({ id: challengeId, user_id: candidate.user_id, code_hash: scrypt(code, salt), salt, attempts: 0, expires_at: new Date(Date.now() + CODE_TTL_MINUTES * 60_000).toISOString(), used_at: null, created_at: nowIso() })
      .execute();
    await outbox.enqueue(tx, {
      channel: candidate.email === normal ? 'email' : 'sms',
      recipient: normal,
      template: 'candidate_sign_in_code',
      subject: 'Your Tanda sign-in code',
      body: `Your Tanda sign-in code is ${code}. It expires in ${CODE_TTL_MINUTES} minutes. Do not share it.`,
    });
  });
  return { challengeId };
}

/** Step 2: the code for the challenge, at most CODE_MAX_ATTEMPTS tries, once. */
export async function verifyCandidateCode(executor: Executor, challengeId: string, code: string): Promise<{ token: string; expiresAt: string; userId: string }> {
  const refuse = () => new TandaError('invalid_credentials', 'the code is wrong, expired or already used');
  const row = await executor.selectFrom('login_codes').selectAll().where('id', '=', challengeId).executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= nowIso() || Number(row.attempts) >= CODE_MAX_ATTEMPTS) throw refuse();
  // The attempt is counted before the comparison, conditionally, so parallel guesses cannot exceed the limit.
  const counted = await executor
    .updateTable('login_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', row.id)
    .where('attempts', '<', CODE_MAX_ATTEMPTS)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) !== 1) throw refuse();
  const given = Buffer.from(scrypt(code, row.salt), 'hex');
  if (!crypto.timingSafeEqual(given, Buffer.from(row.code_hash, 'hex'))) throw refuse();
  return executor.transaction().execute(async (tx) => {
    const used = await tx.updateTable('login_codes').set({ used_at: nowIso() }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw refuse();
    const session = await createSession(tx, row.user_id, CANDIDATE_SESSION_MINUTES);
    return { ...session, userId: row.user_id };
  });
}
