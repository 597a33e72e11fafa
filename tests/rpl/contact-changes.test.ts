import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { rplFixture, type Headers, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

const patch = (id: string, headers: Headers, payload: object) => t.app.inject({ method: 'PATCH', url: `/candidates/${id}`, headers, payload });
const confirm = (id: string, changeId: string, headers: Headers, payload: object) =>
  t.app.inject({ method: 'POST', url: `/candidates/${id}/contact-changes/${changeId}/confirm`, headers, payload });
const messagesTo = (recipient: string) => f.transport.messages.filter((m) => m.recipient === recipient);
const codeIn = (body: string) => /code is (\d{6})/.exec(body)?.[1] as string;
const sessionsOf = async (userId: string) => Number((await t.db.kysely.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow()).n);

describe(`changing a returnee's e-mail or phone on ${testDialect}`, () => {
  it('a counsellor who puts in their own address gets only a confirmation code there: the returnee is told, keeps signing in as before, and no one gets a session', async () => {
    const c = await f.registerCandidate({ email: 'maria@example.org' });
    const sessionsBefore = await sessionsOf(c.userId);
    const res = await patch(c.id, f.counsellor, { email: 'Counsellor.Own@evil.example', sector: 'hotel housekeeping' });
    expect(res.statusCode).toBe(200);
    // Not applied: the profile still has the returnee's address; the other field did change.
    expect(res.json()).toMatchObject({ email: 'maria@example.org', sector: 'hotel housekeeping', pendingContactChanges: [{ field: 'email', id: expect.any(String), expiresAt: expect.any(String) }] });
    const changeId = res.json().pendingContactChanges[0].id as string;
    await f.deliver();

    const [codeMessage] = messagesTo('counsellor.own@evil.example');
    expect(codeMessage).toMatchObject({ template: 'contact_change_code', channel: 'email' });
    const notice = messagesTo('maria@example.org').find((m) => m.template === 'contact_change_notice');
    expect(notice?.body).toContain('c***@evil.example');
    expect(notice?.body).not.toContain('counsellor.own');

    // The counsellor's address is not the returnee's sign-in contact: asking a sign-in code for it yields nothing,
    // and the confirmation code is no sign-in code.
    const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: 'counsellor.own@evil.example' } });
    await f.deliver();
    expect(messagesTo('counsellor.own@evil.example')).toHaveLength(1);
    const takeover = await t.app.inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code: codeIn(codeMessage!.body) } });
    expect(takeover.statusCode).toBe(401);
    // The returnee still signs in with her own address.
    const me = await f.candidateSession('maria@example.org');
    expect((await t.app.inject({ method: 'GET', url: '/candidates/me', headers: me })).json().email).toBe('maria@example.org');
    const sessionsWhilePending = await sessionsOf(c.userId);
    expect(sessionsWhilePending).toBe(sessionsBefore + 1);

    const done = await confirm(c.id, changeId, f.counsellor, { code: codeIn(codeMessage!.body) });
    expect(done.statusCode).toBe(200);
    expect(done.json().email).toBe('counsellor.own@evil.example');
    expect(JSON.stringify(done.json())).not.toMatch(/tss_|token/);
    // Confirming hands no session to anyone, and the returnee's own session is untouched.
    expect(await sessionsOf(c.userId)).toBe(sessionsWhilePending);
    expect((await t.app.inject({ method: 'GET', url: '/candidates/me', headers: me })).statusCode).toBe(200);

    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_id', 'data']).where('subject_id', '=', c.id).where('action', 'like', 'candidate.contact%').orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['candidate.contact_change_requested', 'candidate.contact_changed']);
    expect(audit.map((a) => JSON.parse(a.data))).toEqual([{ field: 'email', changeId }, { field: 'email', changeId }]);
    expect(JSON.stringify(audit)).not.toMatch(/@/);
    expect(await t.db.kysely.selectFrom('contact_changes').selectAll().where('candidate_id', '=', c.id).execute()).toEqual([]);
  });

  it('a returnee changes her own phone: the code goes by SMS to the new number, allows 5 tries, expires and works once', async () => {
    const c = await f.registerCandidate({ email: 'lani@example.org', phone: '+63 917 111 2222' });
    const me = await f.candidateSession('lani@example.org');
    const ask = async () => {
      const res = await patch(c.id, me, { phone: '+63 917 333 4444' });
      expect(res.statusCode).toBe(200);
      await f.deliver();
      return { id: res.json().pendingContactChanges[0].id as string, code: codeIn(messagesTo('+639173334444').at(-1)!.body) };
    };
    const first = await ask();
    expect(messagesTo('+639173334444').at(-1)).toMatchObject({ channel: 'sms', template: 'contact_change_code' });
    expect(messagesTo('+639171112222').at(-1)).toMatchObject({ channel: 'sms', template: 'contact_change_notice' });
    expect(messagesTo('lani@example.org').at(-1)).toMatchObject({ template: 'contact_change_notice' });
    const wrong = first.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await confirm(c.id, first.id, me, { code: wrong })).json().code).toBe('invalid_code');
    expect((await confirm(c.id, first.id, me, { code: first.code })).statusCode).toBe(422);

    const second = await ask();
    await t.db.kysely.updateTable('contact_changes').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', second.id).execute();
    expect((await confirm(c.id, second.id, me, { code: second.code })).json().code).toBe('invalid_code');

    const third = await ask();
    expect((await confirm(c.id, third.id, me, { code: third.code })).json().phone).toBe('+639173334444');
    expect((await confirm(c.id, third.id, me, { code: third.code })).json().code).toBe('invalid_code');
  });

  it('a newer request replaces the pending one', async () => {
    const c = await f.registerCandidate();
    const a = (await patch(c.id, f.counsellor, { email: 'first@example.org' })).json().pendingContactChanges[0].id as string;
    await patch(c.id, f.counsellor, { email: 'second@example.org' });
    await f.deliver();
    expect((await confirm(c.id, a, f.counsellor, { code: codeIn(messagesTo('first@example.org')[0]!.body) })).json().code).toBe('invalid_code');
  });

  it('an address another returnee uses is refused at confirmation, so a request cannot probe who is registered', async () => {
    const other = await f.registerCandidate({ email: 'taken@example.org' });
    const c = await f.registerCandidate();
    const res = await patch(c.id, f.counsellor, { email: 'taken@example.org' });
    expect(res.statusCode).toBe(200);
    await f.deliver();
    const code = codeIn(messagesTo('taken@example.org').at(-1)!.body);
    const clash = await confirm(c.id, res.json().pendingContactChanges[0].id, f.counsellor, { code });
    expect([clash.statusCode, clash.json().code]).toEqual([409, 'already_exists']);
    expect((await t.db.kysely.selectFrom('candidates').select('email').where('id', '=', c.id).executeTakeFirstOrThrow()).email).toBe(c.email);
    expect((await t.db.kysely.selectFrom('candidates').select('email').where('id', '=', other.id).executeTakeFirstOrThrow()).email).toBe('taken@example.org');
  });

  it('removing one of two contacts applies at once with a notice to it; the last one cannot be removed', async () => {
    const c = await f.registerCandidate({ phone: '+62 812 5555 6666' });
    const removed = await patch(c.id, f.counsellor, { phone: null });
    expect(removed.json()).toMatchObject({ phone: null, pendingContactChanges: [] });
    await f.deliver();
    expect(messagesTo('+6281255556666').at(-1)).toMatchObject({ template: 'contact_change_notice' });
    const last = await patch(c.id, f.counsellor, { email: null });
    expect([last.statusCode, last.json().code]).toEqual([400, 'validation_failed']);
    expect((await t.db.kysely.selectFrom('candidates').select('email').where('id', '=', c.id).executeTakeFirstOrThrow()).email).toBe(c.email);
  });

  it('an admin, another body\'s counsellor and an anonymous caller can neither change nor confirm; the confirm route is strict', async () => {
    const c = await f.registerCandidate();
    const admin = await patch(c.id, f.admin, { email: 'admin-set@example.org' });
    expect(admin.statusCode).toBe(403);
    const { createIssuer } = await import('../../src/issuers/issuers.js');
    await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: 'contact-other-body', name: 'Other Body', country: 'ID', didMethod: 'key' });
    const foreign = (await t.login('counsellor', { issuerId: 'contact-other-body' })).headers;
    expect((await patch(c.id, foreign, { email: 'foreign@example.org' })).statusCode).toBe(404);
    expect(await t.db.kysely.selectFrom('contact_changes').selectAll().where('candidate_id', '=', c.id).execute()).toEqual([]);

    const changeId = (await patch(c.id, f.counsellor, { email: 'new-one@example.org' })).json().pendingContactChanges[0].id as string;
    await f.deliver();
    const code = codeIn(messagesTo('new-one@example.org').at(-1)!.body);
    expect((await confirm(c.id, changeId, foreign, { code })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/candidates/${c.id}/contact-changes/${changeId}/confirm`, payload: { code } })).statusCode).toBe(401);
    expect((await confirm(c.id, changeId, f.counsellor, { code, email: 'x@example.org' })).json().code).toBe('unknown_field');
    expect((await confirm(c.id, changeId, f.counsellor, { code: '12345' })).json().code).toBe('validation_failed');
    expect((await confirm(c.id, changeId, f.counsellor, { code })).json().email).toBe('new-one@example.org');
  });

  it('erasure drops pending changes and what is queued for the pending address', async () => {
    const c = await f.registerCandidate();
    const me = await f.candidateSession(c.email);
    await patch(c.id, me, { email: 'pending@example.org' });
    expect(await t.db.kysely.selectFrom('notifications').select('id').where('recipient', '=', 'pending@example.org').where('sent_at', 'is', null).execute()).toHaveLength(1);
    expect((await t.app.inject({ method: 'POST', url: `/candidates/${c.id}/erasure`, headers: me })).statusCode).toBe(200);
    expect(await t.db.kysely.selectFrom('notifications').select('id').where('recipient', '=', 'pending@example.org').execute()).toEqual([]);
    expect(await t.db.kysely.selectFrom('contact_changes').selectAll().where('candidate_id', '=', c.id).execute()).toEqual([]);
  });
});
