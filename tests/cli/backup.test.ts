import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirstAdmin, openAndMigrate } from '../../src/bootstrap.js';
import { settlePublicUrl } from '../../src/deployment/public-url.js';
import { backupCommand } from '../../src/cli/backup.js';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed.js';
import { verifyAuditChain } from '../../src/rpl/audit.js';
import { createServices } from '../../src/services.js';
import { captured } from '../helpers/cli.js';
import { withEnv } from '../helpers/env.js';
import { createTestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

/** Runs `tanda …` on the embedded deployment in `dataDir` (its own master.key file, no DATABASE_URL). */
async function tanda(dataDir: string, argv: string[]) {
  const env = { DATABASE_URL: undefined, TANDA_MASTER_KEY: undefined, TANDA_AS: undefined, TANDA_DATA_DIR: dataDir, TANDA_PUBLIC_URL: 'https://tanda.test' };
  return withEnv(env, () => captured(() => main(argv)));
}

/** The embedded deployment in `dataDir`, opened as the server opens it. */
async function open(dataDir: string) {
  const config = loadConfig({ TANDA_DATA_DIR: dataDir, TANDA_PUBLIC_URL: 'https://tanda.test' });
  const db = await openAndMigrate(config);
  return createServices(await settlePublicUrl(db, config), db);
}

describe('backup → wipe → restore of the embedded SQLite deployment', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-backup-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('the demo certificate still verifies, its body can still sign, and the audit chain checks', async () => {
    const data = path.join(root, 'data');
    const services = await open(data);
    await ensureFirstAdmin(services.db, services.config);
    await seedDemo(services);
    const demo = await services.db.kysely.selectFrom('credentials').select(['id', 'issuer_id']).where('case_id', 'is not', null).executeTakeFirstOrThrow();
    const auditBefore = await verifyAuditChain(services.db.kysely);
    expect(auditBefore.valid).toBe(true);
    await services.db.destroy();

    const withKey = path.join(root, 'with-key.tanda-backup');
    const withoutKey = path.join(root, 'without-key.tanda-backup');
    expect((await tanda(data, ['backup', withKey, '--include-master-key'])).value).toBe(0);
    expect((await tanda(data, ['backup', withoutKey])).value).toBe(0);
    expect(fs.statSync(withKey).mode & 0o777).toBe(0o600);
    const masterKey = fs.readFileSync(path.join(data, 'master.key'), 'utf8').trim();
    expect(fs.readFileSync(withoutKey).includes(Buffer.from(masterKey))).toBe(false);

    fs.rmSync(data, { recursive: true, force: true });

    // Without the master key the backup's sealed keys cannot be opened: refused, and nothing is restored.
    const refused = await tanda(data, ['restore', withoutKey]);
    expect(refused.value).toBe(1);
    expect(refused.err).toContain('holds no master key');
    expect(fs.existsSync(path.join(data, 'tanda.db'))).toBe(false);

    const restored = await tanda(data, ['restore', withKey]);
    expect([restored.value, restored.err]).toEqual([0, '']);
    expect(restored.out).toContain('master key was written');

    const after = await open(data);
    try {
      const stored = await after.credentials.find(demo.id);
      expect(stored).toBeDefined();
      expect((await after.credentials.verify(stored!.document)).verified).toBe(true);
      const key = await after.keys.currentKey(demo.issuer_id);
      expect((await key.signer.sign({ data: new Uint8Array([1, 2, 3]) })).length).toBe(64);
      const chain = await verifyAuditChain(after.db.kysely);
      expect(chain).toMatchObject({ valid: true, entries: auditBefore.entries });
      // The backup's own bookkeeping (fingerprint, the key in clear) is not left in the restored database.
      expect(await after.db.kysely.selectFrom('meta').select('key').where('key', 'like', 'backup_%').execute()).toEqual([]);
    } finally {
      await after.db.destroy();
    }

    // A restore over an existing database needs --force; a wrong master key is refused even then.
    expect((await tanda(data, ['restore', withoutKey])).err).toContain('--force');
    fs.writeFileSync(path.join(data, 'master.key'), `${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const wrongKey = await tanda(data, ['restore', withoutKey, '--force']);
    expect([wrongKey.value, wrongKey.err]).toEqual([1, expect.stringContaining('not the one this backup was made with')]);
  }, 180_000);
});

describe(`tanda backup on ${testDialect}`, () => {
  it.runIf(testDialect === 'postgres')('on PostgreSQL, refuses and points to the pg_dump procedure', async () => {
    const t = await createTestContext();
    try {
      await expect(backupCommand([path.join(os.tmpdir(), `never-${crypto.randomUUID()}`)], t.services)).rejects.toThrow(/pg_dump/);
    } finally {
      await t.close();
    }
  });
  it.runIf(testDialect === 'sqlite')('refuses to overwrite an existing file', async () => {
    const t = await createTestContext();
    const file = path.join(t.dataDir, 'exists.backup');
    fs.writeFileSync(file, 'x');
    try {
      await expect(backupCommand([file], t.services)).rejects.toMatchObject({ code: 'already_exists' });
      expect(fs.readFileSync(file, 'utf8')).toBe('x');
    } finally {
      await t.close();
    }
  });
});
