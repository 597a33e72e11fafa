import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rplCommand } from '../../src/cli/rpl.js';
import { sweepEvidence } from '../../src/rpl/evidence.js';
import { sniffEvidence } from '../../src/rpl/sniff.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { FILES, multipart, rplFixture, type Headers, type RplFixture } from './fixtures.js';

const LIMIT = 4096;
let t: TestContext;
let f: RplFixture;
let me: Headers;
let caseId: string;

beforeAll(async () => {
  t = await createTestContext({ TANDA_EVIDENCE_MAX_BYTES: String(LIMIT) });
  f = await rplFixture(t);
  const c = await f.registerCandidate();
  me = await f.candidateSession(c.email);
  caseId = (await f.openCase(me)).id;
});
afterAll(async () => t.close());

const upload = (id: string, headers: Headers, name: string, bytes: Buffer, kind = 'work_photo') => {
  const body = multipart({ kind, title: name }, { name, bytes, type: 'image/jpeg' });
  return t.app.inject({ method: 'POST', url: `/cases/${id}/evidence`, headers: { ...headers, ...body.headers }, payload: body.payload });
};

const filesOnDisk = (): string[] => {
  const root = path.join(t.dataDir, 'evidence');
  return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name) : [];
};

describe(`evidence uploads on ${testDialect}`, () => {
  it.each([
    ['too large', 'big.jpg', () => Buffer.concat([FILES.jpeg(), Buffer.alloc(LIMIT)]), 413, 'payload_too_large'],
    ['empty', 'empty.pdf', () => Buffer.alloc(0), 400, 'evidence_empty'],
    ['an ELF executable named .jpg', 'holiday.jpg', FILES.elf, 415, 'evidence_type_refused'],
    ['a Windows executable named .jpg', 'photo.jpg', FILES.pe, 415, 'evidence_type_refused'],
    ['a PDF named .jpg', 'scan.jpg', FILES.pdf, 415, 'evidence_type_refused'],
    ['an unknown format', 'notes.txt', () => Buffer.from('just some text that is not an accepted evidence format'), 415, 'evidence_type_refused'],
  ])('refuses %s and stores nothing', async (_label, name, bytes, status, code) => {
    const before = filesOnDisk().length;
    const res = await upload(caseId, me, name, bytes());
    expect([res.statusCode, res.json().code]).toEqual([status, code]);
    expect(filesOnDisk().length).toBe(before);
    expect((await t.app.inject({ method: 'GET', url: `/cases/${caseId}/evidence`, headers: me })).json()).toEqual([]);
  });

  it('names the executable it refused', async () => {
    const res = await upload(caseId, me, 'holiday.jpg', FILES.elf());
    expect(res.json().message).toContain('ELF');
  });

  it('stores the same bytes once (content addressed), refuses the same file twice in one case', async () => {
    const bytes = FILES.jpeg();
    const first = await upload(caseId, me, 'kitchen.jpg', bytes);
    expect(first.statusCode).toBe(201);
    const dup = await upload(caseId, me, 'kitchen-copy.jpeg', bytes);
    expect([dup.statusCode, dup.json().code, dup.json().details]).toEqual([409, 'already_exists', { evidenceId: first.json().id }]);

    // Another returnee's case, same photo (e.g. a group photo at work): a new item, the same stored file.
    const other = await f.registerCandidate();
    const otherMe = await f.candidateSession(other.email);
    const otherCase = (await f.openCase(otherMe)).id;
    const second = await upload(otherCase, otherMe, 'team.jpg', bytes);
    expect(second.statusCode).toBe(201);
    expect(second.json().sha256).toBe(first.json().sha256);
    const blobs = await t.db.kysely.selectFrom('evidence_blobs').selectAll().where('hash', '=', first.json().sha256).execute();
    expect(blobs).toHaveLength(1);
    expect(filesOnDisk().filter((n) => n === first.json().sha256)).toHaveLength(1);
    expect(first.json()).toMatchObject({ contentType: 'image/jpeg', size: bytes.length });
  });

  it('accepts a file at the limit, PNG and MP4, and records without a file', async () => {
    const atLimit = Buffer.concat([FILES.png(), Buffer.alloc(LIMIT - FILES.png().length)]);
    expect((await upload(caseId, me, 'certificate.png', atLimit, 'training_certificate')).statusCode).toBe(201);
    expect((await upload(caseId, me, 'cooking.mp4', FILES.mp4(), 'work_video')).json()).toMatchObject({ contentType: 'video/mp4' });
    const rec = await t.app.inject({ method: 'POST', url: `/cases/${caseId}/evidence/records`, headers: me, payload: { kind: 'employer_testimonial', title: 'Phone call', description: 'My employer can confirm by phone.' } });
    expect(rec.json()).toMatchObject({ sha256: null, kind: 'employer_testimonial' });
  });

  it('refuses a non-multipart upload and an unknown kind', async () => {
    const json = await t.app.inject({ method: 'POST', url: `/cases/${caseId}/evidence`, headers: me, payload: { kind: 'work_photo' } });
    expect(json.statusCode).toBe(415);
    const res = await upload(caseId, me, 'x.jpg', FILES.jpeg(), 'selfie');
    expect(res.json().code).toBe('validation_failed');
  });

  it('the sniffer decides from bytes alone', () => {
    expect(sniffEvidence(FILES.jpeg())).toMatchObject({ ok: true, contentType: 'image/jpeg' });
    expect(sniffEvidence(FILES.pdf())).toMatchObject({ ok: true, contentType: 'application/pdf' });
    expect(sniffEvidence(Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 '), Buffer.alloc(8)]))).toMatchObject({ ok: true, contentType: 'image/webp' });
    expect(sniffEvidence(Buffer.from('#!/bin/sh\nrm -rf /'))).toMatchObject({ ok: false, reason: 'executable' });
    expect(sniffEvidence(Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0, 0]))).toMatchObject({ ok: false, reason: 'executable' });
  });
});

