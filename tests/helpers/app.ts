import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApiToken, createUser } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/database.js';
import type { Role } from '../../src/db/schema.js';
import { buildApp } from '../../src/http/app.js';
import { createIssuer, type IssuerRow } from '../../src/issuers/issuers.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestDb } from './db.js';

export interface TestContext {
  db: Db;
  services: Services;
  app: FastifyInstance;
  issuer: IssuerRow;
  dataDir: string;
  /** Creates a user with the role (attached to `issuer` for staff roles) and returns an Authorization header. */
  login(role: Role, options?: { issuerId?: string | null; name?: string }): Promise<{ userId: string; headers: { authorization: string } }>;
  close(): Promise<void>;
}

/** A real app on a fresh test database (SQLite or PostgreSQL), with one did:key certifying body. */
export async function createTestContext(env: Record<string, string> = {}): Promise<TestContext> {
  const db = await createTestDb();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-test-'));
  const config = loadConfig({
    TANDA_DATA_DIR: dataDir,
    TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    TANDA_PUBLIC_URL: 'https://tanda.test',
    // One verification worker per test app: the pool path is exercised everywhere, at half the thread start-ups.
    TANDA_VERIFY_WORKERS: '1',
    ...env,
  });
  const services = createServices(config, db);
  const issuer = await createIssuer(db.kysely, services.keys, config.publicUrl, { id: 'test-body', name: 'Test Certifying Body', country: 'PH', didMethod: 'key' });
  const app = await buildApp(services);
  await app.ready();
  return {
    db,
    services,
    app,
    issuer,
    dataDir,
    async login(role, options = {}) {
      const issuerId = options.issuerId === undefined ? (role === 'candidate' ? null : issuer.id) : options.issuerId;
      const user = await createUser(db.kysely, { name: options.name ?? `${role} ${crypto.randomUUID().slice(0, 6)}`, role, issuerId });
      const token = await createApiToken(db.kysely, user.id, 'test');
      return { userId: user.id, headers: { authorization: `Bearer ${token}` } };
    },
    async close() {
      await app.close();
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
