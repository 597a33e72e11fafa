import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { sweepEvidence } from '../../src/rpl/evidence.js';
import { FILES, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { returneeInAssessment } from './fixtures.js';

let t: TestContext;
let f: RplFixture;
beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

const chunk = (id: string, headers: Record<string, string>, offset: number, bytes: Buffer) =>
  t.app.inject({ method: 'PATCH', url: `/me/uploads/${id}`, headers: { ...headers, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) }, payload: bytes });

describe(`resumable evidence uploads on ${testDialect}`, () => {
  it('a file sent in chunks, with a lost chunk resent after asking the offset, becomes one evidence item with the same bytes', async () => {
    const r = await returneeInAssessment(f);
    const file = Buffer.concat([FILES.jpeg(), crypto.randomBytes(700_000)]);
    const begun = await t.app.inject({ method: 'POST', url: '/me/uploads', headers: r.bearer, payload: { caseId: r.caseId, kind: 'work_photo', title: 'Ironing', fileName: 'ironing.jpg', size: file.length } });
    expect(begun.statusCode).toBe(201);
    const id = begun.json().id as string;
    const a = await chunk(id, r.bearer, 0, file.subarray(0, 300_000));
    expect(a.json()).toMatchObject({ received: 300_000, evidence: null });
    // The phone thinks the first chunk was lost and sends it again: refused with where the upload stands.
    const again = await chunk(id, r.bearer, 0, file.subarray(0, 300_000));
    expect([again.statusCode, again.json().code, again.json().details]).toEqual([409, 'upload_offset_mismatch', { received: 300_000 }]);
    expect((await t.app.inject({ method: 'GET', url: `/me/uploads/${id}`, headers: r.bearer })).json()).toMatchObject({ received: 300_000, size: file.length });
    const b = await chunk(id, r.bearer, 300_000, file.subarray(300_000));
    expect(b.statusCode).toBe(200);
    expect(b.json().evidence).toMatchObject({ kind: 'work_photo', title: 'Ironing', contentType: 'image/jpeg' });
    const content = await t.app.inject({ method: 'GET', url: `/cases/${r.caseId}/evidence/${b.json().evidence.id}/content`, headers: r.bearer });
    expect(Buffer.compare(content.rawPayload, file)).toBe(0);
    // Done: the upload session is gone.
    expect((await t.app.inject({ method: 'GET', url: `/me/uploads/${id}`, headers: r.bearer })).statusCode).toBe(404);
  });

  it('refuses an executable at the last chunk like any evidence upload, and another returnee\'s upload is not found', async () => {
    const r = await returneeInAssessment(f);
    const exe = FILES.elf();
    const id = (await t.app.inject({ method: 'POST', url: '/me/uploads', headers: r.bearer, payload: { caseId: r.caseId, kind: 'work_photo', title: 'x', fileName: 'x.jpg', size: exe.length } })).json().id as string;
    const other = await returneeInAssessment(f);
    const peek = await chunk(id, other.bearer, 0, exe);
    expect([peek.statusCode, peek.json().code]).toEqual([404, 'not_found']);
    const refused = await chunk(id, r.bearer, 0, exe);
    expect([refused.statusCode, refused.json().code]).toEqual([415, 'evidence_type_refused']);
    expect((await t.app.inject({ method: 'GET', url: `/cases/${r.caseId}/evidence`, headers: r.bearer })).json()).toEqual([]);
  });

  it('refuses a file larger than the evidence limit before any byte is sent, and a chunk past the declared size', async () => {
    const r = await returneeInAssessment(f);
    const big = await t.app.inject({ method: 'POST', url: '/me/uploads', headers: r.bearer, payload: { caseId: r.caseId, kind: 'work_video', title: 'x', fileName: 'x.mp4', size: t.services.rpl.evidenceMaxBytes + 1 } });
    expect([big.statusCode, big.json().code]).toEqual([413, 'payload_too_large']);
    const id = (await t.app.inject({ method: 'POST', url: '/me/uploads', headers: r.bearer, payload: { caseId: r.caseId, kind: 'work_photo', title: 'x', fileName: 'x.jpg', size: 10 } })).json().id as string;
    const past = await chunk(id, r.bearer, 0, FILES.jpeg());
    expect([past.statusCode, past.json().code]).toEqual([413, 'payload_too_large']);
  });

  it('the evidence sweep removes uploads abandoned past their expiry (row and part file) and old part files with no row, never a live upload', async () => {
    const r = await returneeInAssessment(f);
    const begin = async () => (await t.app.inject({ method: 'POST', url: '/me/uploads', headers: r.bearer, payload: { caseId: r.caseId, kind: 'work_photo', title: 'x', fileName: 'x.jpg', size: 400_000 } })).json().id as string;
    const abandoned = await begin();
    const live = await begin();
    await chunk(abandoned, r.bearer, 0, FILES.jpeg());
    await chunk(live, r.bearer, 0, FILES.jpeg());
    const dir = t.services.rpl.uploadDir;
    const part = (id: string) => path.join(dir, `${id}.part`);
    await t.db.kysely.updateTable('upload_sessions').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', abandoned).execute();
    // A crash between the part file and its row: an old stray file, and a fresh one that may be an upload starting.
    const stray = path.join(dir, `${crypto.randomUUID()}.part`);
    const fresh = path.join(dir, `${crypto.randomUUID()}.part`);
    fs.writeFileSync(stray, 'x');
    fs.writeFileSync(fresh, 'x');
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(stray, old, old);
    fs.utimesSync(part(live), old, old);

    expect((await sweepEvidence(t.services.rpl)).uploadsRemoved).toBe(2);
    expect([fs.existsSync(part(abandoned)), fs.existsSync(stray), fs.existsSync(part(live)), fs.existsSync(fresh)]).toEqual([false, false, true, true]);
    const rows = await t.db.kysely.selectFrom('upload_sessions').select('id').where('id', 'in', [abandoned, live]).execute();
    expect(rows.map((x) => x.id)).toEqual([live]);
    expect((await t.app.inject({ method: 'GET', url: `/me/uploads/${live}`, headers: r.bearer })).json()).toMatchObject({ received: FILES.jpeg().length });
    fs.rmSync(fresh);
  });
});
