import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustBundleService } from '../../src/trust/service.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { issueAward } from '../../src/awards/award-service.js';
import { HOUSEKEEPING, HOUSEKEEPING_UNITS, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { certifiedReturnee } from './fixtures.js';

let t: TestContext;
let f: RplFixture;
let holder: Awaited<ReturnType<typeof certifiedReturnee>>;
beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  holder = await certifiedReturnee(t, f, { fullName: 'Maricel Dela Cruz' });
}, 120_000);
afterAll(async () => t.close());

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const tokenOf = (url: string) => url.split('/s/')[1]!;

describe(`share links and the returnee's certificates on ${testDialect}`, () => {
  it('lists the returnee\'s certificate with its levels, issuer, status and QR text; another returnee cannot see it', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/me/credentials', headers: holder.bearer });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toHaveLength(1);
    expect(list.json()[0]).toMatchObject({ id: holder.credentialId, state: 'active', kind: 'full_qualification', nationalLevel: { framework: 'PQF' }, issuer: { name: 'Test Certifying Body' } });
    expect(list.json()[0].units).toHaveLength(6);
    expect(list.json()[0].qrPayload).toMatch(/^VP1-/);
    const other = await f.candidateSession((await f.registerCandidate()).email);
    expect((await t.app.inject({ method: 'GET', url: '/me/credentials', headers: other })).json()).toEqual([]);
    const peek = await t.app.inject({ method: 'GET', url: `/me/credentials/${encodeURIComponent(holder.credentialId)}`, headers: other });
    expect([peek.statusCode, peek.json().code]).toEqual([404, 'not_found']);
  });

  it('a link opens the public verdict page (VALID, with the link\'s own expiry apart), logs when it was opened, and stops after revoke', async () => {
    const made = await t.app.inject({ method: 'POST', url: '/me/share-links', headers: holder.bearer, payload: { credentialIds: [holder.credentialId], expiresAt: inAWeek() } });
    expect(made.statusCode).toBe(201);
    const { url, id } = made.json();
    expect(url).toMatch(/^https:\/\/tanda\.test\/s\/[A-Za-z0-9_-]{43}$/);
    const page = await t.app.inject({ method: 'GET', url: `/s/${tokenOf(url)}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-verdict="VALID"');
    expect(page.body).toContain('Maricel Dela Cruz');
    expect(page.body).toMatch(/This link works until \d{4}-\d{2}-\d{2}/);
    const fil = await t.app.inject({ method: 'GET', url: `/s/${tokenOf(url)}?lang=fil` });
    expect(fil.body).toContain('<html lang="fil">');
    const listed = (await t.app.inject({ method: 'GET', url: '/me/share-links', headers: holder.bearer })).json();
    expect(listed.find((l: { id: string }) => l.id === id)).toMatchObject({ state: 'active', credentialIds: [holder.credentialId] });
    expect(listed.find((l: { id: string }) => l.id === id).opens).toHaveLength(2);

    const other = await f.candidateSession((await f.registerCandidate()).email);
    const notTheirs = await t.app.inject({ method: 'DELETE', url: `/me/share-links/${id}`, headers: other });
    expect([notTheirs.statusCode, notTheirs.json().code]).toEqual([404, 'not_found']);
    expect((await t.app.inject({ method: 'DELETE', url: `/me/share-links/${id}`, headers: holder.bearer })).statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `/s/${tokenOf(url)}` });
    expect(gone.statusCode).toBe(410);
    expect(gone.body).toContain('This link no longer works');
    expect(gone.body).not.toContain('Maricel');
  });

  it('one link holds several certificates, each with its own verdict, in the order chosen', async () => {
    const second = await issueAward(t.services, { id: f.officer.userId, role: 'certifying_officer', issuerId: t.issuer.id }, {
      issuerId: t.issuer.id, qualificationId: HOUSEKEEPING, achievedUnitIds: HOUSEKEEPING_UNITS.slice(0, 4), holder: { name: 'Maricel Dela Cruz' }, holderUserId: holder.userId,
    });
    const secondId = String(second.credential.id);
    const made = await t.app.inject({ method: 'POST', url: '/me/share-links', headers: holder.bearer, payload: { credentialIds: [secondId, holder.credentialId], expiresAt: inAWeek() } });
    expect(made.json().credentialIds).toEqual([secondId, holder.credentialId]);
    const page = await t.app.inject({ method: 'GET', url: `/s/${tokenOf(made.json().url)}` });
    expect([...page.body.matchAll(/<section class="verdict" data-verdict="(\w+)">/g)].map((m) => m[1])).toEqual(['VALID', 'VALID']);
    // The statement of attainment (4 units) first, then the full qualification (6).
    expect([...page.body.matchAll(/Units of competency \((\d+)\)/g)].map((m) => m[1])).toEqual(['4', '6']);
  });

  it('an expired link stops working; an unknown one is not found', async () => {
    const made = (await t.app.inject({ method: 'POST', url: '/me/share-links', headers: holder.bearer, payload: { credentialIds: [holder.credentialId], expiresAt: inAWeek() } })).json();
    await t.db.kysely.updateTable('share_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', made.id).execute();
    expect((await t.app.inject({ method: 'GET', url: `/s/${tokenOf(made.url)}` })).statusCode).toBe(410);
    expect((await t.app.inject({ method: 'GET', url: `/s/${'x'.repeat(43)}` })).statusCode).toBe(404);
  });

  it('refuses a link to someone else\'s certificate, a past expiry, and one beyond a year', async () => {
    const other = await f.candidateSession((await f.registerCandidate()).email);
    const theirs = await t.app.inject({ method: 'POST', url: '/me/share-links', headers: other, payload: { credentialIds: [holder.credentialId], expiresAt: inAWeek() } });
    expect([theirs.statusCode, theirs.json().code]).toEqual([404, 'not_found']);
    const past = await t.app.inject({ method: 'POST', url: '/me/share-links', headers: holder.bearer, payload: { credentialIds: [holder.credentialId], expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect([past.statusCode, past.json().code]).toEqual([400, 'validation_failed']);
    const far = await t.app.inject({ method: 'POST', url: '/me/share-links', headers: holder.bearer, payload: { credentialIds: [holder.credentialId], expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() } });
    expect([far.statusCode, far.json().code]).toEqual([400, 'validation_failed']);
    const staff = await t.app.inject({ method: 'POST', url: '/me/share-links', headers: f.officer, payload: { credentialIds: [holder.credentialId], expiresAt: inAWeek() } });
    expect([staff.statusCode, staff.json().code]).toEqual([403, 'forbidden']);
  });

  it('after a name correction the old certificate says it was replaced, the link shows the new one, and a revoked one shows its reason', async () => {
    const r = await certifiedReturnee(t, f, { fullName: 'Ana Santos' });
    const link = (await t.app.inject({ method: 'POST', url: '/me/share-links', headers: r.bearer, payload: { credentialIds: [r.credentialId], expiresAt: inAWeek() } })).json();
    const reissued = await t.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(r.credentialId)}/reissue`, headers: f.officer, payload: { holderName: 'Ana Santos Reyes', note: 'name corrected' } });
    expect(reissued.statusCode).toBe(201);
    const newId = reissued.json().verifiableCredential.id as string;
    const cards = (await t.app.inject({ method: 'GET', url: '/me/credentials', headers: r.bearer })).json() as Array<{ id: string; state: string; replacedBy: { id: string } | null; holderName: string }>;
    expect(cards.find((c) => c.id === r.credentialId)).toMatchObject({ state: 'replaced', replacedBy: { id: newId } });
    expect(cards.find((c) => c.id === newId)).toMatchObject({ state: 'active', holderName: 'Ana Santos Reyes' });
    const page = await t.app.inject({ method: 'GET', url: `/s/${tokenOf(link.url)}` });
    expect(page.body).toContain('Ana Santos Reyes');
    expect(page.body).toContain('data-verdict="VALID"');

    const revoked = await t.app.inject({ method: 'POST', url: '/credentials/status', headers: f.officer, payload: { credentialId: newId, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true, reason: 'error', note: 'internal note' } });
    expect(revoked.statusCode).toBe(200);
    const card = (await t.app.inject({ method: 'GET', url: `/me/credentials/${encodeURIComponent(newId)}`, headers: r.bearer })).json();
    expect(card).toMatchObject({ state: 'revoked', revocation: { reason: 'error' } });
    expect(JSON.stringify(card)).not.toContain('internal note');
    // The page judges with the published trust bundle, as an employer's verifier does; it is rebuilt on its own
    // schedule (a minute), which the test does not wait for.
    trustBundleService(t.services).invalidate();
    expect((await t.app.inject({ method: 'GET', url: `/s/${tokenOf(link.url)}` })).body).toContain('data-verdict="INVALID"');
  });
});

