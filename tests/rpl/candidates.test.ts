import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suppress } from '../../src/rpl/statistics.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { returneeWithAward, routeFetchTo, walletTakesOffer } from '../wallets/wallet-side.js';
import { FILES, housekeepingAssessment, multipart, rplFixture, type Headers, type RplFixture } from './fixtures.js';

let t: TestContext;
let f: RplFixture;

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
});
afterAll(async () => t.close());

/** A returnee with a certified case and a piece of evidence, as the returnee's own session. */
async function certifiedReturnee(): Promise<{ me: Headers; candidateId: string; caseId: string; credentialId: string; sha256: string }> {
  const c = await f.registerCandidate();
  const me = await f.candidateSession(c.email);
  const { id } = await f.openCase(me);
  const up = multipart({ kind: 'work_photo', title: 'At work' }, { name: 'work.jpg', bytes: FILES.jpeg() });
  const ev = (await t.app.inject({ method: 'POST', url: `/cases/${id}/evidence`, headers: { ...me, ...up.headers }, payload: up.payload })).json();
  await f.fire(id, me, 'submit');
  await f.fire(id, f.counsellor, 'start_screening');
  await f.fire(id, f.counsellor, 'accept', { assessorId: f.assessor.userId });
  await t.app.inject({ method: 'POST', url: `/cases/${id}/assessments`, headers: f.assessor, payload: housekeepingAssessment(t.issuer.id, [ev.id]) });
  await f.fire(id, f.assessor, 'decide');
  await f.fire(id, f.moderator, 'confirm');
  const done = await f.fire(id, f.officer, 'certify');
  return { me, candidateId: c.id, caseId: id, credentialId: done.body.credentialId as string, sha256: ev.sha256 };
}

