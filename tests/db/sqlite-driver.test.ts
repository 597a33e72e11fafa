import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';

/**
 * Two writers on one SQLite file. Each transaction reads the counter and writes it back plus one: with a deferred
 * BEGIN the second writer's upgrade from its read lock fails with SQLITE_BUSY ("database is locked") as soon as
 * the first has committed in between; with BEGIN IMMEDIATE it waits its turn.
 */
describe('SQLite write transactions across connections and processes', () => {
  let dir: string;
  let file: string;
  const open: Db[] = [];
  const connect = (): Db => {
    const db = openDatabase({ sqlitePath: file });
    open.push(db);
    return db;
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-sqlite-'));
    file = path.join(dir, 'tanda.db');
    const db = connect();
    await sql`create table counter (id integer primary key, n integer not null)`.execute(db.kysely);
    await sql`insert into counter (id, n) values (1, 0)`.execute(db.kysely);
    await sql`create table writes (who text not null, i integer not null)`.execute(db.kysely);
  });
  afterEach(async () => {
    for (const db of open.splice(0)) await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const increment = (db: Db, who: string, i: number) =>
    db.kysely.transaction().execute(async (tx) => {
      const { n } = (await sql<{ n: number }>`select n from counter where id = 1`.execute(tx)).rows[0]!;
      await sql`insert into writes (who, i) values (${who}, ${i})`.execute(tx);
      await sql`update counter set n = ${n + 1} where id = 1`.execute(tx);
    });

  it('two connections interleaving read-then-write transactions: none fails, every increment lands', async () => {
    const a = connect();
    const b = connect();
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => increment(i % 2 ? a : b, i % 2 ? 'a' : 'b', i)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const { n } = (await sql<{ n: number }>`select n from counter`.execute(a.kysely)).rows[0]!;
    expect(n).toBe(60);
  });

  it('a second process writing the same file at the same time: no "locked" error on either side, all writes land', async () => {
    const script = `
      import { openDatabase } from ${JSON.stringify(path.resolve('src/db/database.ts'))};
      import { sql } from 'kysely';
      const db = openDatabase({ sqlitePath: process.argv[1] });
      for (let i = 0; i < 150; i++) {
        await db.kysely.transaction().execute(async (tx) => {
          const { n } = (await sql\`select n from counter where id = 1\`.execute(tx)).rows[0];
          await sql\`insert into writes (who, i) values ('child', \${i})\`.execute(tx);
          await sql\`update counter set n = \${n + 1} where id = 1\`.execute(tx);
        });
      }
      await db.destroy();
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const here = connect();
    const failures: string[] = [];
    // Writes until the child is done, so the two really overlap whatever the machine's speed. SQLite answers
    // synchronously, so the loop yields a tick each round to let the child's exit be noticed.
    let done = false;
    void exited.then(() => (done = true));
    let mine = 0;
    while (!done || mine < 150) {
      try {
        await increment(here, 'parent', mine);
      } catch (e) {
        failures.push(String(e));
      }
      mine++;
      await tick();
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/locked|SQLITE_BUSY/);
    expect(failures).toEqual([]);
    const counts = (await sql<{ who: string; c: number }>`select who, count(*) as c from writes group by who order by who`.execute(here.kysely)).rows;
    expect(counts).toEqual([{ who: 'child', c: 150 }, { who: 'parent', c: mine }]);
    const { n } = (await sql<{ n: number }>`select n from counter`.execute(here.kysely)).rows[0]!;
    expect(n).toBe(150 + mine);
  });
  it('a write that may be skipped is skipped while another connection holds the write lock, which keeps its transaction; once the lock is free it lands', async () => {
    const holder = connect();
    const skipper = connect();
    // The holder takes the write lock and keeps it until `release` (its transaction waits, the event loop is free).
    const hold = () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const done = holder.kysely.transaction().execute(async (tx) => {
        await sql`update counter set n = n + 1 where id = 1`.execute(tx);
        locked();
        await released;
      });
      return isLocked.then(() => ({ release, done }));
    };
    const first = await hold();
    const write = (i: number) => skipper.writeUnlessBusy((executor) => sql`insert into writes (who, i) values ('skipper', ${i})`.execute(executor));
    // Waiting it out would never end here: the holder lets go only after this answer.
    expect(await write(1)).toBe(false);
    first.release();
    await first.done;
    expect(await write(2)).toBe(true);
    // The exemption ended with the skipped write: an ordinary write meeting the lock waits for it instead of failing.
    const second = await hold();
    const ordinary = sql`insert into writes (who, i) values ('ordinary', 3)`.execute(skipper.kysely);
    // Its first try is made in this turn of the event loop and answered busy; it is waiting to try again.
    await tick();
    second.release();
    await second.done;
    await ordinary;
    const rows = (await sql<{ who: string; i: number }>`select who, i from writes order by i`.execute(skipper.kysely)).rows;
    expect(rows).toEqual([{ who: 'skipper', i: 2 }, { who: 'ordinary', i: 3 }]);
    expect((await sql<{ n: number }>`select n from counter`.execute(skipper.kysely)).rows[0]!.n).toBe(2);
  });
});

describe('SQLite statements kept between queries', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-sqlite-'));
    db = openDatabase({ sqlitePath: path.join(dir, 'tanda.db') });
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers a repeated query after the table changed shape, and after more distinct queries than it keeps', async () => {
    await sql`create table t (a integer not null)`.execute(db.kysely);
    await db.kysely.insertInto('t' as never).values({ a: 1 } as never).execute();
    const all = () => sql<Record<string, unknown>>`select * from t`.execute(db.kysely).then((r) => r.rows);
    expect(await all()).toEqual([{ a: 1 }]);
    await sql`alter table t add column b text not null default 'x'`.execute(db.kysely);
    expect(await all()).toEqual([{ a: 1, b: 'x' }]);
    // 600 distinct statements (more than are kept), then the first again: each answers its own question.
    for (let i = 0; i < 600; i++) expect((await sql<{ v: number }>`select ${sql.lit(i)} as v`.execute(db.kysely)).rows).toEqual([{ v: i }]);
    expect(await all()).toEqual([{ a: 1, b: 'x' }]);
    const { numAffectedRows } = await sql`update t set b = 'y'`.execute(db.kysely);
    expect(numAffectedRows).toBe(1n);
  });
});
