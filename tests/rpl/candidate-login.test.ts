import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devLogTransport } from '../../src/outbox/log-transport.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { memoryLog, rplFixture, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

/**
 * The SQL a request runs, recorded by a kysely plugin on the app's own database handle (the routes read
 * `services.db.kysely` per request), compiled without parameter values: what is compared is the work, not the data.
 */
async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const original = t.db.kysely;
  const nodes: RootOperationNode[] = [];
  const recorder: KyselyPlugin = {
    transformQuery: (args) => (nodes.push(args.node), args.node),
    transformResult: async (args) => args.result,
  };
  t.db.kysely = original.withPlugin(recorder);
  try {
    await run();
  } finally {
    t.db.kysely = original;
  }
  // The sign-in limit's counter (shared by instances) is the same statement for any contact and purges expired
  // windows now and then, whoever asks: it is left out of the work compared here.
  return nodes.map((node) => original.getExecutor().compileQuery(node, { queryId: 'recorded' }).sql).filter((sql) => !sql.includes('rate_limits'));
}

const countRows = async (table: 'login_codes' | 'notifications' | 'sign_in_requests') =>
  Number((await t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe(`returnee sign-in by one-time code on ${testDialect}`, () => {
  it('sends a code through the outbox worker, keeps no body once sent, and a code works once', async () => {
    const c = await f.registerCandidate({ email: 'siti@example.org' });
    const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: ' SITI@example.org ' } });
    expect(asked.statusCode).toBe(202);
    expect(await f.deliver()).toMatchObject({ jobs: 1, sent: 1 });
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
    await f.deliver();
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
    expect(await f.deliver()).toMatchObject({ jobs: 1, sent: 0 });
    expect(f.transport.messages.length).toBe(sent);
    expect(await countRows('sign_in_requests')).toBe(0);
  });

  it('the code request does the same work for a registered and an unknown contact: one queued job and no lookup; the worker does the rest after the answer', async () => {
    await f.registerCandidate({ email: 'known@example.org' });
    const codesBefore = await countRows('login_codes');
    const messagesBefore = await countRows('notifications');
    const answers: Record<string, { statusCode: number; keys: string[] }> = {};
    const ask = (contact: string) => async () => {
      const res = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact } });
      answers[contact] = { statusCode: res.statusCode, keys: Object.keys(res.json()) };
    };
    const known = await statementsOf(ask('known@example.org'));
    const unknown = await statementsOf(ask('stranger@example.org'));

    expect(known).toEqual(unknown);
    expect(known).toHaveLength(1);
    expect(known[0]).toMatch(/^insert into "sign_in_requests"/);
    expect(known.join('\n')).not.toMatch(/candidates|login_codes|notifications/);
    expect(answers['known@example.org']).toEqual(answers['stranger@example.org']);
    expect(answers['known@example.org']).toEqual({ statusCode: 202, keys: ['challengeId'] });
    // The answers have gone and nothing has been looked up yet: no code, no message, two identical queued jobs.
    expect([await countRows('login_codes'), await countRows('notifications'), await countRows('sign_in_requests')]).toEqual([codesBefore, messagesBefore, 2]);

    expect(await f.deliver()).toMatchObject({ jobs: 2, sent: 1 });
    expect([await countRows('login_codes'), await countRows('sign_in_requests')]).toEqual([codesBefore + 1, 0]);
    expect(f.transport.messages.at(-1)?.recipient).toBe('known@example.org');
  });

  it('a wrong code costs the same work whether the challenge belongs to a returnee, an unknown contact or nobody', async () => {
    await f.registerCandidate({ email: 'ratna@example.org' });
    const mine = (await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'ratna@example.org' } })).json().challengeId as string;
    const strangers = (await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'ghost@example.org' } })).json().challengeId as string;
    await f.deliver();
    const wrong = f.transport.lastCodeFor('ratna@example.org') === '000000' ? '111111' : '000000';
    const attempt = (challengeId: string) => () => t.app.inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId, code: wrong } });
    const registered = await statementsOf(attempt(mine));
    const unregistered = await statementsOf(attempt(strangers));
    const nobody = await statementsOf(attempt('00000000-0000-4000-8000-000000000000'));
    expect(registered).toEqual(unregistered);
    expect(unregistered).toEqual(nobody);
  });

  it('the development log transport writes the code, and only when it is the configured transport', async () => {
    const log = memoryLog();
    await devLogTransport(log).deliver({ id: 'n1', channel: 'email', recipient: 'siti@example.org', template: 'candidate_sign_in_code', subject: 's', body: 'Your Tanda sign-in code is 424242.' });
    expect(JSON.stringify(log.lines)).toContain('424242');
    expect(log.lines[0]?.msg).toMatch(/NOT sent \(development log transport\)/);
  });

  it('rate-limits the code route per contact', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'flood@example.org' } })).statusCode);
    expect(statuses).toContain(429);
    const limited = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'flood@example.org' } });
    expect(limited.json().code).toBe('rate_limited');
  });
});
