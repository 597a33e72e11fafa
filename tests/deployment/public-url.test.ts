import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUser } from '../../src/auth/tokens.js';
import { issueAward } from '../../src/awards/award-service.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/database.js';
import { m0017Deployment } from '../../src/db/migrations/0017-deployment.js';
import { changePublicUrl, recordedPublicUrl, settlePublicUrl } from '../../src/deployment/public-url.js';
import { getQualification } from '../../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { verifyAuditChain } from '../../src/rpl/audit.js';
import { createServices } from '../../src/services.js';
import { createTestDb, testDialect } from '../helpers/db.js';

const env = (extra: Record<string, string> = {}) => loadConfig({ TANDA_DATA_DIR: '/tmp/tanda-unused', TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64'), ...extra });

describe(`the deployment's public URL on ${testDialect}`, () => {
  let db: Db;
  beforeEach(async () => {
    db = await createTestDb();
  });
  afterEach(async () => db.destroy());

  it('the first server start records its URL, the default included; a CLI process without TANDA_PUBLIC_URL records nothing', async () => {
    expect((await settlePublicUrl(db, env(), { record: false })).publicUrl).toBe('http://localhost:3000');
    expect(await recordedPublicUrl(db)).toBeUndefined();
    await settlePublicUrl(db, env({ PORT: '3005' }));
    expect(await recordedPublicUrl(db)).toMatchObject({ url: 'http://localhost:3005', recordedBy: 'first start' });
  });

  it('instances starting together on an empty database agree on one URL (the first insert wins, none fails)', async () => {
    const settled = await Promise.all(['3001', '3002', '3003', '3004'].map((port) => settlePublicUrl(db, env({ PORT: port }))));
    const recorded = (await recordedPublicUrl(db))!.url;
    expect(settled.map((c) => c.publicUrl)).toEqual(Array(4).fill(recorded));
  });

  it('a trailing slash is the same URL; another one is refused with both named and the way to change it', async () => {
    await settlePublicUrl(db, env({ TANDA_PUBLIC_URL: 'https://verify.example' }));
    expect((await settlePublicUrl(db, env({ TANDA_PUBLIC_URL: 'https://verify.example/' }))).publicUrl).toBe('https://verify.example');
    await expect(settlePublicUrl(db, env({ TANDA_PUBLIC_URL: 'https://other.example' }))).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringMatching(/https:\/\/other\.example.*https:\/\/verify\.example.*tanda deployment set-public-url/s),
    });
  });

  it('changing it is refused while credentials name the old URL, unless forced; each change is in the audit chain', async () => {
    const config = await settlePublicUrl(db, env({ TANDA_PUBLIC_URL: 'https://old.example' }));
    // Nothing issued yet: a change costs nothing.
    expect(await changePublicUrl(db, { to: 'https://new.example/', by: 'cli:ops', force: false })).toEqual({ from: 'https://old.example', to: 'https://new.example', issuedUnderOld: 0 });
    const services = createServices({ ...config, publicUrl: 'https://new.example' }, db);
    await createIssuer(db.kysely, services.keys, 'https://new.example', { id: 'body', name: 'Body', country: 'PH', didMethod: 'key' });
    await seedRegistry(db.kysely, { issuers: ['body'] });
    const user = await createUser(db.kysely, { name: 'Officer', role: 'certifying_officer', issuerId: 'body' });
    const q = (await getQualification(db.kysely, 'https://tanda.example/qualifications/ph-housekeeping-nc2'))!;
    await issueAward(services, { id: user.id, role: 'certifying_officer', issuerId: 'body' }, { issuerId: 'body', qualificationId: q.id, achievedUnitIds: q.units.map((u) => u.unitId), holder: { name: 'Ana Reyes' } });

    await expect(changePublicUrl(db, { to: 'https://third.example', by: 'cli:ops', force: false })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('1 credential(s) name https://new.example') });
    expect((await recordedPublicUrl(db))!.url).toBe('https://new.example');
    expect(await changePublicUrl(db, { to: 'https://third.example', by: 'cli:ops', force: true })).toMatchObject({ from: 'https://new.example', to: 'https://third.example', issuedUnderOld: 1 });
    expect(await recordedPublicUrl(db)).toMatchObject({ url: 'https://third.example', recordedBy: 'changed by cli:ops' });
    await expect(changePublicUrl(db, { to: 'ftp://x', by: 'cli:ops', force: true })).rejects.toMatchObject({ code: 'validation_failed' });

    const audit = await db.kysely.selectFrom('audit_log').select(['action', 'actor_id', 'data']).where('action', '=', 'deployment.public_url_changed').orderBy('seq').execute();
    expect(audit.map((e) => [e.actor_id, JSON.parse(e.data)])).toEqual([
      ['cli:ops', { from: 'https://old.example', to: 'https://new.example', issuedUnderOld: 0, forced: false }],
      ['cli:ops', { from: 'https://new.example', to: 'https://third.example', issuedUnderOld: 1, forced: true }],
    ]);
    expect((await verifyAuditChain(db.kysely)).valid).toBe(true);
  }, 60_000);

  it('migration 0017 moves the URL an older version remembered in meta', async () => {
    const migration = m0017Deployment(db.dialect);
    await migration.down!(db.kysely);
    await db.kysely.insertInto('meta').values({ key: 'public_url', value: 'https://remembered.example' }).execute();
    await migration.up(db.kysely);
    expect(await recordedPublicUrl(db)).toMatchObject({ url: 'https://remembered.example', recordedBy: 'migration 0017' });
    expect(await db.kysely.selectFrom('meta').selectAll().where('key', '=', 'public_url').executeTakeFirst()).toBeUndefined();
    expect((await settlePublicUrl(db, env())).publicUrl).toBe('https://remembered.example');
  });
});
