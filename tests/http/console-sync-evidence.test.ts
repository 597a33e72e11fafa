import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { FILES, HOUSEKEEPING, multipart, rplFixture, type RplFixture } from '../rpl/fixtures.js';

/*
 * The console uploads a photo taken offline before the event that relies on it, with the event's id as the
 * Idempotency-Key: a retry after a lost answer must not file the photo twice.
 */

let t: TestContext;
let f: RplFixture;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
}, 60_000);
afterAll(async () => t.close());

async function caseInAssessment(): Promise<string> {
  const c = await f.registerCandidate();
  const id = (await t.app.inject({ method: 'POST', url: '/cases', headers: f.counsellor, payload: { qualificationId: HOUSEKEEPING, issuerId: t.issuer.id, candidateId: c.id } })).json().id as string;
  for (const [event, extra] of [['submit', {}], ['start_screening', {}], ['accept', { assessorId: f.assessor.userId }]] as const) await f.fire(id, f.counsellor, event, extra);
  return id;
}

const upload = (caseId: string, bytes: Buffer, key?: string, name = 'photo.jpg') => {
  const up = multipart({ kind: 'work_photo', title: 'Ironing a shirt' }, { name, bytes });
  return t.app.inject({ method: 'POST', url: `/cases/${caseId}/evidence`, headers: { ...f.assessor, ...up.headers, ...(key ? { 'idempotency-key': key } : {}) }, payload: up.payload });
};
const items = async (caseId: string) => t.db.kysely.selectFrom('evidence_items').select('id').where('case_id', '=', caseId).execute();
const added = async (caseId: string) => (await t.db.kysely.selectFrom('audit_log').select('seq').where('case_id', '=', caseId).where('action', '=', 'evidence.added').execute()).length;

describe(`evidence uploads with an Idempotency-Key, on ${testDialect}`, () => {
  it('files the photo once: the same key again answers the first item, even after the case has closed', async () => {
    const caseId = await caseInAssessment();
    const key = crypto.randomUUID();
    const bytes = FILES.jpeg();
    const first = await upload(caseId, bytes, key);
    expect(first.statusCode).toBe(201);
    const again = await upload(caseId, bytes, key);
    expect([again.statusCode, again.headers['idempotent-replayed'], again.json().id]).toEqual([201, 'true', first.json().id]);
    expect((await items(caseId)).map((i) => i.id)).toEqual([first.json().id]);
    expect(await added(caseId)).toBe(1);

    await f.fire(caseId, f.counsellor, 'withdraw');
    const late = await upload(caseId, bytes, key);
    expect([late.statusCode, late.json().id]).toEqual([201, first.json().id]);
    // Without the key the closed portfolio refuses, as before.
    expect((await upload(caseId, FILES.jpeg())).json().code).toBe('invalid_transition');
  });

  it('refuses the key for another case, and gives a key back when its upload was refused', async () => {
    const a = await caseInAssessment();
    const b = await caseInAssessment();
    const key = crypto.randomUUID();
    expect((await upload(a, FILES.jpeg(), key)).statusCode).toBe(201);
    const other = await upload(b, FILES.jpeg(), key);
    expect([other.statusCode, other.json().code]).toEqual([400, 'idempotency_key_mismatch']);
    expect(await items(b)).toEqual([]);

    const retry = crypto.randomUUID();
    const refused = await upload(b, FILES.elf(), retry, 'photo.jpg');
    expect([refused.statusCode, refused.json().code]).toEqual([415, 'evidence_type_refused']);
    const ok = await upload(b, FILES.jpeg(), retry);
    expect([ok.statusCode, ok.headers['idempotent-replayed']]).toEqual([201, undefined]);
    expect(await items(b)).toHaveLength(1);
  });

  it('refuses the replay to an assessor the case was taken from since', async () => {
    const caseId = await caseInAssessment();
    const key = crypto.randomUUID();
    const bytes = FILES.jpeg();
    expect((await upload(caseId, bytes, key)).statusCode).toBe(201);
    // What assign_reassessor does after an appeal: another assessor.
    await t.db.kysely.updateTable('rpl_cases').set({ assessor_id: f.assessor2.userId }).where('id', '=', caseId).execute();
    const replay = await upload(caseId, bytes, key);
    expect([replay.statusCode, replay.json().code]).toEqual([404, 'not_found']);
  });
});
