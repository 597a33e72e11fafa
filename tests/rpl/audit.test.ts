import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../src/rpl/audit.js';
import { rplCommand } from '../../src/cli/rpl.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;

beforeAll(async () => {
  t = await createTestContext();
});
afterAll(async () => t.close());

async function appendMany(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await t.db.kysely.transaction().execute((tx) => appendAudit(tx, t.db.dialect, { actorId: 'u1', action: 'case.transition', caseId: `c${i}`, data: { event: 'submit', from: 'draft', to: 'submitted', version: i + 1 } }));
  }
}

/** What someone with direct database access could do: remove the append-only triggers. */
async function dropTriggers(): Promise<void> {
  if (t.db.dialect === 'sqlite') {
    await sql`DROP TRIGGER IF EXISTS audit_log_no_update`.execute(t.db.kysely);
    await sql`DROP TRIGGER IF EXISTS audit_log_no_delete`.execute(t.db.kysely);
  } else {
    await sql`DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log`.execute(t.db.kysely);
  }
}

async function captureCli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    return { code: await rplCommand(argv, t.services), out };
  } finally {
    process.stdout.write = write;
  }
}

describe(`hash-chained audit log on ${testDialect}`, () => {
  it('a clean chain verifies, concurrent appends do not fork it, and the CLI says so', async () => {
    await appendMany(6);
    await Promise.all(Array.from({ length: 8 }, (_, i) => t.db.kysely.transaction().execute((tx) => appendAudit(tx, t.db.dialect, { actorId: 'u2', action: 'evidence.read', subjectId: `e${i}` }))));
    expect(await verifyAuditChain(t.db.kysely)).toEqual({ valid: true, entries: 14, lastValidSeq: 14 });
    expect(await captureCli(['audit-verify'])).toMatchObject({ code: 0, out: expect.stringContaining('14 entries') });
  });

  it('the database refuses UPDATE and DELETE on the log', async () => {
    await expect(t.db.kysely.updateTable('audit_log').set({ action: 'x' }).where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.kysely.deleteFrom('audit_log').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
  });

  it('an edited entry is reported as the first broken link (API and CLI)', async () => {
    await dropTriggers();
    await t.db.kysely.updateTable('audit_log').set({ data: '{"event":"certify","from":"draft","to":"certified","version":4}' }).where('seq', '=', 4).execute();
    expect(await verifyAuditChain(t.db.kysely)).toMatchObject({ valid: false, lastValidSeq: 3, firstBroken: { seq: 4, reason: 'hash_mismatch' } });
    const admin = (await t.login('admin', { issuerId: null })).headers;
    expect((await t.app.inject({ method: 'GET', url: '/audit/verify', headers: admin })).json()).toMatchObject({ valid: false, firstBroken: { seq: 4 } });
    expect((await t.app.inject({ method: 'GET', url: '/audit/verify', headers: (await t.login('counsellor')).headers })).statusCode).toBe(403);
    const cli = await captureCli(['audit-verify']);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain('entry 4');
  });

  it('an edit with a recomputed hash breaks the next link; a deleted entry leaves a gap', async () => {
    const fresh = await createTestContext();
    try {
      for (let i = 0; i < 5; i++) await fresh.db.kysely.transaction().execute((tx) => appendAudit(tx, fresh.db.dialect, { actorId: 'u', action: 'a', data: { i } }));
      const tt = t;
      t = fresh;
      await dropTriggers();
      t = tt;
      // The forger recomputes entry 2's own hash, but entry 3 still names the old one.
      const { entryHash } = await import('../../src/rpl/audit.js');
      const row2 = await fresh.db.kysely.selectFrom('audit_log').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
      const forged = entryHash(row2.prev_hash, { seq: 2, at: row2.at, actorId: 'someone-else', action: row2.action, caseId: row2.case_id, subjectId: row2.subject_id, data: JSON.parse(row2.data) });
      await fresh.db.kysely.updateTable('audit_log').set({ actor_id: 'someone-else', hash: forged }).where('seq', '=', 2).execute();
      expect(await verifyAuditChain(fresh.db.kysely)).toMatchObject({ valid: false, firstBroken: { seq: 3, reason: 'previous_hash_mismatch' } });
      await fresh.db.kysely.deleteFrom('audit_log').where('seq', '=', 2).execute();
      expect(await verifyAuditChain(fresh.db.kysely)).toMatchObject({ valid: false, lastValidSeq: 1, firstBroken: { seq: 3, reason: 'sequence_gap' } });
    } finally {
      await fresh.close();
    }
  });
});
