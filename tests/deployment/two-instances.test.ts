import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser } from '../../src/auth/tokens.js';
import { issueAward } from '../../src/awards/award-service.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { checkMasterKey } from '../../src/deployment/master-key-check.js';
import { changePublicUrl, settlePublicUrl } from '../../src/deployment/public-url.js';
import { getQualification } from '../../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { buildApp } from '../../src/http/app.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import type { Actor } from '../../src/policy/policy.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestDb, TEST_DATABASE_URL, testDialect } from '../helpers/db.js';

/**
 * Two instances of Tanda on one database, as two processes behind a load balancer would be: two connection pools,
 * two composition roots, two apps, each started with its own default public URL (the situation issue 16 found).
 * On SQLite the database is a file both open (several processes on one machine); only PostgreSQL gets concurrent
 * writes from both, since two SQLite connections in one process would wait on each other's lock synchronously.
 */
interface Instance {
  db: Db;
  services: Services;
  app: FastifyInstance;
}

const masterKey = crypto.randomBytes(32).toString('base64');
const dirs: string[] = [];
let a: Instance;
let b: Instance;
let closeDb: () => Promise<void>;
let officer: Actor;
let officerAuth: { authorization: string };
let qualification: NonNullable<Awaited<ReturnType<typeof getQualification>>>;

async function start(db: Db, port: string, env: Record<string, string> = {}): Promise<Instance> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-two-'));
  dirs.push(dataDir);
  const config = await settlePublicUrl(db, loadConfig({ TANDA_DATA_DIR: dataDir, TANDA_MASTER_KEY: masterKey, PORT: port, ...env }));
  const services = createServices(config, db);
  const app = await buildApp(services);
  await app.ready();
  return { db, services, app };
}

beforeAll(async () => {
  let dbA: Db;
  let dbB: Db;
  if (TEST_DATABASE_URL) {
    dbA = await createTestDb();
    dbB = openDatabase({ databaseUrl: TEST_DATABASE_URL, pgSchema: dbA.schema! });
    closeDb = async () => {
      await dbB.destroy();
      await dbA.destroy();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-two-db-'));
    dirs.push(dir);
    dbA = openDatabase({ sqlitePath: path.join(dir, 'tanda.db') });
    await migrateToLatest(dbA);
    dbB = openDatabase({ sqlitePath: path.join(dir, 'tanda.db') });
    closeDb = async () => {
      await dbB.destroy();
      await dbA.destroy();
    };
  }
  a = await start(dbA, '3101');
  b = await start(dbB, '3102');
  const issuer = await createIssuer(dbA.kysely, a.services.keys, a.services.config.publicUrl, { id: 'test-body', name: 'Test Certifying Body', country: 'PH', didMethod: 'key' });
  await seedRegistry(dbA.kysely, { issuers: [issuer.id] });
  const user = await createUser(dbA.kysely, { name: 'Officer', role: 'certifying_officer', issuerId: issuer.id });
  officer = { id: user.id, role: 'certifying_officer', issuerId: issuer.id };
  officerAuth = { authorization: `Bearer ${await createApiToken(dbA.kysely, user.id, 'test')}` };
  qualification = (await getQualification(dbA.kysely, 'https://tanda.example/qualifications/ph-housekeeping-nc2'))!;
}, 60_000);

afterAll(async () => {
  await a?.app.close();
  await b?.app.close();
  await closeDb?.();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const award = (instance: Instance, name: string) =>
  issueAward(instance.services, officer, { issuerId: 'test-body', qualificationId: qualification.id, achievedUnitIds: qualification.units.map((u) => u.unitId), holder: { name } });

const verifyOn = async (instance: Instance, credential: unknown) =>
  (await instance.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: credential } })).json<{ verified?: boolean; checks?: unknown; problemDetails?: Array<{ code?: string }> }>();

const qrOn = async (instance: Instance, payload: string) =>
  (await instance.app.inject({ method: 'POST', url: '/verify/qr', payload: { payload } })).json<{ verdict: string; checks: Array<{ id: string; code?: string }> }>();

const statusCode = (verdict: { checks: Array<{ id: string; code?: string }> }) => verdict.checks.find((c) => c.id === 'status')?.code;

