import { setTimeout as sleep } from 'node:timers/promises';
import type Sqlite from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type QueryResult, type SqliteDialectConfig } from 'kysely';

/**
 * How long one statement waits inside SQLite for another process's write lock. better-sqlite3 is synchronous, so
 * this wait blocks the event loop: it is kept to a short slice, and longer waits happen below between slices, with
 * the event loop free.
 */
export const SQLITE_BUSY_SLICE_MS = 20;
/** How long a write waits in all for the lock before "database is locked" reaches the caller. */
export const SQLITE_BUSY_DEADLINE_MS = 30_000;

export const isBusy = (e: unknown): boolean => typeof (e as { code?: unknown })?.code === 'string' && (e as { code: string }).code.startsWith('SQLITE_BUSY');

/** Databases whose statements are tried once just now (see withoutBusyWait). */
const notWaiting = new WeakSet<Sqlite.Database>();

/**
 * Runs `run` again while SQLite answers busy, as long as no transaction is open on this connection: a statement
 * outside a transaction (autocommit, or the BEGIN IMMEDIATE itself) that fails busy has changed nothing, so trying
 * it again is safe. Inside a transaction a busy answer is passed on (the transaction is rolled back by kysely).
 */
async function retryWhileBusy<T>(sqlite: Sqlite.Database, run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + SQLITE_BUSY_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    const inTransaction = sqlite.inTransaction;
    try {
      return await run();
    } catch (e) {
      if (inTransaction || notWaiting.has(sqlite) || !isBusy(e) || Date.now() >= deadline) throw e;
      // Jittered back-off so two waiting processes do not retry in step.
      await sleep(Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random()));
    }
  }
}

/**
 * Runs `work` with busy answers passed on at once (after the one busy slice) instead of waited out. The caller holds
 * the process's one connection for the whole of `work` (kysely's connection().execute), so no other query runs
 * meanwhile and none is exempted by mistake. For writes worth skipping rather than waiting for: while the retry
 * waits it keeps that connection, and with it every other query of this process.
 */
export async function withoutBusyWait<T>(sqlite: Sqlite.Database, work: () => Promise<T>): Promise<T> {
  notWaiting.add(sqlite);
  try {
    return await work();
  } finally {
    notWaiting.delete(sqlite);
  }
}

/** Prepared statements kept per SQL text; kysely compiles one query shape to the same text every time. */
const STATEMENT_CACHE_MAX = 500;

class BusyRetryingConnection implements DatabaseConnection {
  private readonly statements = new Map<string, Sqlite.Statement>();

  constructor(private readonly sqlite: Sqlite.Database, private readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return retryWhileBusy(this.sqlite, () => Promise.resolve(this.run<R>(query)));
  }

  /**
   * kysely's own connection prepares every statement anew, and under load compiling the SQL was the largest single
   * cost of a verification's database questions. A statement is reused as kysely would use a fresh one (all or run,
   * then done); SQLite re-prepares it by itself after a schema change. Streaming (iterate keeps a statement busy
   * while the caller runs other queries) still gets a fresh statement from the inner connection.
   */
  private run<R>(query: CompiledQuery): QueryResult<R> {
    let stmt = this.statements.get(query.sql);
    if (stmt) {
      // Most recently used last, so the first key is the one to drop when full.
      this.statements.delete(query.sql);
    } else {
      stmt = this.sqlite.prepare(query.sql);
      if (this.statements.size >= STATEMENT_CACHE_MAX) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(query.sql, stmt);
    const parameters = query.parameters as unknown[];
    if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/**
 * Every transaction begins with BEGIN IMMEDIATE. kysely's SQLite driver issues a deferred BEGIN: the transaction
 * reads under a shared lock and asks for the write lock at its first write, and when another process (the CLI
 * beside the server) has committed meanwhile SQLite cannot upgrade it and answers SQLITE_BUSY at once, without
 * waiting — the busy timeout never applies, and the caller sees "database is locked". Taking the write lock at
 * BEGIN makes the wait happen where the busy timeout (and the retry above) covers it. Read-only transactions are
 * serialised with writes too, which costs little: kysely already runs one statement at a time on its one connection.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  private wrapped: BusyRetryingConnection | undefined;

  constructor(private readonly sqlite: Sqlite.Database, config: SqliteDialectConfig) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    return (this.wrapped ??= new BusyRetryingConnection(this.sqlite, connection));
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: Sqlite.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqlite, { database: this.sqlite });
  }
}