/** Starts a multipart upload on a real socket and holds it open after `head` bytes of the file. */
async function startUpload(url: string, id: string, headers: Headers, bytes: Buffer, head: number) {
  const body = multipart({ kind: 'work_photo', title: 'kitchen' }, { name: 'kitchen.jpg', bytes, type: 'image/jpeg' });
  const cut = body.payload.indexOf(bytes) + head;
  const req = http.request(`${url}/cases/${id}/evidence`, { method: 'POST', headers: { ...headers, ...body.headers, 'content-length': String(body.payload.length) } });
  const response = new Promise<{ statusCode: number; body: { code?: string } }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ statusCode: res.statusCode!, body: JSON.parse(text) as { code?: string } }));
    });
    req.on('error', reject);
  });
  req.write(body.payload.subarray(0, cut));
  return { req, response, finish: () => req.end(body.payload.subarray(cut)) };
}

const stagingFiles = () => filesOnDisk().filter((n) => !/^[0-9a-f]{64}$/.test(n));
const rowsOf = async (id: string) => t.db.kysely.selectFrom('evidence_items').select('id').where('case_id', '=', id).execute();

describe(`evidence files are never left behind on ${testDialect}`, () => {
  let url: string;
  beforeAll(async () => {
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });

  it('refuses an upload into a case the uploader may not see before reading it, leaving no file', async () => {
    const other = await f.registerCandidate();
    const otherMe = await f.candidateSession(other.email);
    const before = filesOnDisk();
    const res = await upload(caseId, otherMe, 'mine.jpg', FILES.jpeg());
    expect([res.statusCode, res.json().code]).toEqual([404, 'not_found']);
    expect(filesOnDisk()).toEqual(before);
  });

  it('refuses an upload into a closed portfolio, leaving no file', async () => {
    const c = await f.registerCandidate();
    const cMe = await f.candidateSession(c.email);
    const closed = (await f.openCase(cMe)).id;
    expect((await f.fire(closed, cMe, 'withdraw')).statusCode).toBe(200);
    const before = filesOnDisk();
    const res = await upload(closed, cMe, 'late.jpg', FILES.jpeg());
    expect([res.statusCode, res.json().code]).toEqual([409, 'invalid_transition']);
    expect(filesOnDisk()).toEqual(before);
  });

  it('a transaction that fails after the file was moved into place leaves no file and no blob row', async () => {
    const bytes = FILES.jpeg();
    const hash = crypto.createHash('sha256').update(bytes).digest('hex');
    // A real database failure on the item's insert, after the blob row and the file move.
    if (t.db.dialect === 'sqlite') {
      await sql`create trigger fail_evidence before insert on evidence_items begin select raise(abort, 'disk full'); end`.execute(t.db.kysely);
    } else {
      await sql`create function fail_evidence() returns trigger as $$ begin raise exception 'disk full'; end $$ language plpgsql`.execute(t.db.kysely);
      await sql`create trigger fail_evidence before insert on evidence_items for each row execute function fail_evidence()`.execute(t.db.kysely);
    }
    try {
      const before = filesOnDisk();
      const res = await upload(caseId, me, 'fails.jpg', bytes);
      expect([res.statusCode, res.json().code]).toEqual([500, 'internal']);
      expect(filesOnDisk()).toEqual(before);
      expect(await t.services.rpl.storage.has(hash)).toBe(false);
      expect(await t.db.kysely.selectFrom('evidence_blobs').select('hash').where('hash', '=', hash).execute()).toEqual([]);
    } finally {
      await sql`drop trigger fail_evidence${sql.raw(t.db.dialect === 'postgres' ? ' on evidence_items' : '')}`.execute(t.db.kysely);
      if (t.db.dialect === 'postgres') await sql`drop function fail_evidence()`.execute(t.db.kysely);
    }
  });

  it('a client that aborts mid-upload leaves no file', async () => {
    const before = filesOnDisk();
    const { req, response } = await startUpload(url, caseId, me, Buffer.concat([FILES.jpeg(), Buffer.alloc(3000, 7)]), 1000);
    response.catch(() => undefined);
    await vi.waitFor(() => expect(stagingFiles().length).toBeGreaterThan(0), { timeout: 10_000 });
    req.destroy();
    await vi.waitFor(() => expect(filesOnDisk()).toEqual(before), { timeout: 10_000 });
  });

  it('an upload for an erased returnee is refused; one in flight when the returnee is erased leaves no file and no row', async () => {
    const c = await f.registerCandidate();
    const cMe = await f.candidateSession(c.email);
    const open = (await f.openCase(cMe)).id;
    const before = filesOnDisk();
    const inFlight = await startUpload(url, open, cMe, Buffer.concat([FILES.jpeg(), Buffer.alloc(2000, 9)]), 500);
    await vi.waitFor(() => expect(stagingFiles().length).toBeGreaterThan(0), { timeout: 10_000 });
    // An admin erases on the returnee's request only with a stated reason (the access policy's rule).
    const erased = await t.app.inject({ method: 'POST', url: `/candidates/${c.id}/erasure`, headers: { ...f.admin, 'x-tanda-access-reason': 'erasure requested by the returnee' } });
    // A refused erasure must not leave the upload hanging: it would hold the server open and its staged file would
    // fail the sweep test after this one.
    if (erased.statusCode !== 200) inFlight.req.destroy();
    expect(erased.statusCode).toBe(200);
    inFlight.finish();
    const res = await inFlight.response;
    expect(res.statusCode).toBe(409);
    expect(filesOnDisk()).toEqual(before);
    expect(await rowsOf(open)).toEqual([]);
    // Afterwards, staff who could add evidence before are refused too.
    const late = await upload(open, f.counsellor, 'after.jpg', FILES.jpeg());
    expect(late.statusCode).toBe(409);
    expect(filesOnDisk()).toEqual(before);
  });

  it('the sweep removes files no row references and upload leftovers once older than the grace period, never a referenced or recent one', async () => {
    const storage = t.services.rpl.storage;
    const kept = await upload(caseId, me, 'kept.jpg', FILES.jpeg());
    expect(kept.statusCode).toBe(201);
    const keptHash = kept.json().sha256 as string;
    const orphan = await storage.stage(FILES.png(), LIMIT);
    await storage.promote(orphan);
    const recentOrphan = await storage.stage(FILES.png(), LIMIT);
    await storage.promote(recentOrphan);
    const leftover = await storage.stage(FILES.pdf(), LIMIT);
    const root = path.join(t.dataDir, 'evidence');
    const old = new Date(Date.now() - 2 * 3600_000);
    const blobPath = (h: string) => path.join(root, h.slice(0, 2), h.slice(2, 4), h);
    for (const p of [blobPath(keptHash), blobPath(orphan.sha256), path.join(root, '.staging', leftover.id)]) fs.utimesSync(p, old, old);

    expect(await sweepEvidence(t.services.rpl)).toEqual({ orphansRemoved: 1, stagingRemoved: 1, uploadsRemoved: 0 });
    expect(await storage.has(orphan.sha256)).toBe(false);
    expect(await storage.has(keptHash)).toBe(true);
    expect(await storage.has(recentOrphan.sha256)).toBe(true);
    expect(stagingFiles()).toEqual([]);

    // The CLI command runs the same sweep; with no grace the recent orphan goes too.
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await rplCommand(['sweep-evidence', '--grace-minutes', '0'], t.services);
    const said = stdout.mock.calls.map((c) => String(c[0])).join('');
    stdout.mockRestore();
    expect([code, said]).toEqual([0, 'evidence sweep: 1 orphan file(s), 0 upload leftover(s) and 0 abandoned resumable upload(s) removed\n']);
    expect(await storage.has(recentOrphan.sha256)).toBe(false);
    expect(await storage.has(keptHash)).toBe(true);
  });
});