describe(`two instances on one ${testDialect} database`, () => {
  it('the second, started with another default public URL, runs under the one the first recorded; one configured with another is refused', async () => {
    expect(a.services.config.publicUrl).toBe('http://localhost:3101');
    expect(b.services.config.publicUrl).toBe('http://localhost:3101');
    const refused = await settlePublicUrl(b.db, loadConfig({ TANDA_DATA_DIR: dirs[0]!, TANDA_MASTER_KEY: masterKey, TANDA_PUBLIC_URL: 'https://elsewhere.example' })).then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/TANDA_PUBLIC_URL is https:\/\/elsewhere\.example, but this deployment's public URL is http:\/\/localhost:3101/);
  });

  it('an instance whose master key does not open the deployment\'s keys is refused at start', async () => {
    await checkMasterKey(a.services);
    const stranger = createServices(loadConfig({ TANDA_DATA_DIR: dirs[0]!, TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64') }), b.db);
    await expect(checkMasterKey(stranger)).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringContaining('same TANDA_MASTER_KEY') });
  });

  it.runIf(testDialect === 'postgres')('concurrent issuances through both get distinct status indices, and each credential verifies on the other instance', async () => {
    const issued = await Promise.all(Array.from({ length: 24 }, (_, i) => award(i % 2 ? b : a, `Holder ${i}`)));
    const entries = issued.map((r) => r.credential.credentialStatus as { statusListCredential: string; statusListIndex: string });
    expect(new Set(entries.map((e) => `${e.statusListCredential}#${e.statusListIndex}`)).size).toBe(24);
    expect(new Set(entries.map((e) => e.statusListCredential))).toEqual(new Set([entries[0]!.statusListCredential]));
    for (const [i, r] of issued.entries()) {
      expect((await verifyOn(i % 2 ? a : b, r.credential)).verified).toBe(true);
    }
  }, 120_000);

  it('a revocation through one is refused at once by the other\'s /credentials/verify, and by its /verify/qr as soon as it polls', async () => {
    const issued = await award(a, 'Ana Reyes');
    const stored = (await a.services.credentials.find(String(issued.credential.id)))!;
    const { payload } = await a.services.certificates.qrPayload(stored);
    // Both instances hold a trust bundle built before the revocation.
    expect((await qrOn(a, payload)).verdict).toBe('VALID');
    expect((await qrOn(b, payload)).verdict).toBe('VALID');
    const etagBefore = (await b.app.inject({ method: 'GET', url: '/trust-bundle' })).headers.etag;
    await b.services.changes.check();

    const revoked = await a.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(stored.id)}/revoke`, headers: officerAuth, payload: { reason: 'error' } });
    expect(revoked.statusCode).toBe(200);

    // The status list is read from the shared database under the shared URL: no cache stands in between.
    const onB = await verifyOn(b, issued.credential);
    expect(onB.verified).toBe(false);
    expect(JSON.stringify(onB)).toContain('revoked');
    // The instance that revoked dropped its bundle at once.
    expect(statusCode(await qrOn(a, payload))).toBe('revoked');
    // The other learns it from the database on its next poll (every TANDA_CHANGE_POLL_MS in a running server).
    expect(await b.services.changes.check()).toBe(true);
    const qrB = await qrOn(b, payload);
    expect(qrB.verdict).toBe('INVALID');
    expect(statusCode(qrB)).toBe('revoked');
    expect((await b.app.inject({ method: 'GET', url: '/trust-bundle' })).headers.etag).not.toBe(etagBefore);
    // Nothing moved since: the next poll changes nothing.
    expect(await b.services.changes.check()).toBe(false);
  }, 120_000);

  it('sign-in attempts are counted across instances: the limit of 10 a minute holds for the sum', async () => {
    const attempt = (instance: Instance) =>
      instance.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'nobody@example.org', password: 'wrong' }, remoteAddress: '203.0.113.7' });
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await attempt(i % 2 ? b : a)).statusCode);
    expect(codes).toEqual(Array(10).fill(401));
    expect((await attempt(b)).statusCode).toBe(429);
    expect((await attempt(a)).statusCode).toBe(429);
    // Only a hash of the key (address and e-mail) is stored.
    const keys = await a.db.kysely.selectFrom('rate_limits').select('key').execute();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.map((k) => k.key).join(' ')).not.toMatch(/nobody|203\.0\.113/);
  });

  it('an operator\'s change of the public URL is seen by the instances on their next poll (they then ask to be restarted)', async () => {
    await b.services.changes.check();
    await changePublicUrl(a.db, { to: 'https://moved.example', by: 'cli:test', force: true });
    expect(await b.services.changes.check()).toBe(true);
  });
});
