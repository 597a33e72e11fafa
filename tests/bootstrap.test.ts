import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateToken } from '../src/auth/tokens.js';
import { ensureFirstAdmin, issueAdminToken } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/database.js';
import { DEMO_ISSUERS } from '../src/demo/seed.js';
import { createTestDb, testDialect } from './helpers/db.js';
import { freshDatabase, portOf, startServer, type ServerProcess } from './helpers/server-process.js';

describe(`the first admin and its token on ${testDialect}`, () => {
  let db: Db;
  const config = loadConfig({ TANDA_DATA_DIR: os.tmpdir(), TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64') });
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => db.destroy());

  it('a first start that dies while printing the token leaves no admin; the next start creates one and prints a working token', async () => {
    await expect(ensureFirstAdmin(db, config, () => {
      throw new Error('killed while printing');
    })).rejects.toThrow('killed while printing');
    expect(await db.kysely.selectFrom('users').select('id').where('role', '=', 'admin').execute()).toEqual([]);
    const printed: string[] = [];
    expect(await ensureFirstAdmin(db, config, (token) => printed.push(token))).toEqual({ created: true });
    expect(printed).toHaveLength(1);
    expect((await authenticateToken(db.kysely, printed[0]!))?.user).toMatchObject({ role: 'admin' });
    // A later start finds the admin and prints (and writes) nothing.
    expect(await ensureFirstAdmin(db, config, (token) => printed.push(token))).toEqual({ created: false });
    expect(printed).toHaveLength(1);
  });

  it('tanda admin-token always gives the operator a new working token for the existing admin', async () => {
    const admins = await db.kysely.selectFrom('users').select('id').where('role', '=', 'admin').execute();
    const printed: string[] = [];
    const issued = await issueAdminToken(db, config, (token) => printed.push(token));
    expect(issued).toEqual({ created: false, userId: admins[0]!.id });
    expect((await authenticateToken(db.kysely, printed[0]!))?.user).toMatchObject({ id: admins[0]!.id, role: 'admin' });
    await issueAdminToken(db, config, (token) => printed.push(token));
    expect(printed).toHaveLength(2);
    expect(printed[1]).not.toBe(printed[0]);
    expect((await authenticateToken(db.kysely, printed[1]!))?.user).toMatchObject({ role: 'admin' });
    expect((await db.kysely.selectFrom('users').select('id').where('role', '=', 'admin').execute()).length).toBe(1);
  });
});

/** Counts in the database the servers share, read directly (not through either server). */
async function counts(env: Record<string, string>): Promise<{ admins: number; demoBodies: number; seeded: number }> {
  const q = {
    admins: "select count(*) as n from users where role = 'admin'",
    demoBodies: `select count(*) as n from issuers where id in (${DEMO_ISSUERS.map((i) => `'${i.id}'`).join(', ')})`,
    seeded: "select count(*) as n from meta where key = 'demo_seeded'",
  };
  if (env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: env.DATABASE_URL });
    await c.connect();
    try {
      const n = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
      return { admins: await n(q.admins), demoBodies: await n(q.demoBodies), seeded: await n(q.seeded) };
    } finally {
      await c.end();
    }
  }
  const s = new Sqlite(path.join(env.TANDA_DATA_DIR!, 'tanda.db'), { readonly: true });
  try {
    const n = (sql: string) => Number((s.prepare(sql).get() as { n: number }).n);
    return { admins: n(q.admins), demoBodies: n(q.demoBodies), seeded: n(q.seeded) };
  } finally {
    s.close();
  }
}

describe(`two instances started at the same moment on an empty ${testDialect} database`, () => {
  let dataDir: string;
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  const servers: ServerProcess[] = [];
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-together-'));
    fresh = await freshDatabase(dataDir);
  });
  afterAll(async () => {
    for (const s of servers) s.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    await fresh.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('both come up; there is one admin and one set of demo bodies; the one admin token printed works on either', async () => {
    servers.push(startServer({ ...fresh.env, TANDA_SEED_DEMO: 'true' }), startServer({ ...fresh.env, TANDA_SEED_DEMO: 'true' }));
    const ports = await Promise.all(servers.map(portOf));
    expect(await counts(fresh.env)).toEqual({ admins: 1, demoBodies: DEMO_ISSUERS.length, seeded: 1 });
    const tokens = servers.flatMap((s) => [...s.output().matchAll(/admin token\s+(tnd_\S+)/g)].map((m) => m[1]!));
    expect(tokens).toHaveLength(1);
    for (const token of tokens) {
      for (const port of ports) {
        const me = await fetch(`http://127.0.0.1:${port}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
        expect([me.status, ((await me.json()) as { role: string }).role]).toEqual([200, 'admin']);
      }
    }
  }, 180_000);
});
