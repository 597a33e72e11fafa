import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rplCommand } from '../../src/cli/rpl.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { CertificationBatchWorker, type BatchView } from '../../src/rpl/certification-batch.js';
import { verifyAuditChain } from '../../src/rpl/audit.js';
import { captured } from '../helpers/cli.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { caseAtState, HOUSEKEEPING, memoryLog, rplFixture, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;
let candidateId: string;
const OTHER_BODY = 'batch-other-body';

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  candidateId = (await f.registerCandidate()).id;
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER_BODY, name: 'Other Body', country: 'PH', didMethod: 'key' });
});
afterAll(async () => t.close());

/** A case of the own body put straight into `state`, every Housekeeping unit judged Competent. */
async function caseIn(state: string, cohortRef: string | null = null, issuerId = t.issuer.id): Promise<string> {
  return caseAtState(t, state, { candidateId, assessorId: f.assessor.userId, issuerId, moderatorId: f.moderator.userId, outcome: 'full_qualification', cohortRef });
}
const moderatedCases = async (n: number, cohortRef: string | null = null) => {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await caseIn('moderated', cohortRef));
  return ids;
};

const worker = (options: Partial<ConstructorParameters<typeof CertificationBatchWorker>[1]> = {}) => new CertificationBatchWorker(t.services.rpl, { log: memoryLog(), ...options });

async function post(headers: Record<string, string>, payload: unknown, key?: string) {
  return t.app.inject({ method: 'POST', url: '/certification-batches', headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) }, payload: payload as object });
}
async function batch(id: string, headers: Record<string, string> = f.officer): Promise<BatchView> {
  const res = await t.app.inject({ method: 'GET', url: `/certification-batches/${id}`, headers });
  expect(res.statusCode).toBe(200);
  return res.json();
}
/** Credentials of these cases: in the credentials table, and on the cases. */
async function credentialsOf(caseIds: string[]) {
  const cases = await t.db.kysely.selectFrom('rpl_cases').select(['id', 'state', 'credential_id']).where('id', 'in', caseIds).execute();
  const awards = await t.db.kysely.selectFrom('credentials').select('id').where('id', 'in', cases.map((c) => c.credential_id ?? '')).execute();
  const certifyAudits = await t.db.kysely.selectFrom('audit_log').select('case_id').where('case_id', 'in', caseIds).where('action', '=', 'case.transition').execute();
  return { cases, awards, certifyAudits };
}

