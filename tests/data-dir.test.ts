import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openAndMigrate } from '../src/bootstrap.js';
import { bundleCommand } from '../src/cli/verify.js';
import { loadConfig } from '../src/config.js';
import { seedDemo } from '../src/demo/seed.js';
import { createServices } from '../src/services.js';
import { FILES } from './rpl/fixtures.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-modes-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function walk(root: string, dir = root): Array<{ file: string; dir: boolean; mode: number }> {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    const entry = { file: path.relative(root, p), dir: e.isDirectory(), mode: fs.statSync(p).mode & 0o777 };
    return e.isDirectory() ? [entry, ...walk(root, p)] : [entry];
  });
}

describe('the data directory (embedded SQLite)', () => {
  it('holds only 0600 files in 0700 directories: database, master key, evidence, trust bundle, certificates', async () => {
    // A permissive umask, so the modes come from the code and not from the environment.
    const umask = process.umask(0o002);
    try {
      const config = loadConfig({ TANDA_DATA_DIR: path.join(dataDir, 'data'), TANDA_PUBLIC_URL: 'https://tanda.test', LOG_LEVEL: 'silent' });
      const db = await openAndMigrate(config);
      try {
        const services = createServices(config, db);
        await seedDemo(services);
        const staged = await services.rpl.storage.stage(FILES.pdf(), 1 << 20);
        await services.rpl.storage.promote(staged);
        await services.rpl.storage.stage(FILES.png(), 1 << 20);
        const exported = path.join(dataDir, 'exported-bundle.json');
        const quiet = [vi.spyOn(process.stdout, 'write').mockImplementation(() => true), vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
        try {
          expect(await bundleCommand(['export', exported], services)).toBe(0);
          expect(await bundleCommand(['import', exported], services)).toBe(0);
        } finally {
          quiet.forEach((s) => s.mockRestore());
        }
        // While the database is open: SQLite's -wal and -shm files take the database file's mode.
        const open = walk(path.join(dataDir, 'data')).filter((e) => /^tanda\.db-(wal|shm)$/.test(e.file));
        expect(open.map((e) => [e.file, e.mode.toString(8)]).sort()).toEqual([['tanda.db-shm', '600'], ['tanda.db-wal', '600']]);
      } finally {
        await db.destroy();
      }
      const entries = walk(path.join(dataDir, 'data'));
      const names = entries.map((e) => e.file);
      for (const expected of ['tanda.db', 'master.key', 'certificates/demo-certificate.pdf', 'evidence']) expect(names).toContain(expected);
      expect(names.some((n) => n.startsWith('evidence/.staging/'))).toBe(true);
      expect(names.some((n) => /^evidence\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(n))).toBe(true);
      expect(names.filter((n) => n.endsWith('.json')).length).toBeGreaterThan(0);
      const wrong = entries.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600)).map((e) => `${e.file} ${e.mode.toString(8)}`);
      expect(wrong).toEqual([]);
      expect(fs.statSync(path.join(dataDir, 'data')).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(umask);
    }
  });

  it('narrows an existing data file that was left readable by others', async () => {
    const dir = path.join(dataDir, 'wide');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'tanda.db'), '', { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'tanda.db'), 0o644);
    const config = loadConfig({ TANDA_DATA_DIR: dir, TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64'), TANDA_SEED_DEMO: 'false' });
    const db = await openAndMigrate(config);
    await db.destroy();
    expect(fs.statSync(path.join(dir, 'tanda.db')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });
});
