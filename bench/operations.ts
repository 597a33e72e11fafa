import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { ensureFirstAdmin, openAndMigrate } from '../src/bootstrap.js';
import { settlePublicUrl } from '../src/deployment/public-url.js';
import { loadConfig } from '../src/config.js';
import { backupSqlite, restoreSqlite } from '../src/db/backup.js';
import { DEMO_ISSUERS, seedDemo } from '../src/demo/seed.js';
import { loadMasterKey } from '../src/keys/master-key.js';
import { verifyAuditChain } from '../src/rpl/audit.js';
import { createServices } from '../src/services.js';
import { typicalCredential } from './credentials.js';

const ROOT = path.resolve(import.meta.dirname, '..');

async function open(dataDir: string) {
  const config = loadConfig({ TANDA_DATA_DIR: dataDir, TANDA_PUBLIC_URL: 'https://tanda.example' });
  const db = await openAndMigrate(config);
  return createServices(await settlePublicUrl(db, config), db);
}

/**
 * Backup → wipe → restore of the embedded deployment: the demo seeded plus `extra` issued credentials, backed up
 * with the master key, the data directory deleted, restored; then whether the demo certificate's credential still
 * verifies and the audit chain still checks (1 = yes).
 */
async function backupRestore(extra: number): Promise<Record<string, number>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-bench-ops-'));
  const data = path.join(root, 'data');
  try {
    const services = await open(data);
    await ensureFirstAdmin(services.db, services.config);
    await seedDemo(services);
    const issuer = DEMO_ISSUERS[0]!.id;
    const did = (await services.db.kysely.selectFrom('issuers').select('did').where('id', '=', issuer).executeTakeFirstOrThrow()).did;
    for (let i = 0; i < extra; i++) await services.credentials.issue(typicalCredential(did), { issuerId: issuer, kind: 'award' });
    const demo = await services.db.kysely.selectFrom('credentials').select('id').where('case_id', 'is not', null).executeTakeFirstOrThrow();
    const key = loadMasterKey({ masterKey: undefined, dataDir: data });
    const file = path.join(root, 'tanda.backup');
    const t0 = performance.now();
    await backupSqlite(services.db, key, file, { includeMasterKey: true });
    const backupMs = performance.now() - t0;
    await services.db.destroy();

    fs.rmSync(data, { recursive: true, force: true });
    const t1 = performance.now();
    restoreSqlite(file, { dataDir: data, masterKey: undefined, force: false });
    const restoreMs = performance.now() - t1;

    const after = await open(data);
    try {
      const stored = await after.credentials.find(demo.id);
      const verified = stored ? (await after.credentials.verify(stored.document)).verified : false;
      const chain = await verifyAuditChain(after.db.kysely);
      process.stdout.write(`backup → wipe → restore: ${extra + 1} credentials, demo certificate ${verified ? 'verifies' : 'DOES NOT verify'}, audit chain ${chain.valid ? 'checks' : 'BROKEN'} (${chain.entries} entries)\n`);
      return {
        'ops.backup_ms': backupMs,
        'ops.backup_bytes': fs.statSync(file).size,
        'ops.restore_ms': restoreMs,
        'ops.restored_demo_verifies': verified ? 1 : 0,
        'ops.restored_audit_chain_valid': chain.valid ? 1 : 0,
        'ops.restored_audit_entries': chain.entries,
      };
    } finally {
      await after.db.destroy();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Two servers started at the same moment on one empty SQLite file: how many came up, admins and demo bodies. */
async function startedTogether(): Promise<Record<string, number>> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-bench-together-'));
  const env = { PATH: process.env.PATH ?? '', PORT: '0', TANDA_DATA_DIR: data, TANDA_PUBLIC_URL: 'https://tanda.example', TANDA_MAIL_TRANSPORT: 'none', LOG_LEVEL: 'warn' };
  const children = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env }));
  try {
    const up = await Promise.all(children.map((child) => new Promise<boolean>((resolve) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Tanda is running')) resolve(true);
      });
      child.on('exit', () => resolve(false));
    })));
    const s = new Sqlite(path.join(data, 'tanda.db'), { readonly: true });
    const n = (q: string) => Number((s.prepare(q).get() as { n: number }).n);
    const figures = {
      'ops.together_instances_up': up.filter(Boolean).length,
      'ops.together_admins': n("select count(*) as n from users where role = 'admin'"),
      'ops.together_demo_bodies': n(`select count(*) as n from issuers where id in (${DEMO_ISSUERS.map((i) => `'${i.id}'`).join(',')})`),
    };
    s.close();
    return figures;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
    fs.rmSync(data, { recursive: true, force: true });
  }
}

/** `npm run bench operations`: backup → wipe → restore, and two instances started together (SQLite). */
export async function benchOperations(extra = Number(process.env.BENCH_OPS_CREDENTIALS ?? 500)): Promise<Record<string, number>> {
  return { ...(await backupRestore(extra)), ...(await startedTogether()) };
}
