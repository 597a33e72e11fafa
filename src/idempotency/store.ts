import crypto from 'node:crypto';
import canonicalizeCjs from 'canonicalize';
import type { Db, Executor } from '../db/database.js';
import { TandaError } from '../errors.js';

/**
 * `Idempotency-Key` (IETF httpapi draft "The Idempotency-Key HTTP Header Field"): a client that did not get an
 * answer (timeout, dropped connection, the server killed) sends the same request with the same key again and gets
 * the first one's result instead of a second credential.
 *
 * - Keys belong to the caller (the account): one caller's key never answers another's request.
 * - The first request claims the key (`in_flight`); the one that succeeds stores its response in the same
 *   transaction as its effect (the credential), so a key is `done` exactly when the credential exists. A request
 *   that fails releases the key.
 * - A claim carries a lease and a fencing attempt id. A process killed mid-request leaves its claim in flight;
 *   after the lease another request takes it over with a new attempt id, and should the first still be alive, its
 *   commit no longer matches the attempt and rolls back: at most one effect per key, whatever the timing.
 */

// The package's typings describe a namespace; at run time the default export is the function (as in rpl/audit.ts).
const canonicalize = canonicalizeCjs as unknown as (input: unknown) => string | undefined;

/** How long a stored response is replayed (the draft leaves expiry to the server and asks that it be documented). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long an in-flight claim holds off a retry (409) before a retry may take it over. */
export const IDEMPOTENCY_LEASE_MS = 10_000;
/** Printable ASCII, 1–255 characters: enough for a UUID or a client's own "batch-7/row-42". */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type Claim =
  | { kind: 'new'; callerId: string; key: string; attempt: string }
  | { kind: 'replay'; statusCode: number; body: unknown };

/** What identifies "the same request": method, route and the body in canonical JSON (key order does not matter). */
export function requestFingerprint(method: string, route: string, body: unknown): string {
  return crypto.createHash('sha256').update(`${method} ${route}\n${canonicalize(body ?? null) ?? ''}`).digest('hex');
}

/**
 * Claims `key` for this caller, or says what to answer instead: the stored response (same request, done), 409
 * `idempotency_key_in_flight` (same request, still running), 400 `idempotency_key_mismatch` (another request).
 */
export async function claimIdempotencyKey(db: Db, callerId: string, key: string, fingerprint: string, now = new Date()): Promise<Claim> {
  const attempt = crypto.randomUUID();
  const nowIso = now.toISOString();
  const fresh = {
    fingerprint, state: 'in_flight' as const, attempt, lease_until: new Date(now.getTime() + IDEMPOTENCY_LEASE_MS).toISOString(),
    status_code: null, response: null, created_at: nowIso, expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
  };
  // Expired keys of any caller go as they are met; the index on expires_at keeps this a short range scan.
  await db.kysely.deleteFrom('idempotency_keys').where('expires_at', '<', nowIso).execute();
  return db.kysely.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('idempotency_keys')
      .values({ caller_id: callerId, idempotency_key: key, ...fresh })
      .onConflict((oc) => oc.columns(['caller_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'new' as const, callerId, key, attempt };
    let existing = tx.selectFrom('idempotency_keys').selectAll().where('caller_id', '=', callerId).where('idempotency_key', '=', key);
    if (db.dialect === 'postgres') existing = existing.forUpdate();
    const row = await existing.executeTakeFirstOrThrow();
    if (row.fingerprint !== fingerprint) {
      throw new TandaError('idempotency_key_mismatch', 'this Idempotency-Key was used with another request: use a new key for a new request');
    }
    if (row.state === 'done') return { kind: 'replay' as const, statusCode: Number(row.status_code), body: JSON.parse(row.response ?? 'null') };
    if (row.lease_until > nowIso) {
      throw new TandaError('idempotency_key_in_flight', 'a request with this Idempotency-Key is still being processed: try again shortly', {
        details: { retryAfterSeconds: Math.max(1, Math.ceil((Date.parse(row.lease_until) - now.getTime()) / 1000)) },
      });
    }
    // The claim's process died (or is far too slow): take it over; the old attempt can no longer complete.
    await tx.updateTable('idempotency_keys').set({ attempt, lease_until: fresh.lease_until }).where('caller_id', '=', callerId).where('idempotency_key', '=', key).execute();
    return { kind: 'new' as const, callerId, key, attempt };
  });
}

/** Stores the response, inside the transaction that makes the effect: fails (and so rolls it back) if the claim was taken over. */
export async function completeIdempotencyKey(tx: Executor, claim: Extract<Claim, { kind: 'new' }>, statusCode: number, body: unknown): Promise<void> {
  const done = await tx
    .updateTable('idempotency_keys')
    .set({ state: 'done', status_code: statusCode, response: JSON.stringify(body) })
    .where('caller_id', '=', claim.callerId)
    .where('idempotency_key', '=', claim.key)
    .where('attempt', '=', claim.attempt)
    .where('state', '=', 'in_flight')
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) {
    throw new TandaError('idempotency_key_in_flight', 'this request took too long and a retry with the same Idempotency-Key took it over; its result is the retry\'s');
  }
}

/** A failed request gives its key back, so the client may retry it (a 4xx is not replayed). */
export async function releaseIdempotencyKey(db: Db, claim: Extract<Claim, { kind: 'new' }>): Promise<void> {
  await db.kysely
    .deleteFrom('idempotency_keys')
    .where('caller_id', '=', claim.callerId)
    .where('idempotency_key', '=', claim.key)
    .where('attempt', '=', claim.attempt)
    .where('state', '=', 'in_flight')
    .execute();
}
