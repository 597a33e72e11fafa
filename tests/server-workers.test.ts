import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';

/**
 * `TANDA_WORKERS=2` on a fresh SQLite data directory: the primary prepares the database once and prints the admin
 * token once, two workers serve the port, and SIGTERM stops them all. A real process, as an operator starts it.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-workers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function health(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
  } catch {
    return false;
  }
}

describe('TANDA_WORKERS', () => {
  it('two workers share the port after one preparation, and SIGTERM to the primary stops them all', async () => {
    const port = 20_000 + crypto.randomInt(20_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, TANDA_WORKERS: '2', PORT: String(port), HOST: '127.0.0.1', TANDA_DATA_DIR: dir, TANDA_SEED_DEMO: 'false', TANDA_MAIL_TRANSPORT: 'none', LOG_LEVEL: 'error', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Started when the primary says so (it does once every worker listens), or failed when it exits first.
      while (!out.includes('Tanda is running') && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      expect(out).toContain('Tanda is running: 2 workers');
      expect(await health(port)).toBe(true);
      expect(out.match(/admin token/g)).toHaveLength(1);
      const workers = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      expect(workers).toHaveLength(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(await health(port)).toBe(false);
    const db = openDatabase({ sqlitePath: path.join(dir, 'tanda.db') });
    try {
      expect(await db.kysely.selectFrom('users').select('id').where('role', '=', 'admin').execute()).toHaveLength(1);
      expect((await db.kysely.selectFrom('deployment').select('public_url').executeTakeFirstOrThrow()).public_url).toBe(`http://localhost:${port}`);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