describe(`certification batches on ${testDialect}`, () => {
  it('certifies every named case once: N cases, N credentials, the batch completed with counts and each credential id', async () => {
    const ids = await moderatedCases(4);
    const created = await post(f.officer, { caseIds: ids });
    expect(created.statusCode).toBe(201);
    const view: BatchView = created.json();
    expect(view).toMatchObject({ state: 'running', total: 4, pending: 4, done: 0 });
    await worker({ batchId: view.id }).drain();
    const after = await batch(view.id);
    expect(after).toMatchObject({ state: 'completed', total: 4, done: 4, failed: 0, pending: 0 });
    const { cases, awards, certifyAudits } = await credentialsOf(ids);
    expect(cases.every((c) => c.state === 'certified')).toBe(true);
    expect(new Set(awards.map((a) => a.id)).size).toBe(4);
    expect(certifyAudits).toHaveLength(4);
    expect(after.items!.map((i) => i.credentialId).sort()).toEqual(cases.map((c) => c.credential_id).sort());
    expect((await verifyAuditChain(t.db.kysely)).valid).toBe(true);
  });

  it('answers a re-sent request with the same Idempotency-Key with the same batch, and stores one', async () => {
    const ids = await moderatedCases(2);
    const key = `batch-${crypto.randomUUID()}`;
    const first = await post(f.officer, { caseIds: ids }, key);
    const again = await post(f.officer, { caseIds: ids }, key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const stored = await t.db.kysely.selectFrom('certification_batch_items').select('batch_id').where('case_id', 'in', ids).execute();
    expect(new Set(stored.map((s) => s.batch_id))).toEqual(new Set([first.json().id]));
    const other = await post(f.officer, { caseIds: [ids[0]] }, key);
    expect(other.statusCode).toBe(400);
    expect(other.json().code).toBe('idempotency_key_mismatch');
  });

  it('resumes a batch whose worker stopped between items: another worker ends it with exactly N credentials', async () => {
    const ids = await moderatedCases(5);
    const id = (await post(f.officer, { caseIds: ids })).json().id;
    const first = worker({ batchId: id, batchSize: 2 });
    expect((await first.runOnce()).outcomes.done).toBe(2);
    expect(await batch(id)).toMatchObject({ state: 'running', done: 2, pending: 3 });
    // "Restart": a new worker (new id) picks up the rest.
    await worker({ batchId: id }).drain();
    expect(await batch(id)).toMatchObject({ state: 'completed', done: 5, failed: 0 });
    const { awards, certifyAudits } = await credentialsOf(ids);
    expect(awards).toHaveLength(5);
    expect(certifyAudits).toHaveLength(5);
  });

  it('leaves an item claimed by a killed worker until its lease ends, then certifies it once', async () => {
    const ids = await moderatedCases(3);
    const id = (await post(f.officer, { caseIds: ids })).json().id;
    const now = Date.now();
    // What a process killed mid-certification leaves: the item claimed, its transaction never committed.
    await t.db.kysely
      .updateTable('certification_batch_items')
      .set({ lease_owner: 'killed-worker', lease_until: new Date(now + 30_000).toISOString(), attempts: 1 })
      .where('batch_id', '=', id)
      .where('position', '=', 0)
      .execute();
    await worker({ batchId: id, clock: () => new Date(now) }).drain();
    expect(await batch(id)).toMatchObject({ state: 'running', done: 2, pending: 1 });
    await worker({ batchId: id, clock: () => new Date(now + 31_000) }).drain();
    const after = await batch(id);
    expect(after).toMatchObject({ state: 'completed', done: 3, failed: 0 });
    const { awards } = await credentialsOf(ids);
    expect(awards).toHaveLength(3);
  });

  it('rolls back a certification whose lease was taken over, so the case gets one credential', async () => {
    const [caseId] = await moderatedCases(1);
    const id = (await post(f.officer, { caseIds: [caseId] })).json().id;
    const now = Date.now();
    const slow = worker({ batchId: id, clock: () => new Date(now), leaseMs: 1000 });
    // The slow worker's lease is taken over (as after a stall longer than the lease) before it stores its result.
    const original = t.services.rpl.issueAward;
    let takeOver: Promise<unknown> | undefined;
    t.services.rpl.issueAward = async (actor, input) => {
      t.services.rpl.issueAward = original;
      takeOver = worker({ batchId: id, clock: () => new Date(now + 5000) }).processItem(id, 0);
      await takeOver;
      return original(actor, input);
    };
    try {
      await slow.processItem(id, 0);
    } finally {
      t.services.rpl.issueAward = original;
    }
    expect(await takeOver).toBe('done');
    const { awards, certifyAudits } = await credentialsOf([caseId!]);
    expect(awards).toHaveLength(1);
    expect(certifyAudits).toHaveLength(1);
    const items = (await batch(id)).items!;
    expect(items[0]).toMatchObject({ state: 'done', credentialId: awards[0]!.id });
  });

  it('shares a batch between workers running at once (as several instances do) with one credential per case', async () => {
    const ids = await moderatedCases(6);
    const id = (await post(f.officer, { caseIds: ids })).json().id;
    const workers = [worker({ batchId: id, batchSize: 2 }), worker({ batchId: id, batchSize: 2 }), worker({ batchId: id, batchSize: 2 })];
    await Promise.all(workers.map((w) => w.drain()));
    expect(await batch(id)).toMatchObject({ state: 'completed', done: 6, failed: 0 });
    const { awards, certifyAudits } = await credentialsOf(ids);
    expect(awards).toHaveLength(6);
    expect(certifyAudits).toHaveLength(6);
    const closed = await t.db.kysely.selectFrom('audit_log').select('seq').where('action', '=', 'certification_batch.completed').where('subject_id', '=', id).execute();
    expect(closed).toHaveLength(1);
  });

  it('runs in the background once started, and closes a batch a killed worker left running with nothing pending', async () => {
    const ids = await moderatedCases(2);
    const id = (await post(f.officer, { caseIds: ids })).json().id;
    const background = worker({ intervalMs: 5 });
    background.start();
    // Polls the stored state (no time limit asserted): the worker runs on its own timer.
    while ((await batch(id)).state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 20));
    await background.stop();
    expect(await batch(id)).toMatchObject({ done: 2, failed: 0 });

    // As if the process died after its last item and before closing the batch.
    await t.db.kysely.updateTable('certification_batches').set({ state: 'running', completed_at: null }).where('id', '=', id).execute();
    expect((await worker().runOnce()).processed).toBe(0);
    expect(await batch(id)).toMatchObject({ state: 'completed', done: 2 });
  });

  it('marks a case certified meanwhile done with its credential, and records a case that cannot be certified as failed with its code', async () => {
    const [byHand, ready] = await moderatedCases(2);
    const notReady = await caseIn('decided');
    const id = (await post(f.officer, { caseIds: [byHand, ready, notReady] })).json().id;
    const fired = await f.fire(byHand!, f.officer, 'certify');
    expect(fired.statusCode).toBe(200);
    await worker({ batchId: id }).drain();
    const after = await batch(id);
    expect(after).toMatchObject({ state: 'completed', total: 3, done: 2, failed: 1 });
    expect(after.items![0]!.credentialId).toBe(fired.body.credentialId);
    expect(after.items![2]).toMatchObject({ state: 'failed', error: { code: 'invalid_transition' } });
    const { awards } = await credentialsOf([byHand!]);
    expect(awards).toHaveLength(1);
    expect((await t.db.kysely.selectFrom('credentials').select('id').where('id', '=', String(fired.body.credentialId)).execute())).toHaveLength(1);
  });

  it('selects the moderated cases of a qualification and cohort of the officer\'s body only, and answers a bad selection with a 4xx', async () => {
    const ref = `cohort-${crypto.randomUUID()}`;
    const wanted = await moderatedCases(2, ref);
    await caseIn('decided', ref);
    await caseIn('moderated', ref, OTHER_BODY);
    const res = await post(f.officer, { qualificationId: HOUSEKEEPING, cohortRef: ref });
    expect(res.statusCode).toBe(201);
    expect(res.json().items.map((i: { caseId: string }) => i.caseId).sort()).toEqual([...wanted].sort());
    const none = await post(f.officer, { qualificationId: HOUSEKEEPING, cohortRef: 'no-such-cohort' });
    expect(none.statusCode).toBe(409);
    expect(none.json().code).toBe('precondition_failed');
    // An empty selection fails the schema; NUL in any string is refused at the edge (src/http/input-guard.ts).
    for (const [payload, code] of [[{}, 'validation_failed'], [{ caseIds: ['a\u0000b'] }, 'invalid_text'], [{ qualificationId: HOUSEKEEPING, cohortRef: 'x\u0000' }, 'invalid_text']] as const) {
      const bad = await post(f.officer, payload);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe(code);
    }
    const unknown = await post(f.officer, { qualificationId: 'no-such-qualification' });
    expect(unknown.statusCode).toBe(404);
    const missing = await t.app.inject({ method: 'GET', url: '/certification-batches/no-such-batch', headers: f.officer });
    expect(missing.statusCode).toBe(404);
    const nul = await t.app.inject({ method: 'GET', url: '/certification-batches/a%00b', headers: f.officer });
    expect([nul.statusCode, nul.json().code]).toEqual([400, 'invalid_text']);
  });

  it('tells an officer what a batch by qualification can take: each qualification with the body\'s moderated cases, counted, and its cohorts; another body\'s officer is told of theirs only', async () => {
    const ref = `ready-${crypto.randomUUID()}`;
    await moderatedCases(3, ref);
    await caseIn('decided', ref);
    await caseIn('moderated', ref, OTHER_BODY);
    const moderatedOf = async (issuerId: string) => Number((await t.db.kysely.selectFrom('rpl_cases').select((eb) => eb.fn.countAll().as('n')).where('issuer_id', '=', issuerId).where('state', '=', 'moderated').executeTakeFirstOrThrow()).n);
    const ready = async (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/certification-batches/ready', headers });

    const own = await ready(f.officer);
    expect(own.statusCode).toBe(200);
    expect(own.json().qualifications).toEqual([
      { qualificationId: HOUSEKEEPING, code: expect.any(String), titles: expect.objectContaining({ en: expect.any(String) }), cases: await moderatedOf(t.issuer.id), cohorts: expect.arrayContaining([{ cohortRef: ref, cases: 3 }]) },
    ]);
    const otherOfficer = (await t.login('certifying_officer', { issuerId: OTHER_BODY })).headers;
    const theirs = (await ready(otherOfficer)).json().qualifications;
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).toMatchObject({ qualificationId: HOUSEKEEPING, cases: await moderatedOf(OTHER_BODY), cohorts: expect.arrayContaining([{ cohortRef: ref, cases: 1 }]) });
    // What is counted is what a batch of that qualification and cohort takes.
    expect((await post(f.officer, { qualificationId: HOUSEKEEPING, cohortRef: ref })).json().total).toBe(3);
    for (const who of [f.moderator, f.assessor, f.counsellor]) expect((await ready(who)).json().code).toBe('forbidden');
  });

  it('keeps another body\'s staff out: they cannot start a batch over these cases nor see one, and a non-officer cannot start one', async () => {
    const ids = await moderatedCases(1);
    const mine = (await post(f.officer, { caseIds: ids })).json().id;
    const otherOfficer = (await t.login('certifying_officer', { issuerId: OTHER_BODY })).headers;
    const refused = await post(otherOfficer, { caseIds: ids });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().code).toBe('not_found');
    const peek = await t.app.inject({ method: 'GET', url: `/certification-batches/${mine}`, headers: otherOfficer });
    expect(peek.statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: '/certification-batches', headers: otherOfficer });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([]);
    const ownList = await t.app.inject({ method: 'GET', url: '/certification-batches', headers: f.officer });
    expect(ownList.json().map((b: BatchView) => b.id)).toContain(mine);
    for (const who of [f.moderator, f.assessor, f.counsellor]) {
      const res = await post(who, { caseIds: ids });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    expect(await t.db.kysely.selectFrom('certification_batch_items').select('batch_id').where('case_id', 'in', ids).execute()).toHaveLength(1);
  });

  it('tanda rpl certify-batch --wait certifies the listed cases as the officer and prints the result', async () => {
    const ids = await moderatedCases(2);
    const file = path.join(t.dataDir, `batch-${crypto.randomUUID()}.txt`);
    fs.writeFileSync(file, `# cases\n${ids.join('\n')}\n`);
    const { value: code, out } = await captured(() => rplCommand(['certify-batch', '--as', f.officer.userId, '--cases', file, '--wait'], t.services));
    expect(code).toBe(0);
    expect(out).toMatch(/: 2 certified, 0 failed of 2/);
    const { awards } = await credentialsOf(ids);
    expect(awards).toHaveLength(2);
  });
});