describe(`candidate data on ${testDialect}`, () => {
  it('stores the national ID only as a keyed hash, and catches the same ID typed differently', async () => {
    const c = await f.registerCandidate({ nationalId: 'ab-1234 5678' });
    const row = await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row.national_id_hash).toMatch(/^[0-9a-f]{64}$/);
    // Neither the given nor the normalised form (random UUIDs in the row may well contain "1234" by chance).
    expect(JSON.stringify(row)).not.toMatch(/AB12345678|1234 5678/i);
    const again = await t.app.inject({ method: 'POST', url: '/candidates', headers: f.counsellor, payload: { fullName: 'Same Person', email: 'other@example.org', nationalId: 'AB12345678', consent: { purpose: 'RPL' } } });
    expect([again.statusCode, again.json().code]).toEqual([409, 'already_exists']);
    expect(again.json().message).toContain('national ID');
  });

  it('exports everything held about the candidate, to the candidate', async () => {
    const r = await certifiedReturnee();
    const res = await t.app.inject({ method: 'GET', url: `/candidates/${r.candidateId}/export`, headers: r.me });
    expect(res.statusCode).toBe(200);
    const data = res.json();
    expect(data.candidate).toMatchObject({ id: r.candidateId, sex: 'female', nationalIdOnFile: true, consent: { purpose: expect.any(String) } });
    expect(data.cases[0]).toMatchObject({ id: r.caseId, state: 'certified', evidence: [{ sha256: r.sha256, contentType: 'image/jpeg' }] });
    expect(data.cases[0].unitAssessments).toHaveLength(6);
    expect(data.credentials[0].id).toBe(r.credentialId);
    expect(res.headers['content-disposition']).toContain('attachment');
  });

  it('erasure removes personal data and evidence but the issued credential still verifies', async () => {
    const r = await certifiedReturnee();
    const other = await f.registerCandidate();
    const otherMe = await f.candidateSession(other.email);
    const open = await f.openCase(otherMe);
    expect((await t.app.inject({ method: 'POST', url: `/candidates/${other.id}/erasure`, headers: r.me })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/candidates/${r.candidateId}/erasure`, headers: f.counsellor })).statusCode).toBe(403);

    // An admin erases on the returnee's request only with a stated reason, which goes into the audit chain.
    const unreasoned = await t.app.inject({ method: 'POST', url: `/candidates/${r.candidateId}/erasure`, headers: f.admin });
    expect([unreasoned.statusCode, unreasoned.json().code]).toEqual([403, 'reason_required']);
    const reason = 'erasure request received by letter, ticket 4711';
    const erased = await t.app.inject({ method: 'POST', url: `/candidates/${r.candidateId}/erasure`, headers: { ...f.admin, 'x-tanda-access-reason': reason } });
    expect(erased.json()).toEqual({ evidenceFilesDeleted: 1, keptForCredentials: 1 });
    const reasoned = await t.db.kysely.selectFrom('audit_log').select(['action', 'subject_id', 'data']).where('action', '=', 'access.reasoned').where('subject_id', '=', r.candidateId).execute();
    expect(reasoned.map((e) => [e.action, JSON.parse(e.data)])).toEqual([['access.reasoned', { access: 'candidate.erase', reason }]]);
    const row = await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', r.candidateId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email: null, phone: null, national_id_hash: null, birth_year: null, sex: null, full_name: 'Maricel Dela Cruz' });
    expect(row.erased_at).not.toBeNull();
    expect(await t.services.rpl.storage.has(r.sha256)).toBe(false);
    expect(await t.db.kysely.selectFrom('evidence_items').select('id').where('case_id', '=', r.caseId).execute()).toEqual([]);
    // The session is gone, the account disabled.
    expect((await t.app.inject({ method: 'GET', url: '/candidates/me', headers: r.me })).statusCode).toBe(401);

    const vc = (await t.services.credentials.find(r.credentialId))!.document;
    const verified = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc } });
    expect(verified.json().verified).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/audit/verify', headers: f.admin })).json().valid).toBe(true);

    // Without a credential the name goes too, and open cases are withdrawn.
    await t.app.inject({ method: 'POST', url: `/candidates/${other.id}/erasure`, headers: otherMe });
    const gone = await t.db.kysely.selectFrom('candidates').select('full_name').where('id', '=', other.id).executeTakeFirstOrThrow();
    expect(gone.full_name).toBe('(erased)');
    const kase = await t.db.kysely.selectFrom('rpl_cases').select('state').where('id', '=', open.id).executeTakeFirstOrThrow();
    expect(kase.state).toBe('withdrawn');
  });

  it('withdrawing consent withdraws open cases and blocks new ones', async () => {
    const c = await f.registerCandidate();
    const me = await f.candidateSession(c.email);
    const open = await f.openCase(me);
    const res = await t.app.inject({ method: 'POST', url: `/candidates/${c.id}/consent/withdraw`, headers: me });
    expect(res.json().consent.withdrawnAt).not.toBeNull();
    expect((await t.app.inject({ method: 'GET', url: `/cases/${open.id}`, headers: me })).json().state).toBe('withdrawn');
    const again = await t.app.inject({ method: 'POST', url: '/cases', headers: me, payload: { qualificationId: 'https://tanda.example/qualifications/ph-housekeeping-nc2', issuerId: t.issuer.id } });
    expect([again.statusCode, again.json().code]).toEqual([409, 'precondition_failed']);
  });
});

describe('statistics', () => {
  it('suppresses cells under 5, and a second cell when one alone would be recoverable from the total', () => {
    expect(suppress(new Map([['female', 12], ['male', 7], ['other', 2]]))).toEqual([
      { value: 'female', count: 12, suppressed: false },
      { value: 'male', count: null, suppressed: true },
      { value: 'other', count: null, suppressed: true },
    ]);
    expect(suppress(new Map([['female', 6], ['male', 5]]))).toEqual([
      { value: 'female', count: 6, suppressed: false },
      { value: 'male', count: 5, suppressed: false },
    ]);
  });

  it('counts cases by sex, age band, country, sector, qualification and outcome over HTTP', async () => {
    for (let i = 0; i < 5; i++) {
      const c = await f.registerCandidate({ sex: 'male', birthYear: 1970, countryOfWork: 'AE', consent: { purpose: 'RPL', statistics: true } });
      await f.openCase(await f.candidateSession(c.email));
    }
    const res = await t.app.inject({ method: 'GET', url: '/rpl/statistics', headers: f.officer });
    expect(res.statusCode).toBe(200);
    const stats = res.json();
    expect(Object.keys(stats.dimensions)).toEqual(['sex', 'age_band', 'country_of_work', 'sector', 'qualification', 'outcome']);
    expect(stats.dimensions.sex).toContainEqual({ value: 'male', count: 5, suppressed: false });
    expect(stats.dimensions.age_band).toContainEqual({ value: '55_plus', count: 5, suppressed: false });
    for (const cells of Object.values(stats.dimensions) as Array<Array<{ count: number | null }>>) {
      for (const cell of cells) expect(cell.count === null || cell.count >= 5).toBe(true);
    }
    expect((await t.app.inject({ method: 'GET', url: '/rpl/statistics', headers: f.assessor })).statusCode).toBe(403);
  });

  it('counts only returnees who opted in: one who never did, or withdrew, is left out; withdrawing touches no case and is audited', async () => {
    // A country no other test uses, so this cohort's cell is this test's alone.
    const cohort = async (n: number, statistics?: boolean) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const c = await f.registerCandidate({ countryOfWork: 'BN', consent: { purpose: 'RPL', ...(statistics === undefined ? {} : { statistics }) } });
        const me = await f.candidateSession(c.email);
        out.push({ ...c, me, caseId: (await f.openCase(me)).id });
      }
      return out;
    };
    const brunei = async () => ((await t.app.inject({ method: 'GET', url: '/rpl/statistics', headers: f.officer })).json().dimensions.country_of_work as Array<{ value: string; count: number | null }>).find((c) => c.value === 'BN');
    const counted = await cohort(6, true);
    await cohort(3);
    await cohort(2, false);
    expect((await brunei())?.count).toBe(6);

    const [leaver] = counted;
    const view = (await t.app.inject({ method: 'GET', url: '/candidates/me', headers: leaver!.me })).json();
    expect([view.statisticsConsent.given, typeof view.statisticsConsent.givenAt]).toEqual([true, 'string']);
    const withdrawn = await t.app.inject({ method: 'PUT', url: `/candidates/${leaver!.id}/statistics-consent`, headers: leaver!.me, payload: { given: false } });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect([withdrawn.json().statisticsConsent.given, withdrawn.json().consent.withdrawnAt]).toEqual([false, null]);
    // Five left: still shown (the small-cell rule is unchanged), and the leaver's case goes on.
    expect((await brunei())?.count).toBe(5);
    expect((await t.app.inject({ method: 'GET', url: `/cases/${leaver!.caseId}`, headers: leaver!.me })).json().state).toBe('draft');
    // One more leaves: four is under the minimum cell and suppressed.
    await t.app.inject({ method: 'PUT', url: `/candidates/${counted[1]!.id}/statistics-consent`, headers: counted[1]!.me, payload: { given: false } });
    expect(await brunei()).toEqual({ value: 'BN', count: null, suppressed: true });
    // Given again, counted again.
    await t.app.inject({ method: 'PUT', url: `/candidates/${leaver!.id}/statistics-consent`, headers: leaver!.me, payload: { given: true } });
    expect((await brunei())?.count).toBe(5);

    const entries = await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', leaver!.id).where('action', 'like', 'candidate.statistics_consent%').orderBy('seq').execute();
    expect(entries.map((e) => e.action)).toEqual(['candidate.statistics_consent_withdrawn', 'candidate.statistics_consent_given']);
    // Not the counsellor's to decide for them.
    const staff = await t.app.inject({ method: 'PUT', url: `/candidates/${leaver!.id}/statistics-consent`, headers: f.counsellor, payload: { given: false } });
    expect([staff.statusCode, staff.json().code]).toEqual([403, 'forbidden']);
  });
});

describe('wallet offers in the data export', () => {
  it('the returnee\'s own export lists each wallet offer (credential, protocol, state, when) without any code or handle; a counsellor\'s lists none', async () => {
    const r = await returneeWithAward(t, f);
    const url = `/me/credentials/${encodeURIComponent(r.credentialId)}/wallet-offers`;
    const first = (await t.app.inject({ method: 'POST', url, headers: r.session })).json();
    await f.deliver();
    const txCode = f.transport.lastCodeFor(r.candidate.email);
    const restore = routeFetchTo(t.app, 'https://tanda.test');
    try {
      expect((await walletTakesOffer(first.oid4vci.credentialOfferUri, txCode)).id).toBe(r.credentialId);
    } finally {
      restore();
    }
    const second = (await t.app.inject({ method: 'POST', url, headers: r.session })).json();

    const res = await t.app.inject({ method: 'GET', url: `/candidates/${r.candidate.id}/export`, headers: r.session });
    expect(res.statusCode).toBe(200);
    const offers = res.json().walletOffers as Array<Record<string, unknown>>;
    expect(offers.map((o) => [o.protocol, o.credentialId, o.state])).toEqual([
      ['oid4vci', r.credentialId, 'delivered'],
      ['vcapi', r.credentialId, 'open'],
      ['oid4vci', r.credentialId, 'open'],
      ['vcapi', r.credentialId, 'open'],
    ]);
    expect(Object.keys(offers[0]!).sort()).toEqual(['createdAt', 'credentialId', 'deliveredAt', 'expiresAt', 'protocol', 'redeemedAt', 'state', 'walletDid']);
    expect(typeof offers[0]!.deliveredAt).toBe('string');
    // Neither the pre-authorized codes, the exchange ids, the transaction code nor their stored hashes.
    const handles = [first, second].flatMap((o) => [new URL(decodeURIComponent(o.oid4vci.credentialOfferUri.split('credential_offer_uri=')[1])).pathname.split('/').pop()!, JSON.parse(new URL(o.vcapi.deepLink).searchParams.get('request')!).protocols.vcapi.split('/').pop()!]);
    const stored = await t.db.kysely.selectFrom('wallet_offers').select(['id', 'tx_code_hash', 'challenge']).where('holder_user_id', '=', r.candidate.userId).execute();
    for (const secret of [...handles, txCode, ...stored.flatMap((s) => [s.id, s.tx_code_hash, s.challenge]).filter((x): x is string => !!x)]) expect(res.body).not.toContain(secret);

    const staff = await t.app.inject({ method: 'GET', url: `/candidates/${r.candidate.id}/export`, headers: f.counsellor });
    expect([staff.statusCode, staff.json().walletOffers]).toEqual([200, []]);
  });
});