describe(`share links in the returnee's own data on ${testDialect}`, () => {
  it('are in the returnee\'s export with their openings, not in a counsellor\'s; erasure removes them and the page stops', async () => {
    const r = await certifiedReturnee(t, f, { fullName: 'Lorna Bautista' });
    const link = (await t.app.inject({ method: 'POST', url: '/me/share-links', headers: r.bearer, payload: { credentialIds: [r.credentialId], expiresAt: new Date(Date.now() + 86_400_000).toISOString() } })).json();
    await t.app.inject({ method: 'GET', url: `/s/${link.url.split('/s/')[1]}` });
    const own = (await t.app.inject({ method: 'GET', url: `/candidates/${r.id}/export`, headers: r.bearer })).json();
    expect(own.shareLinks).toEqual([expect.objectContaining({ id: link.id, credentialIds: [r.credentialId], openedAt: [expect.any(String)] })]);
    const staff = (await t.app.inject({ method: 'GET', url: `/candidates/${r.id}/export`, headers: f.counsellor })).json();
    expect(staff.shareLinks).toEqual([]);
    expect((await t.app.inject({ method: 'POST', url: `/candidates/${r.id}/erasure`, headers: r.bearer })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/s/${link.url.split('/s/')[1]}` })).statusCode).toBe(404);
    expect(await t.db.kysely.selectFrom('share_link_opens').selectAll().where('link_id', '=', link.id).execute()).toEqual([]);
  });
});
