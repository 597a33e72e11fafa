import type { KyselyPlugin, PluginTransformResultArgs, QueryResult, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustBundleService } from '../../src/trust/service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge, officerOf } from '../helpers/credentials.js';
import { testDialect } from '../helpers/db.js';

/** Holds the first query that returns status list rows until released: a bundle build that has read the lists. */
function holdListRead(): { plugin: KyselyPlugin; reached: Promise<void>; release: () => void } {
  let reached!: () => void;
  let release!: () => void;
  const reachedP = new Promise<void>((r) => (reached = r));
  const gate = new Promise<void>((r) => (release = r));
  let armed = true;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const row = args.result.rows[0];
      if (armed && row && 'credential' in row && 'valid_until' in row && 'kind' in row) {
        armed = false;
        reached();
        await gate;
      }
      return args.result;
    },
  };
  return { plugin, reached: reachedP, release };
}

// The held read keeps its connection: SQLite's single connection would hold the revocation too.
describe.runIf(testDialect === 'postgres')('the trust bundle after a revocation', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(async () => t.close());

  it('a build that read the lists before the change is not what callers after invalidate() get, nor what stays published', async () => {
    const credential = await t.services.credentials.issue(badge(t.issuer.did), { issuerId: t.issuer.id, kind: 'general' });
    const hold = holdListRead();
    const trust = new TrustBundleService({ ...t.services, db: { ...t.db, kysely: t.db.kysely.withPlugin(hold.plugin) } });

    const first = trust.current();
    await hold.reached;
    await t.services.status.revoke({ credentialId: String(credential.id), actor: await officerOf(t), reason: 'error' });
    trust.invalidate();
    const pending = trust.current();
    hold.release();
    const [stale, second] = await Promise.all([first, pending]);

    const current = JSON.parse((await t.db.kysely.selectFrom('status_lists').select('credential').executeTakeFirstOrThrow()).credential) as unknown;
    expect(stale.bundle.statusLists[0]!.credential).not.toEqual(current);
    expect(second.bundle.statusLists[0]!.credential).toEqual(current);
    // The slower, older build finished last but did not replace the newer one.
    expect((await trust.current()).etag).toBe(second.etag);
  }, 60_000);
});
