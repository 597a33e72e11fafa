import type { Db, Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { SignedCredential } from '../credentials/sign.js';
import type { StoredCredential } from '../credentials/service.js';
import { isTandaError, TandaError } from '../errors.js';
import type { KeyStore } from '../keys/key-store.js';
import { appendAudit } from '../rpl/audit.js';
import type { Outbox } from '../rpl/notifications.js';
import type { StatusService } from '../status/status-service.js';
import { findIssuer, rotateIssuerKey } from './issuers.js';
import { publishTypeTables } from '../awards/type-tables.js';

/*
 * Reporting a signing key compromised. Unlike a rotation, which only stops the old key signing, a compromise means
 * someone else may hold the key, so nothing it ever signed can be told apart from a forgery:
 *
 * 1. in one transaction: the key is marked compromised (verifiers refuse all its proofs, whatever their date), the body
 *    gets a new current key, every status list of the body is re-signed with it, and the report is recorded;
 * 2. every credential the key signed that is not revoked is re-issued under the new key, one transaction each: the
 *    same award with a new id, proof and status entry, the original revoked as superseded, the holder's notice in the
 *    outbox and an audit entry — together or not at all;
 * 3. once nothing is left, the report is marked complete.
 *
 * A run stopped anywhere resumes where it stopped: step 1 is skipped for a key already reported, step 2 selects only
 * credentials not yet revoked, and a credential re-issued meanwhile by a concurrent run fails its second revocation
 * (`already_revoked`), which rolls that duplicate back.
 */

export interface CompromiseDeps {
  db: Db;
  keys: KeyStore;
  status: StatusService;
  outbox: Outbox;
}

export interface CompromiseRequest {
  issuerId: string;
  /**
   * The key to report. Without it, the body's current key — unless that key itself replaced a compromised one: then
   * the earlier report is resumed, so re-running the same command after a crash never reports the new key as well.
   */
  verificationMethod?: string | undefined;
  /** Why (kept with the report for the body's staff; never shown to verifiers, never in the audit chain). */
  reason: string;
  actor: { by: string; userId: string | null };
}

export interface CompromiseOutcome {
  issuerId: string;
  verificationMethod: string;
  replacement: string;
  reportedAt: string;
  /** False when the key was already reported: this run only resumed (or confirmed) the re-issue. */
  newlyReported: boolean;
  statusListsResigned: number;
  reissued: Array<{ replaced: string; replacement: string }>;
  /** Holders told through the outbox in this run. */
  notified: number;
  /** Credentials that could not be re-issued; the report stays incomplete until a re-run gets them all. */
  failed: Array<{ credentialId: string; code: string; message: string }>;
  completed: boolean;
}

const PAGE = 100;
const MAX_REASON = 500;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Verification methods of every proof on a credential (one today; a proof set may hold more). */
export function signingMethods(document: Record<string, unknown>): string[] {
  const proofs = Array.isArray(document.proof) ? document.proof : [document.proof];
  return proofs.filter(isObject).map((p) => p.verificationMethod).filter((v): v is string => typeof v === 'string');
}

/** The body's credentials signed by `verificationMethod`, neither revoked nor replaced, read a page at a time. */
export async function* unrevokedSignedBy(executor: Executor, issuerId: string, verificationMethod: string): AsyncGenerator<{ id: string; document: Record<string, unknown> }> {
  for (let after = ''; ; ) {
    const page = await executor
      .selectFrom('credentials')
      .leftJoin('revocations', 'revocations.credential_id', 'credentials.id')
      .leftJoin('credential_links', 'credential_links.replaced_id', 'credentials.id')
      .select(['credentials.id', 'credentials.document'])
      .where('credentials.issuer_id', '=', issuerId)
      .where('revocations.credential_id', 'is', null)
      .where('credential_links.replaced_id', 'is', null)
      .where('credentials.id', '>', after)
      .orderBy('credentials.id')
      .limit(PAGE)
      .execute();
    for (const row of page) {
      const document = JSON.parse(row.document) as Record<string, unknown>;
      if (signingMethods(document).includes(verificationMethod)) yield { id: row.id, document };
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

export async function compromiseKey(deps: CompromiseDeps, request: CompromiseRequest): Promise<CompromiseOutcome> {
  const reason = request.reason.trim();
  if (!reason || reason.length > MAX_REASON) throw new TandaError('validation_failed', `a reason of 1 to ${MAX_REASON} characters is required`);
  const report = await deps.db.kysely.transaction().execute((tx) => reportCompromise(deps, tx, { ...request, reason }));

  const outcome: CompromiseOutcome = { ...report, reissued: [], notified: 0, failed: [], completed: false };
  for await (const row of unrevokedSignedBy(deps.db.kysely, request.issuerId, report.verificationMethod)) {
    let notified = false;
    try {
      const done = await deps.status.reissueUnderCurrentKey(row.id, request.actor, {
        note: `signing key ${report.verificationMethod} compromised`,
        afterStore: async (tx, signed, replaced) => {
          notified = await notifyHolder(deps.outbox, tx, replaced, signed);
          await appendAudit(tx, deps.db.dialect, {
            actorId: request.actor.by,
            action: 'credential.reissued_key_compromise',
            caseId: replaced.caseId,
            subjectId: signed.id as string,
            data: { replaced: replaced.id, verificationMethod: report.verificationMethod, replacementMethod: String(signed.proof.verificationMethod), holderNotified: notified },
          });
        },
      });
      outcome.reissued.push({ replaced: done.replaced, replacement: done.credential.id as string });
      if (notified) {
        outcome.notified++;
        deps.outbox.wake();
      }
    } catch (e) {
      // Revoked by a concurrent run (or an officer) since the page was read: nothing of ours was kept.
      if (isTandaError(e) && e.code === 'already_revoked') continue;
      outcome.failed.push({ credentialId: row.id, code: isTandaError(e) ? e.code : 'internal', message: (e as Error).message });
    }
  }

  if (outcome.failed.length === 0) {
    outcome.completed = await deps.db.kysely.transaction().execute(async (tx) => {
      const marked = await tx
        .updateTable('key_compromises')
        .set({ completed_at: nowIso() })
        .where('verification_method', '=', report.verificationMethod)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      if (Number(marked.numUpdatedRows) === 1) {
        await appendAudit(tx, deps.db.dialect, {
          actorId: request.actor.by,
          action: 'key.compromise_completed',
          subjectId: report.verificationMethod,
          data: { issuerId: request.issuerId, reissuedInThisRun: outcome.reissued.length },
        });
      }
      return true;
    });
  }
  return outcome;
}

/** Step 1, or finding the earlier report to resume. */
async function reportCompromise(
  deps: CompromiseDeps,
  tx: Executor,
  request: CompromiseRequest,
): Promise<Pick<CompromiseOutcome, 'issuerId' | 'verificationMethod' | 'replacement' | 'reportedAt' | 'newlyReported' | 'statusListsResigned'>> {
  const issuer = await findIssuer(tx, request.issuerId);
  if (!issuer) throw new TandaError('not_found', `certifying body ${request.issuerId} not found`);
  let vm = request.verificationMethod;
  if (vm === undefined) {
    const current = await tx.selectFrom('issuer_keys').select('verification_method').where('issuer_id', '=', issuer.id).where('status', '=', 'current').executeTakeFirst();
    if (!current) throw new TandaError('issuer_has_no_key', `certifying body ${issuer.id} has no current key to report`);
    const replaced = await tx.selectFrom('key_compromises').select('verification_method').where('replacement_method', '=', current.verification_method).executeTakeFirst();
    vm = replaced?.verification_method ?? current.verification_method;
  }
  const key = await deps.keys.keyRecord(vm, tx);
  if (!key || key.issuerId !== issuer.id) throw new TandaError('not_found', `certifying body ${issuer.id} has no key ${vm}`);

  if (key.status === 'compromised') {
    const earlier = await tx.selectFrom('key_compromises').selectAll().where('verification_method', '=', vm).executeTakeFirstOrThrow();
    return { issuerId: issuer.id, verificationMethod: vm, replacement: earlier.replacement_method, reportedAt: earlier.reported_at, newlyReported: false, statusListsResigned: 0 };
  }

  const reportedAt = nowIso();
  await deps.keys.markCompromised(tx, vm, reportedAt);
  const replacement = await rotateIssuerKey(tx, deps.keys, issuer.id);
  await tx
    .insertInto('key_compromises')
    .values({ verification_method: vm, issuer_id: issuer.id, reason: request.reason, replacement_method: replacement, reported_by: request.actor.by, reported_at: reportedAt, completed_at: null })
    .execute();
  const statusListsResigned = await deps.status.resignLists(tx, issuer.id);
  // The replacement key's QR type tables are published now, so its re-issues decode with the next refresh.
  await publishTypeTables(tx, (t, issuerId) => deps.status.openAwardListUrl(t, issuerId), { issuerIds: [issuer.id] });
  await appendAudit(tx, deps.db.dialect, {
    actorId: request.actor.by,
    action: 'key.compromised',
    subjectId: vm,
    data: { issuerId: issuer.id, replacementMethod: replacement, previousStatus: key.status, statusListsResigned },
  });
  return { issuerId: issuer.id, verificationMethod: vm, replacement, reportedAt, newlyReported: true, statusListsResigned };
}

/**
 * Tells the holder (a returnee with an e-mail address or phone number) that their certificate was replaced. Only the
 * qualification's name and the body's are in the message: the outbox row outlives nothing but its delivery.
 */
async function notifyHolder(outbox: Outbox, tx: Executor, replaced: StoredCredential, signed: SignedCredential): Promise<boolean> {
  if (!replaced.holderUserId) return false;
  const contact = await tx
    .selectFrom('candidates')
    .select(['email', 'phone'])
    .where('user_id', '=', replaced.holderUserId)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  const recipient = contact?.email ?? contact?.phone;
  if (!contact || !recipient) return false;
  const subject = signed.credentialSubject as { achievement?: { name?: unknown } } | undefined;
  const qualification = typeof subject?.achievement?.name === 'string' ? subject.achievement.name : 'your qualification';
  // The registry's name of the body: lean credentials do not carry it.
  const body = (await findIssuer(tx, replaced.issuerId))?.name ?? 'The certifying body';
  await outbox.enqueue(tx, {
    channel: contact.email ? 'email' : 'sms',
    recipient,
    template: 'credential_reissued_key_compromise',
    subject: 'Your Tanda certificate was replaced',
    body:
      `${body} has replaced your certificate for ${qualification}: the key it was signed with is no longer safe, so ` +
      'the old certificate and its QR code no longer verify. Sign in to Tanda to download and print the new one.',
  });
  return true;
}
