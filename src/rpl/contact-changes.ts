import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { authorize } from '../policy/policy.js';
import type { Actor } from './access.js';
import { CODE_MAX_ATTEMPTS, CODE_TTL_MINUTES, codeExpiry, codeMatches, newOneTimeCode, normaliseContact } from './candidate-login.js';
import { audit, type RplContext } from './context.js';
import { maskRecipient, type Channel } from './notifications.js';
import type { CandidatesTable } from './tables.js';

/*
 * A returnee signs in with a code sent to their e-mail or phone, so whoever sets those controls the account. A change
 * therefore never applies at once: it waits, with a one-time code sent to the new contact, until someone confirms
 * that code, and every contact on file hears about it. The returnee's sign-in keeps working with the old contact
 * until then, and confirming creates no session for anyone.
 */

export type ContactField = 'email' | 'phone';
export interface PendingContactChange {
  id: string;
  field: ContactField;
  expiresAt: string;
}

const CHANNEL: Record<ContactField, Channel> = { email: 'email', phone: 'sms' };
const WHAT: Record<ContactField, string> = { email: 'e-mail address', phone: 'phone number' };
const IF_NOT_YOU = 'If you did not ask for this, contact your counsellor or the certifying body.';

/**
 * The bodies a returnee belongs to, for the policy: the one whose counsellor registered them and those holding a case
 * of theirs. (The policy migration may replace this with a shared loader.)
 */
async function candidateBodies(tx: Executor, row: Selectable<CandidatesTable>): Promise<string[]> {
  const cases = await tx.selectFrom('rpl_cases').select('issuer_id').where('candidate_id', '=', row.id).execute();
  const registrar = row.created_by ? await tx.selectFrom('users').select('issuer_id').where('id', '=', row.created_by).executeTakeFirst() : undefined;
  return [...new Set([...cases.map((c) => c.issuer_id), ...(registrar?.issuer_id ? [registrar.issuer_id] : [])])];
}

const authorizeContactChange = async (tx: Executor, actor: Actor, row: Selectable<CandidatesTable>) =>
  authorize(actor, 'change_contact', { kind: 'candidate', userId: row.user_id, bodies: await candidateBodies(tx, row) });

/** Tells every contact on file (`except` excluded), within the caller's transaction. */
async function notifyContacts(tx: Executor, ctx: RplContext, row: Selectable<CandidatesTable>, subject: string, body: string): Promise<void> {
  for (const field of ['email', 'phone'] as const) {
    const to = row[field];
    if (to) await ctx.outbox.enqueue(tx, { channel: CHANNEL[field], recipient: to, template: 'contact_change_notice', subject, body });
  }
}

/**
 * The contact part of a profile update, inside its transaction: for each of e-mail and phone that is given and
 * differs, a pending change (a new value) or a removal (null). A removal needs no code (nothing is sent to a
 * contact that is not there) and applies at once, but never the last contact; contacts on file are told either way.
 * Returns the pending changes; the caller wakes the outbox after commit.
 */
