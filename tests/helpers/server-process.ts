import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { TEST_DATABASE_URL } from './db.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `tanda` started as the operator starts it (`node --import tsx src/server.ts`), as a child process. */
export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the output once `pattern` appears in it; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

export function startServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', TANDA_MAIL_TRANSPORT: 'none', ...env },
  });
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const w of waiters.splice(0)) w();
    resolve(code);
  }));
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) return resolve(m);
          if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`server exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${out}`));
          waiters.push(check);
        };
        check();
      });
    },
  };
}

/** The port a started server listens on, from its start-up banner. */
export const portOf = async (server: ServerProcess): Promise<number> => Number((await server.waitFor(/API\s+http:\/\/[^:]+:(\d+)/))[1]);

/**
 * A fresh, empty database for whole server processes: a data directory of its own (SQLite) or, with
 * TEST_DATABASE_URL, a PostgreSQL database of its own (not a schema: the server migrates the default schema).
 */
export async function freshDatabase(dataDir: string): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const base = { TANDA_DATA_DIR: dataDir, TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64'), TANDA_PUBLIC_URL: 'https://tanda.test' };
  if (!TEST_DATABASE_URL) return { env: base, drop: async () => {} };
  const name = `tanda_proc_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    env: { ...base, DATABASE_URL: url.toString() },
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
