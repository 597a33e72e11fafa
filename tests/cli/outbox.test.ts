import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { outboxCommand } from '../../src/cli/outbox.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { startSmtpServer } from '../outbox/smtp.js';
import { rplFixture, type RplFixture } from '../rpl/fixtures.js';

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let t: TestContext;
let f: RplFixture;

async function run(context: TestContext, argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
  try {
    const code = await outboxCommand(argv, context.services);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestContext({ TANDA_SMTP_URL: smtp.url, TANDA_MAIL_FROM: 'Tanda <no-reply@tanda.test>' });
  f = await rplFixture(t);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe(`tanda outbox flush on ${testDialect}`, () => {
  it('turns a queued sign-in request into a code and mails it through the configured SMTP server, logging neither', async () => {
    await f.registerCandidate({ email: 'cli@example.org' });
    await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'cli@example.org' } });
    const r = await run(t, ['flush']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ jobs: 1, sent: 1, failed: 0 });
    expect(r.stderr).toContain(`notifications: SMTP ${smtp.url} for email`);
    const code = smtp.codeFor('cli@example.org');
    expect(r.stderr).not.toContain(code);
    expect(r.stderr).not.toContain('cli@example.org');
  });

  it('without a transport it says so and leaves everything queued', async () => {
    const bare = await createTestContext();
    try {
      await bare.services.rpl.outbox.enqueue(bare.db.kysely, { channel: 'email', recipient: 'x@example.org', template: 'test', subject: 's', body: 'b' });
      const r = await run(bare, ['flush']);
      expect(r.stderr).toMatch(/NO TRANSPORT/);
      expect(JSON.parse(r.stdout)).toMatchObject({ sent: 0, held: 1 });
    } finally {
      await bare.close();
    }
  });

  it('prints usage for an unknown subcommand', async () => {
    const r = await run(t, ['send-everything']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('usage: tanda outbox')]);
  });
});