export async function requestContactChanges(
  tx: Executor,
  ctx: RplContext,
  actor: Actor,
  row: Selectable<CandidatesTable>,
  input: { email?: string | null | undefined; phone?: string | null | undefined },
): Promise<PendingContactChange[]> {
  const wanted = (['email', 'phone'] as const)
    .filter((f) => input[f] !== undefined)
    .map((field) => ({ field, value: input[field] ? normaliseContact(input[field] as string) : null }))
    .filter((c) => c.value !== row[c.field]);
  if (!wanted.length) return [];
  await authorizeContactChange(tx, actor, row);
  const pending: PendingContactChange[] = [];
  for (const { field, value } of wanted) {
    if (value === null) {
      const other = field === 'email' ? 'phone' : 'email';
      if (!row[other] || wanted.some((w) => w.field === other && w.value === null)) {
        throw new TandaError('validation_failed', 'a returnee needs an e-mail or a phone number to sign in: the last one cannot be removed');
      }
      await notifyContacts(tx, ctx, row, `Your ${WHAT[field]} was removed from Tanda`, `The ${WHAT[field]} ${maskRecipient(row[field] as string)} was removed from your Tanda account. ${IF_NOT_YOU}`);
      await tx.updateTable('candidates').set({ [field]: null }).where('id', '=', row.id).execute();
      await audit(tx, ctx, { actorId: actor.id, action: 'candidate.contact_removed', subjectId: row.id, data: { field } });
      continue;
    }
    // A newer request for the same field replaces an unconfirmed older one.
    await tx.deleteFrom('contact_changes').where('candidate_id', '=', row.id).where('field', '=', field).execute();
    const { code, salt, hash } = await newOneTimeCode();
    const id = crypto.randomUUID();
    const expiresAt = codeExpiry(new Date());
    await tx
      .insertInto('contact_changes')
      .values({ id, candidate_id: row.id, field, new_value: value, code_hash: hash, salt, attempts: 0, expires_at: expiresAt, requested_by: actor.id, created_at: nowIso() })
      .execute();
    await ctx.outbox.enqueue(tx, {
      channel: CHANNEL[field],
      recipient: value,
      template: 'contact_change_code',
      subject: 'Confirm your new contact for Tanda',
      body: `Your Tanda confirmation code is ${code}. It makes this ${WHAT[field]} the one your Tanda account signs in with. It expires in ${CODE_TTL_MINUTES} minutes. Do not share it with anyone you did not ask to make this change.`,
      expiresAt,
    });
    await notifyContacts(
      tx,
      ctx,
      row,
      `Your Tanda ${WHAT[field]} is being changed`,
      `Someone asked to change the ${WHAT[field]} of your Tanda account to ${maskRecipient(value)}. Nothing changes until the code sent there is confirmed; until then you sign in as before. ${IF_NOT_YOU}`,
    );
    await audit(tx, ctx, { actorId: actor.id, action: 'candidate.contact_change_requested', subjectId: row.id, data: { field, changeId: id } });
    pending.push({ id, field, expiresAt });
  }
  return pending;
}

/**
 * Applies a pending change once its code (sent to the new contact) is given: at most CODE_MAX_ATTEMPTS tries, before
 * it expires, once. Whether the new value is already another returnee's is checked here, when the asker has shown
 * they receive messages there, so a request cannot be used to probe who is registered.
 */
export async function confirmContactChange(ctx: RplContext, actor: Actor, candidateId: string, changeId: string, code: string): Promise<{ field: ContactField }> {
  const refuse = () => new TandaError('invalid_code', 'the code is wrong, expired or already used');
  const kysely = ctx.db.kysely;
  const row = await kysely.selectFrom('candidates').selectAll().where('id', '=', candidateId).executeTakeFirst();
  if (!row) throw new TandaError('not_found', 'no such candidate');
  await authorizeContactChange(kysely, actor, row);
  const change = await kysely.selectFrom('contact_changes').selectAll().where('id', '=', changeId).where('candidate_id', '=', candidateId).executeTakeFirst();
  // Counted before the comparison and conditionally, as for sign-in codes, so parallel guesses stay within the limit.
  const counted = await kysely
    .updateTable('contact_changes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', changeId)
    .where('candidate_id', '=', candidateId)
    .where('attempts', '<', CODE_MAX_ATTEMPTS)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  const matches = await codeMatches(code, change);
  if (!change || Number(counted.numUpdatedRows) !== 1 || !matches) throw refuse();
  const field = change.field;
  await kysely.transaction().execute(async (tx) => {
    // Taken by deleting it, so it applies once; the row goes because it would keep an old contact around.
    const taken = await tx.deleteFrom('contact_changes').where('id', '=', change.id).executeTakeFirst();
    if (Number(taken.numDeletedRows) !== 1) throw refuse();
    const current = await tx.selectFrom('candidates').select(['erased_at']).where('id', '=', candidateId).executeTakeFirstOrThrow();
    if (current.erased_at) throw new TandaError('conflict', 'this candidate\'s data was erased');
    const holder = await tx.selectFrom('candidates').select('id').where(field, '=', change.new_value).where('id', '<>', candidateId).executeTakeFirst();
    if (holder) throw new TandaError('already_exists', `a candidate with this ${WHAT[field]} is already registered`);
    await tx.updateTable('candidates').set({ [field]: change.new_value }).where('id', '=', candidateId).execute();
    await tx.deleteFrom('contact_changes').where('candidate_id', '=', candidateId).where('field', '=', field).execute();
    await audit(tx, ctx, { actorId: actor.id, action: 'candidate.contact_changed', subjectId: candidateId, data: { field, changeId: change.id } });
  });
  return { field };
}

/** Changes nobody confirmed in time: they hold a contact that was never proven, so they go (an outbox job). */
export async function purgeExpiredContactChanges(executor: Executor, now: Date = new Date()): Promise<number> {
  const gone = await executor.deleteFrom('contact_changes').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  return Number(gone.numDeletedRows);
}
