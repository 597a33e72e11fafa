import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logTransport } from '../../src/rpl/notifications.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { rplFixture, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

describe(`returnee sign-in by one-time code on ${testDialect}`, () => {
  it('sends a code through the outbox, keeps no body once sent, and a code works once', async () => {
    const c = await f.registerCandidate({ email: 'siti@example.org' });
    const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: ' SITI@example.org ' } });
    expect(asked.statusCode).toBe(202);
    const code = f.transport.lastCodeFor('siti@example.org');
    const row = await t.db.kysely.selectFrom('notifications').selectAll().where('recipient', '=', 'siti@example.org').executeTakeFirstOrThrow();
    expect(row.sent_at).not.toBeNull();
    expect(row.body).toBeNull();
    const stored = await t.db.kysely.selectFrom('login_codes').select(['code_hash']).where('id', '=', asked.json().challengeId).executeTakeFirstOrThrow();
    expect(stored.code_hash).not.toContain(code);

    const ok = await t.app.inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code } });
    expect(ok.statusCode).toBe(200);
    const me = await t.app.inject({ method: 'GET', url: '/candidates/me', headers: { authorization: `Bearer ${ok.json().token}` } });
    expect(me.json()).toMatchObject({ id: c.id, nationalIdOnFile: true });
    expect(JSON.stringify(me.json())).not.toMatch(/PSN-/);
    const reuse = await t.app.inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code } });
    expect(reuse.json().code).toBe('invalid_credentials');
  });

  it('locks a challenge after 5 wrong codes; an unknown contact gets the same answer and no message', async () => {
    await f.registerCandidate({ email: 'budi@example.org' });
    const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'budi@example.org' } });
    const code = f.transport.lastCodeFor('budi@example.org');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      expect((await t.app.inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code: wrong } })).statusCode).toBe(401);
    }
    expect((await t.app.inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code } })).statusCode).toBe(401);

    const sent = f.transport.messages.length;
    const unknown = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'nobody@example.org' } });
    expect(unknown.statusCode).toBe(202);
    expect(Object.keys(unknown.json())).toEqual(['challengeId']);
    expect(f.transport.messages.length).toBe(sent);
  });

  it('the default log transport logs the message without the code at info level', async () => {
    const lines: Array<{ level: string; obj: object; msg: string }> = [];
    const log = { info: (obj: object, msg: string) => lines.push({ level: 'info', obj, msg }), debug: (obj: object, msg: string) => lines.push({ level: 'debug', obj, msg }) };
    await logTransport.deliver({ id: 'n1', channel: 'email', recipient: 'siti@example.org', template: 'candidate_sign_in_code', subject: 's', body: 'Your Tanda sign-in code is 424242.' }, log);
    const info = lines.filter((l) => l.level === 'info');
    expect(info).toHaveLength(1);
    expect(JSON.stringify(info)).not.toContain('424242');
    expect(JSON.stringify(info)).not.toContain('siti@');
    expect(JSON.stringify(lines.filter((l) => l.level === 'debug'))).toContain('424242');
  });

  it('rate-limits the code route per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'flood@example.org' } })).statusCode);
    expect(statuses).toContain(429);
    const limited = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'flood@example.org' } });
    expect(limited.json().code).toBe('rate_limited');
  });
});
