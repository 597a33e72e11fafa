import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { createOutboxWorker, deliveryNotice, transportsFor } from '../../src/outbox/index.js';
import { smtpTransport } from '../../src/outbox/smtp-transport.js';
import { OutboxWorker, safeReason } from '../../src/outbox/worker.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { TEST_DATABASE_URL, testDialect } from '../helpers/db.js';
import { memoryLog, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { startSmtpServer } from './smtp.js';

let t: TestContext;
let f: RplFixture;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

/** Clears the outbox so each test counts only its own messages. */
const emptyOutbox = () => t.db.kysely.deleteFrom('notifications').execute();

async function queue(n: number, channel: 'email' | 'sms' = 'email', extra: { expiresAt?: string } = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(await t.services.rpl.outbox.enqueue(t.db.kysely, { channel, recipient: channel === 'email' ? `r${i}@example.org` : `+6391700000${i}`, template: 'test', subject: `message ${i}`, body: `body ${i}`, ...extra }));
  }
  return ids;
}

describe(`outbox worker with a real SMTP server on ${testDialect}`, () => {
  it('a sign-in code travels from the request through the worker and SMTP, and the returnee signs in with it', async () => {
    const smtp = await startSmtpServer();
    const log = memoryLog();
    const worker = createOutboxWorker(t.services, log, { transports: [smtpTransport(smtp.url, 'Tanda <no-reply@tanda.test>')] });
    try {
      const c = await f.registerCandidate({ email: 'dewi@example.org' });
      const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'dewi@example.org' } });
      expect(asked.statusCode).toBe(202);
      expect(smtp.received).toHaveLength(0);
      expect(await worker.runOnce()).toMatchObject({ sent: 1, failed: 0 });
      expect(smtp.received.map((m) => m.to)).toEqual([['dewi@example.org']]);
      const code = smtp.codeFor('dewi@example.org');
      const ok = await t.app.inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().user.id).toBe(c.userId);
      const row = await t.db.kysely.selectFrom('notifications').selectAll().where('id', '=', smtp.received[0]!.notificationId!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ sent_at: expect.any(String), body: null, lease_owner: null, attempts: 1 });
      // The worker's log says that a message went, never to whom or what.
      expect(JSON.stringify(log.lines)).not.toContain(code);
      expect(JSON.stringify(log.lines)).not.toContain('dewi@');
    } finally {
      await worker.stop();
      await smtp.close();
    }
  });

  it('retries with backoff after the SMTP server refuses, keeps a reason without personal data, and sends once it accepts', async () => {
    await emptyOutbox();
    let refusals = 2;
    const smtp = await startSmtpServer(() => refusals-- > 0);
    let now = new Date('2030-01-01T00:00:00Z');
    const worker = new OutboxWorker({ executor: t.db.kysely, outbox: t.services.rpl.outbox, transports: [smtpTransport(smtp.url, 'no-reply@tanda.test')], log: memoryLog(), clock: () => now, backoffMs: (a) => a * 60_000 });
    try {
      const [id] = await queue(1);
      expect(await worker.runOnce()).toMatchObject({ sent: 0, retrying: 1 });
      let row = await t.db.kysely.selectFrom('notifications').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ sent_at: null, attempts: 1, last_error: 'EMESSAGE 451', available_at: '2030-01-01T00:01:00.000Z', lease_owner: null });
      expect(row.last_error).not.toMatch(/@|body|busy/i);

      // Not due yet: nothing is tried.
      expect(await worker.runOnce()).toMatchObject({ sent: 0, retrying: 0 });
      expect(smtp.refusedCount()).toBe(1);
      now = new Date('2030-01-01T00:01:00Z');
      expect(await worker.runOnce()).toMatchObject({ retrying: 1 });
      row = await t.db.kysely.selectFrom('notifications').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      expect([row.attempts, row.available_at]).toEqual([2, '2030-01-01T00:03:00.000Z']);
      now = new Date('2030-01-01T00:03:00Z');
      expect(await worker.runOnce()).toMatchObject({ sent: 1 });
      expect(smtp.received).toHaveLength(1);
      row = await t.db.kysely.selectFrom('notifications').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ attempts: 3, last_error: null, body: null, sent_at: '2030-01-01T00:03:00.000Z' });
    } finally {
      await worker.stop();
      await smtp.close();
    }
  });

  it('gives up after the attempt cap and clears the body', async () => {
    await emptyOutbox();
    const smtp = await startSmtpServer(() => true);
    let now = new Date('2030-01-02T00:00:00Z');
    const worker = new OutboxWorker({ executor: t.db.kysely, outbox: t.services.rpl.outbox, transports: [smtpTransport(smtp.url, 'no-reply@tanda.test')], log: memoryLog(), clock: () => now, maxAttempts: 3, backoffMs: () => 1000 });
    try {
      const [id] = await queue(1);
      const outcomes = [];
      for (let i = 0; i < 4; i++) {
        outcomes.push(await worker.runOnce());
        now = new Date(now.getTime() + 1000);
      }
      expect(outcomes.map((o) => [o.retrying, o.failed])).toEqual([[1, 0], [1, 0], [0, 1], [0, 0]]);
      expect(smtp.refusedCount()).toBe(3);
      const row = await t.db.kysely.selectFrom('notifications').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ sent_at: null, failed_at: expect.any(String), body: null, attempts: 3, last_error: 'EMESSAGE 451' });
    } finally {
      await worker.stop();
      await smtp.close();
    }
  });

  it('two workers racing over the same outbox send every message exactly once (counted at the SMTP server)', async () => {
    await emptyOutbox();
    const smtp = await startSmtpServer();
    // On PostgreSQL the second worker gets its own connection pool, as a second instance of the service would.
    const second = TEST_DATABASE_URL ? openDatabase({ databaseUrl: TEST_DATABASE_URL, pgSchema: t.db.schema! }) : t.db;
    const make = (executor: typeof t.db.kysely) => new OutboxWorker({ executor, outbox: t.services.rpl.outbox, transports: [smtpTransport(smtp.url, 'no-reply@tanda.test')], log: memoryLog() });
    const a = make(t.db.kysely);
    const b = make(second.kysely);
    try {
      const ids = await queue(12);
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      expect(ra.sent + rb.sent).toBe(12);
      expect(smtp.received).toHaveLength(12);
      expect(new Set(smtp.received.map((m) => m.notificationId))).toEqual(new Set(ids));
      // And nothing is left for anyone to send a second time.
      expect(await a.runOnce()).toMatchObject({ sent: 0 });
      expect(smtp.received).toHaveLength(12);
    } finally {
      await a.stop();
      await b.stop();
      if (second !== t.db) await second.destroy();
      await smtp.close();
    }
  });

  it('concurrent code requests with two workers running deliver every code exactly once (main flushed inside each request and sent some twice)', async () => {
    await emptyOutbox();
    const smtp = await startSmtpServer();
    const a = createOutboxWorker(t.services, memoryLog(), { transports: [smtpTransport(smtp.url, 'no-reply@tanda.test')] });
    const b = createOutboxWorker(t.services, memoryLog(), { transports: [smtpTransport(smtp.url, 'no-reply@tanda.test')] });
    try {
      const emails = ['dbl0', 'dbl1', 'dbl2', 'dbl3', 'dbl4'].map((n) => `${n}@example.org`);
      for (const email of emails) await f.registerCandidate({ email });
      await Promise.all(emails.map((contact) => t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact } })));
      await Promise.all([a.runOnce(), b.runOnce()]);
      await Promise.all([a.runOnce(), b.runOnce()]);
      expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(emails);
      expect(new Set(smtp.received.map((m) => m.notificationId)).size).toBe(5);
    } finally {
      await a.stop();
      await b.stop();
      await smtp.close();
    }
  });

  it('a claim left by a worker that died mid-send is taken over only after its lease, then sent (the documented at-least-once window)', async () => {
    await emptyOutbox();
    const smtp = await startSmtpServer();
    let now = new Date('2030-01-03T00:00:00Z');
    const worker = new OutboxWorker({ executor: t.db.kysely, outbox: t.services.rpl.outbox, transports: [smtpTransport(smtp.url, 'no-reply@tanda.test')], log: memoryLog(), clock: () => now, leaseMs: 60_000 });
    try {
      const [id] = await queue(1);
      // What a worker that crashed after claiming leaves behind.
      await t.db.kysely.updateTable('notifications').set({ lease_owner: 'dead-worker', lease_until: '2030-01-03T00:01:00.000Z', attempts: 1 }).where('id', '=', id!).execute();
      expect(await worker.runOnce()).toMatchObject({ sent: 0 });
      now = new Date('2030-01-03T00:01:00.001Z');
      expect(await worker.runOnce()).toMatchObject({ sent: 1 });
      expect(smtp.received.map((m) => m.notificationId)).toEqual([id]);
    } finally {
      await worker.stop();
      await smtp.close();
    }
  });

  it('an SMS with only SMTP configured stays queued with a clear reason, and is never marked sent', async () => {
    await emptyOutbox();
    const smtp = await startSmtpServer();
    const log = memoryLog();
    const worker = new OutboxWorker({ executor: t.db.kysely, outbox: t.services.rpl.outbox, transports: [smtpTransport(smtp.url, 'no-reply@tanda.test')], log });
    try {
      const [sms] = await queue(1, 'sms');
      const result = await worker.runOnce();
      expect(result).toMatchObject({ sent: 0, held: 1 });
      expect(await worker.runOnce()).toMatchObject({ held: 1 });
      const row = await t.db.kysely.selectFrom('notifications').selectAll().where('id', '=', sms!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ sent_at: null, failed_at: null, attempts: 0, last_error: 'no transport for sms', body: 'body 0' });
      expect(smtp.received).toHaveLength(0);
      // Said once, not every round.
      expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(JSON.stringify(log.lines)).not.toContain('+6391');
    } finally {
      await worker.stop();
      await smtp.close();
    }
  });

  it('with no transport at all everything stays queued; a code that expires before delivery is given up and cleared', async () => {
    await emptyOutbox();
    let now = new Date('2030-01-04T00:00:00Z');
    const worker = new OutboxWorker({ executor: t.db.kysely, outbox: t.services.rpl.outbox, transports: [], log: memoryLog(), clock: () => now });
    const [mail] = await queue(1, 'email', { expiresAt: '2030-01-04T00:10:00.000Z' });
    expect(await worker.runOnce()).toMatchObject({ sent: 0, held: 1 });
    expect((await t.db.kysely.selectFrom('notifications').select('last_error').where('id', '=', mail!).executeTakeFirstOrThrow()).last_error).toBe('no transport for email');
    now = new Date('2030-01-04T00:10:00Z');
    expect(await worker.runOnce()).toMatchObject({ held: 0 });
    const row = await t.db.kysely.selectFrom('notifications').selectAll().where('id', '=', mail!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sent_at: null, failed_at: '2030-01-04T00:10:00.000Z', body: null, last_error: 'expired before delivery' });
  });

  it('a started worker is woken by a code request and stops gracefully', async () => {
    await emptyOutbox();
    const smtp = await startSmtpServer();
    const worker = createOutboxWorker(t.services, memoryLog(), { transports: [smtpTransport(smtp.url, 'no-reply@tanda.test')], intervalMs: 3_600_000 });
    worker.start();
    try {
      await f.registerCandidate({ email: 'woken@example.org' });
      await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'woken@example.org' } });
      // No poll for an hour: only the wake-up after the response can have sent it.
      await expect.poll(() => smtp.received.length, { timeout: 10_000 }).toBe(1);
    } finally {
      await worker.stop();
      await smtp.close();
    }
  });

  it('stored failure reasons carry codes, never server text', () => {
    expect(safeReason(Object.assign(new Error('550 <x@y.example> unknown user'), { code: 'EENVELOPE', responseCode: 550 }))).toBe('EENVELOPE 550');
    expect(safeReason(new Error('connect to siti@example.org failed'))).toBe('delivery_failed');
    expect(safeReason(Object.assign(new Error('x'), { code: 'has space@x' }))).toBe('delivery_failed');
  });
});

