import { sql } from 'kysely';
import type { Db, Executor } from './database.js';

/** One advisory-lock key for every first-start task (any fixed 64-bit number; this one spells "tanda" + 1). */
const PG_LOCK_KEY = 0x74616e646101n;
/** How long an instance waits for another to finish its first start before giving up. */
const WAIT_MS = 120_000;
/** SQLite: a key no `meta` row has; updating it writes nothing but takes the write lock. */
const LOCK_ROW = 'deployment_lock';

const isBusy = (e: unknown): boolean => typeof e === 'object' && e !== null && 'code' in e && String((e as { code: unknown }).code).startsWith('SQLITE_BUSY');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` in a transaction that holds the deployment's one write lock, so a check-then-insert of first-start data
 * (the first admin, the demo bodies) is done by exactly one of several instances started together. PostgreSQL: a
 * transaction-scoped advisory lock (released by commit or rollback, or when a killed instance's connection drops).
 * SQLite: the transaction's first statement is a write (to no row), which takes the file's write lock before
 * anything is read — the effect of BEGIN IMMEDIATE inside an ordinary kysely transaction, which the helpers `fn`
 * calls need (they open their own transaction unless handed one). A wait longer than busy_timeout is retried here:
 * another process's first start (which generates keys) can outlast it on a loaded machine. Callers check without the
 * lock first and take it only when there may be work: on SQLite another process's deferred transaction that has
 * already read fails at once (SQLITE_BUSY, no waiting) if it tries to write while this lock is held.
 */
export async function withDeploymentLock<T>(db: Db, fn: (tx: Executor) => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') {
    return db.kysely.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(PG_LOCK_KEY.toString())}::bigint)`.execute(tx);
      return fn(tx);
    });
  }
  return retryWhileBusy(db, () =>
    db.kysely.transaction().execute(async (tx) => {
      await sql`update meta set value = value where key = ${LOCK_ROW}`.execute(tx);
      return fn(tx);
    }),
  );
}

/** SQLite only: retries `fn` while another process holds the file's write lock longer than busy_timeout. */
export async function retryWhileBusy<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      if (db.dialect !== 'sqlite' || !(isBusy(e) || isBusy(cause)) || Date.now() > deadline) throw e;
      await sleep(50 + Math.random() * 150);
    }
  }
}
