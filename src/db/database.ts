import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { touchPrivateFile } from '../data-dir.js';
import type { Database } from './schema.js';
import { ImmediateSqliteDialect, isBusy, SQLITE_BUSY_SLICE_MS, withoutBusyWait } from './sqlite-driver.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL schema the connection is confined to, when not the default. */
  schema?: string;
  destroy(): Promise<void>;
  /**
   * Runs a write that may be skipped: resolves false instead of waiting when another process holds SQLite's write
   * lock (PostgreSQL locks rows, and the write just runs). For bookkeeping that must not hold up other work.
   */
  writeUnlessBusy(write: (executor: Executor) => Promise<unknown>): Promise<boolean>;
}

/** A kysely instance or an open transaction: repositories accept either, so callers compose transactions. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface DatabaseOptions {
  /** postgres://… ; when absent the embedded SQLite file is used. */
  databaseUrl?: string | undefined;
  /** SQLite file path, or ':memory:'. */
  sqlitePath?: string;
  /** PostgreSQL only: isolate in this schema (tests give every file its own). */
  pgSchema?: string;
}

export function openDatabase(options: DatabaseOptions): Db {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      kysely,
      dialect: 'postgres',
      ...(options.pgSchema ? { schema: options.pgSchema } : {}),
      destroy: () => kysely.destroy(),
      writeUnlessBusy: async (write) => (await write(kysely), true),
    };
  }
  const file = options.sqlitePath ?? ':memory:';
  if (file !== ':memory:') touchPrivateFile(file);
  const sqlite = new Sqlite(file);
  // The busy timeout first: switching a new file to WAL waits for a lock another process starting at the same
  // moment may hold. WAL lets readers proceed during a write; foreign keys are off by default in SQLite.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // Another process (the CLI beside the server) may hold the write lock: see ImmediateSqliteDialect.
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_SLICE_MS}`);
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(sqlite) });
  const writeUnlessBusy = (write: (executor: Executor) => Promise<unknown>): Promise<boolean> =>
    kysely.connection().execute((connection) =>
      withoutBusyWait(sqlite, () => write(connection)).then(
        () => true,
        (e: unknown) => {
          if (isBusy(e)) return false;
          throw e;
        },
      ));
  return { kysely, dialect: 'sqlite', destroy: () => kysely.destroy(), writeUnlessBusy };
}

export const nowIso = (): string => new Date().toISOString();
