import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
