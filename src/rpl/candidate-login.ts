import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import type { Outbox } from './notifications.js';
import { createSession } from './sessions.js';

export const CODE_TTL_MINUTES = 10;
export const CODE_MAX_ATTEMPTS = 5;
export const CANDIDATE_SESSION_MINUTES = 120;

const scrypt = promisify(crypto.scrypt) as (password: string, salt: string, keylen: number) => Promise<Buffer>;
/** Used when there is no stored code, so a refusal costs the same scrypt as a wrong code. */
const DUMMY_SALT = crypto.randomBytes(16).toString('hex');
const DUMMY_HASH = crypto.randomBytes(32);

/**
 * A 6-digit one-time code and its scrypt hash under a fresh salt (a plain hash of a 6-digit code is guessable
 * offline). scrypt runs on libuv's pool, so hashing never stalls the event loop for other requests.
 */
export async function newOneTimeCode(): Promise<{ code: string; salt: string; hash: string }> {
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = crypto.randomBytes(16).toString('hex');
  return { code, salt, hash: (await scrypt(code, salt, 32)).toString('hex') };
}

/** Whether `code` is the stored one; does the same work when nothing is stored (`stored` undefined). */
export async function codeMatches(code: string, stored: { salt: string; code_hash: string } | undefined): Promise<boolean> {
  const given = await scrypt(code, stored?.salt ?? DUMMY_SALT, 32);
  const expected = stored ? Buffer.from(stored.code_hash, 'hex') : DUMMY_HASH;
  return crypto.timingSafeEqual(given, expected) && stored !== undefined;
}

export const codeExpiry = (from: Date): string => new Date(from.getTime() + CODE_TTL_MINUTES * 60_000).toISOString();

export const normaliseContact = (contact: string): string => {
  const c = contact.trim();
  return c.includes('@') ? c.toLowerCase() : c.replace(/[\s()-]/g, '');
};

/**
 * Step 1 of a returnee's sign-in: the request is queued and answered at once with a challenge id. The handler does
 * the same single insert for every contact; looking the contact up, making the code and queueing the message happen
 * in the outbox worker (`processSignInRequests`), so neither the answer nor its timing tells who is registered.
 * For an unknown contact the challenge simply never verifies.
 */
export async function requestCandidateCode(executor: Executor, contact: string): Promise<{ challengeId: string }> {
  const challengeId = crypto.randomUUID();
  await executor.insertInto('sign_in_requests').values({ id: challengeId, contact: normaliseContact(contact), created_at: nowIso() }).execute();
  return { challengeId };
}

/**
 * The worker's half of step 1, for queued requests: a code for a registered, enabled returnee, sent to the contact
 * they asked with; nothing for anyone else. Each request is taken by deleting its row, so of several workers exactly
 * one handles it. A request older than a code's lifetime is dropped (its code would arrive expired).
 */
export async function processSignInRequests(executor: Executor, outbox: Outbox, now: Date = new Date(), limit = 50): Promise<number> {
  const pending = await executor.selectFrom('sign_in_requests').selectAll().orderBy('created_at').limit(limit).execute();
  let done = 0;
  for (const request of pending) {
    // Made for every request, registered or not, so the worker's own pace says nothing either.
    const { code, salt, hash } = await newOneTimeCode();
    const expiresAt = codeExpiry(new Date(request.created_at));
    const handled = await executor.transaction().execute(async (tx) => {
      const taken = await tx.deleteFrom('sign_in_requests').where('id', '=', request.id).executeTakeFirst();
      if (Number(taken.numDeletedRows) !== 1) return false;
      if (expiresAt <= now.toISOString()) return true;
      const candidate = await tx
        .selectFrom('candidates')
        .innerJoin('users', 'users.id', 'candidates.user_id')
        .select(['candidates.user_id', 'candidates.email', 'users.disabled'])
        .where((eb) => eb.or([eb('candidates.email', '=', request.contact), eb('candidates.phone', '=', request.contact)]))
        .where('candidates.erased_at', 'is', null)
        .executeTakeFirst();
      if (!candidate || Number(candidate.disabled)) return true;
      await tx
        .insertInto('login_codes')
        .values({ id: request.id, user_id: candidate.user_id, code_hash: hash, salt, attempts: 0, expires_at: expiresAt, used_at: null, created_at: nowIso() })
        .execute();
      await outbox.enqueue(tx, {
        channel: candidate.email === request.contact ? 'email' : 'sms',
        recipient: request.contact,
        template: 'candidate_sign_in_code',
        subject: 'Your Tanda sign-in code',
        body: `Your Tanda sign-in code is ${code}. It expires in ${CODE_TTL_MINUTES} minutes. Do not share it.`,
        expiresAt,
      });
      return true;
    });
    if (handled) done++;
  }
  return done;
}

/**
 * Step 2: the code for the challenge, at most CODE_MAX_ATTEMPTS tries, once. Every refusal runs the same queries and
 * the same scrypt, whether the challenge belongs to a returnee, to an unknown contact (no code row) or to nobody.
 */
export async function verifyCandidateCode(
  executor: Executor,
  challengeId: string,
  code: string,
  session: { ttlMinutes: number; idleMinutes?: number } = { ttlMinutes: CANDIDATE_SESSION_MINUTES },
): Promise<{ token: string; expiresAt: string; userId: string }> {
  const refuse = () => new TandaError('invalid_credentials', 'the code is wrong, expired or already used');
  const row = await executor.selectFrom('login_codes').selectAll().where('id', '=', challengeId).executeTakeFirst();
  // The attempt is counted before the comparison, conditionally, so parallel guesses cannot exceed the limit.
  const counted = await executor
    .updateTable('login_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challengeId)
    .where('attempts', '<', CODE_MAX_ATTEMPTS)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  const matches = await codeMatches(code, row);
  if (!row || Number(counted.numUpdatedRows) !== 1 || !matches) throw refuse();
  return executor.transaction().execute(async (tx) => {
    const used = await tx.updateTable('login_codes').set({ used_at: nowIso() }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw refuse();
    const created = await createSession(tx, row.user_id, session.ttlMinutes, session.idleMinutes === undefined ? {} : { idleMinutes: session.idleMinutes });
    return { ...created, userId: row.user_id };
  });
}