describe('notification transport configuration', () => {
  const base = { TANDA_DATA_DIR: '/tmp/tanda-config-test' };
  it('is none by default, SMTP when a URL is given, and the log transport only when asked for', () => {
    expect(loadConfig(base).mail.transport).toBe('none');
    expect(loadConfig({ ...base, TANDA_SMTP_URL: 'smtp://user:secret@mail.example:587' }).mail).toMatchObject({ transport: 'smtp', smtpUrl: 'smtp://user:secret@mail.example:587' });
    expect(loadConfig({ ...base, TANDA_MAIL_TRANSPORT: 'log' }).mail.transport).toBe('log');
    expect(() => loadConfig({ ...base, TANDA_MAIL_TRANSPORT: 'smtp' })).toThrow(/needs TANDA_SMTP_URL/);
    expect(() => loadConfig({ ...base, TANDA_MAIL_TRANSPORT: 'log', TANDA_SMTP_URL: 'smtp://mail.example' })).toThrow(/set TANDA_MAIL_TRANSPORT=smtp/);
    expect(() => loadConfig({ ...base, TANDA_SMTP_URL: 'http://mail.example' })).toThrow(/TANDA_SMTP_URL/);
  });

  it('start-up says clearly when nothing can be delivered, and never prints the SMTP password', () => {
    const log = memoryLog();
    expect(deliveryNotice(transportsFor(loadConfig(base).mail, log))).toMatchObject({ level: 'warn', text: expect.stringMatching(/^NO TRANSPORT: .*stay queued/) });
    const smtp = deliveryNotice(transportsFor(loadConfig({ ...base, TANDA_SMTP_URL: 'smtp://user:secret@mail.example:587' }).mail, log));
    expect(smtp.text).toBe('SMTP smtp://mail.example:587 for email; SMS stays queued (no SMS gateway)');
    expect(deliveryNotice(transportsFor(loadConfig({ ...base, TANDA_MAIL_TRANSPORT: 'log' }).mail, log)).level).toBe('warn');
  });
});
