import crypto from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAward } from '../../src/awards/award-service.js';
import { createApiTokenRow, createUser } from '../../src/auth/tokens.js';
import { nowIso } from '../../src/db/database.js';
import type { Role } from '../../src/db/schema.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import type { Actor } from '../../src/policy/policy.js';
import { CertificationBatchWorker, createCertificationBatch } from '../../src/rpl/certification-batch.js';
import { hashPassword } from '../../src/rpl/passwords.js';
import { createSession } from '../../src/rpl/sessions.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge } from '../helpers/credentials.js';
import { setIssuerProfile } from '../../src/issuers/profile.js';
import { testDialect } from '../helpers/db.js';
import { createWalletOffers } from '../../src/wallets/offers.js';
import { caseAtState, FILES, HOUSEKEEPING, HOUSEKEEPING_UNITS, housekeepingAssessment, memoryLog, multipart, rplFixture, type RplFixture } from '../rpl/fixtures.js';
import { syncEvents } from '../../src/console/sync.js';

/*
 * The access grid: every HTTP route of the app × every kind of caller (each staff role of the resource's own body,
 * of another body and of none; the returnee whose data it is and another one; an admin with and without a stated
 * reason; nobody). Allowed calls succeed (2xx); every other one is refused with the code written here — written by
 * hand, not derived from src/policy. A route the app serves that is missing here fails the first test: a new route
 * is done when its row is in this table.
 */

const STAFF: Exclude<Role, 'candidate'>[] = ['admin', 'certifying_officer', 'assessor', 'moderator', 'counsellor'];
const BODIES = ['own', 'other', 'none'] as const;
type StaffWho = `${Exclude<Role, 'candidate'>}@${(typeof BODIES)[number]}`;
type Who = 'anonymous' | 'candidate:own' | 'candidate:other' | 'admin+reason' | StaffWho;
const STAFF_WHO: Who[] = STAFF.flatMap((r) => BODIES.map((b) => `${r}@${b}` as StaffWho));
const WHO: Who[] = ['anonymous', 'candidate:own', 'candidate:other', 'admin+reason', ...STAFF_WHO];

const ADMINS: Who[] = ['admin@own', 'admin@other', 'admin@none'];
const OWN_STAFF: Who[] = ['certifying_officer@own', 'assessor@own', 'moderator@own', 'counsellor@own'];
/** Staff of another body or of none, and another returnee: a returnee's data is not theirs to know of. */
const OUTSIDERS: Who[] = ['candidate:other', ...(['certifying_officer', 'assessor', 'moderator', 'counsellor'] as const).flatMap((r) => [`${r}@other`, `${r}@none`] as Who[])];
const SIGNED_IN: Who[] = WHO.filter((w) => w !== 'anonymous');
const ALL_ADMINS: Who[] = [...ADMINS, 'admin+reason'];

/** A returnee's data (profile, case, evidence, credential): the returnee, their body's staff, an admin with a reason. */
const RETURNEE_READ = { ok: ['candidate:own', ...OWN_STAFF, 'admin+reason'] as Who[], hidden: OUTSIDERS, reason: ADMINS };
/** A change to a case or its parts by `who` of the case's body; outsiders do not learn it exists. */
const caseWork = (...ok: Who[]) => ({ ok, hidden: OUTSIDERS });

interface Row {
  route: string;
  /** Answered 2xx. */
  ok: Who[];
  /** 404 not_found: outside the caller's reach. */
  hidden?: Who[];
  /** 403 reason_required: an admin without a stated reason. */
  reason?: Who[];
  /** What success is when it is not 2xx (a redirect). */
  success?: number;
  /** Builds the call (`ok`: whether it should succeed, so a call that changes something gets a fresh resource).
   * Everyone not listed above is refused with 403 forbidden; anonymous (unless in `ok`) with 401. */
  request: (who: Who, ok: boolean) => Promise<Omit<InjectOptions, 'method'>> | Omit<InjectOptions, 'method'>;
}

let t: TestContext;
let f: RplFixture;
const headers = new Map<Who, Record<string, string>>();
const actors = new Map<Who, Actor>();
let own: { candidateId: string; userId: string; email: string };
let other: { candidateId: string; userId: string };
let caseId: string;
let draftCaseId: string;
let evidenceId: string;
let credentialId: string;
let verifyCode: string;
let qrText: string;
let listId: string;
let signedVc: Record<string, unknown>;
const OTHER_BODY = 'grid-other-body';
const bodyOf = (who: Who): string | null => (who.endsWith('@own') ? 'test-body' : who.endsWith('@other') ? OTHER_BODY : null);

const session = async (userId: string) => ({ authorization: `Bearer ${(await createSession(t.db.kysely, userId, 60)).token}` });

async function registerReturnee(): Promise<{ candidateId: string; userId: string; email: string }> {
  const r = await f.registerCandidate();
  return { candidateId: r.id, userId: r.userId, email: r.email };
}

/** A case of `own` at the own body, put straight into `state`, assigned to the own body's assessor, every unit decided. */
async function caseIn(state: string, candidateId = own.candidateId): Promise<string> {
  return caseAtState(t, state, {
    candidateId, assessorId: actors.get('assessor@own')!.id, outcome: state === 'decided' || state === 'moderated' ? 'full_qualification' : null,
    units: ['draft', 'submitted', 'screening'].includes(state) ? null : undefined,
  });
}

/** A credential of `own`, issued by the own body as the award of a case (a fresh one for each call that changes it). */
async function freshCredential(): Promise<string> {
  const award = await issueAward(t.services, actors.get('certifying_officer@own')!, {
    issuerId: t.issuer.id, qualificationId: HOUSEKEEPING, achievedUnitIds: HOUSEKEEPING_UNITS, holder: { name: 'Maricel Dela Cruz' }, holderUserId: own.userId,
  });
  return String(award.credential.id);
}

/** A fresh wallet offer for `own`'s credential (made by the domain, not the rate-limited route), with its handles. */
async function walletOffer(): Promise<{ code: string; exchange: string; txCode: string }> {
  const { db, credentials, rpl, documentLoader, config } = t.services;
  const offers = await createWalletOffers({ db, credentials, outbox: rpl.outbox, documentLoader, publicUrl: config.publicUrl }, { id: own.userId, role: 'candidate', issuerId: null }, credentialId);
  await f.deliver();
  const offerUri = new URLSearchParams(offers.oid4vci.credentialOfferUri.split('?')[1]).get('credential_offer_uri')!;
  const exchange = (JSON.parse(new URL(offers.vcapi.deepLink).searchParams.get('request')!) as { protocols: { vcapi: string } }).protocols.vcapi;
  return { code: offerUri.split('/').pop()!, exchange: exchange.split('/').pop()!, txCode: f.transport.lastCodeFor(own.email) };
}
const tokenForm = (o: { code: string; txCode: string }) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': o.code, tx_code: o.txCode }).toString(),
});
/** A share link of `own` to their credential (made as they would, through the API). */
async function newShareLink(): Promise<{ id: string; url: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/me/share-links', headers: headers.get('candidate:own')!, payload: { credentialIds: [credentialId], expiresAt: new Date(Date.now() + 86_400_000).toISOString() } });
  return res.json();
}
const ownShareLink = async () => (await newShareLink()).id;
let shareToken: string | undefined;
/** An upload session of `own` on their case in assessment. */
async function ownUpload(size: number): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/me/uploads', headers: headers.get('candidate:own')!, payload: { caseId, kind: 'work_photo', title: 'Photo', fileName: 'photo.jpg', size } });
  return res.json().id;
}
/** A certification batch of the own body (made once). */
let batchId: string | undefined;
async function ownBatch(): Promise<string> {
  batchId ??= (await createCertificationBatch(t.services.rpl, actors.get('certifying_officer@own')!, { caseIds: [await caseIn('moderated')] })).id;
  return batchId;
}

/** A certification batch of the own body whose case is certified (made once): something to print. */
let printedBatchId: string | undefined;
async function printedBatch(): Promise<string> {
  if (!printedBatchId) {
    printedBatchId = (await createCertificationBatch(t.services.rpl, actors.get('certifying_officer@own')!, { caseIds: [await caseIn('moderated')] })).id;
    await new CertificationBatchWorker(t.services.rpl, { log: memoryLog(), batchId: printedBatchId }).runOnce();
  }
  return printedBatchId;
}
/** A unit judgement from the console's offline day, on `forCase` as at `baseVersion`. */
const offlineEvent = (forCase: string, baseVersion: number) => ({
  id: crypto.randomUUID(), caseId: forCase, baseVersion, recordedAt: nowIso(), type: 'unit_decision' as const, assessedOn: nowIso().slice(0, 10), country: 'HK',
  unit: { unitId: HOUSEKEEPING_UNITS[0]!, methods: ['observation' as const], evidenceIds: [], quality: { valid: true, authentic: true, current: true, sufficient: true }, decision: 'competent' as const, notes: null },
});
/** A fresh open sync conflict of the own body's assessor: an event from a version the case has since left. */
async function ownConflict(): Promise<string> {
  const result = await syncEvents(t.services.rpl, actors.get('assessor@own')!, [offlineEvent(await caseIn('assessment'), 99)]);
  return (result.results[0] as { conflictId: string }).conflictId;
}
let sharedConflict: string | undefined;

/** What each role fires on a case in the state where the table lets that role act. */
const EVENT_OF: Record<Role, [state: string, event: string]> = {
  candidate: ['draft', 'submit'],
  counsellor: ['submitted', 'start_screening'],
  assessor: ['assessment', 'decide'],
  moderator: ['decided', 'confirm'],
  certifying_officer: ['moderated', 'certify'],
  admin: ['submitted', 'start_screening'],
};
const roleOf = (who: Who): Role => (who === 'anonymous' || who.startsWith('candidate') ? 'candidate' : who === 'admin+reason' ? 'admin' : (who.split('@')[0] as Role));

const get = (url: () => string) => () => ({ url: url() });
const unique = () => crypto.randomBytes(4).toString('hex');
/** Each imported mapping table starts later than the last (a new table supersedes, never overlaps, the previous). */
let mappingDay = 0;
let cohortDay = 0;

const GRID: Row[] = [
  // Public: verification, the registry, the web verifier, sign-in, API docs.
  { route: 'GET /health', ok: WHO, request: get(() => '/health') },
  { route: 'GET /ready', ok: WHO, request: get(() => '/ready') },
  { route: 'POST /credentials/verify', ok: WHO, request: () => ({ url: '/credentials/verify', payload: { verifiableCredential: signedVc } }) },
  { route: 'POST /presentations/verify', ok: WHO, request: () => ({ url: '/presentations/verify', payload: { verifiablePresentation: { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [signedVc] } } }) },
  { route: 'GET /check/:code', ok: WHO, request: get(() => `/check/${verifyCode}`) },
  { route: 'POST /verify/qr', ok: WHO, request: () => ({ url: '/verify/qr', payload: { payload: qrText } }) },
  { route: 'GET /trust-bundle', ok: WHO, request: get(() => '/trust-bundle') },
  { route: 'GET /trust-bundle/authority', ok: WHO, request: get(() => '/trust-bundle/authority') },
  { route: 'GET /verify', ok: WHO, request: get(() => '/verify') },
  { route: 'GET /verify/app.js', ok: WHO, request: get(() => '/verify/app.js') },
  { route: 'GET /verify/app.css', ok: WHO, request: get(() => '/verify/app.css') },
  { route: 'GET /verify/pdf.mjs', ok: WHO, request: get(() => '/verify/pdf.mjs') },
  { route: 'GET /verify/pdf.worker.mjs', ok: WHO, request: get(() => '/verify/pdf.worker.mjs') },
  { route: 'GET /verify/sw.js', ok: WHO, request: get(() => '/verify/sw.js') },
  { route: 'GET /verify/zxing_reader.wasm', ok: WHO, request: get(() => '/verify/zxing_reader.wasm') },
  { route: 'GET /verify/offline.html', ok: WHO, request: get(() => '/verify/offline.html') },
  { route: 'GET /status/:listId', ok: WHO, request: get(() => `/status/${listId}`) },
  { route: 'GET /issuers', ok: WHO, request: get(() => '/issuers') },
  { route: 'GET /issuers/:id/did.json', ok: WHO, request: get(() => `/issuers/${OTHER_BODY}/did.json`) },
  { route: 'GET /issuers/:id/profile', ok: WHO, request: get(() => `/issuers/${OTHER_BODY}/profile`) },
  { route: 'GET /issuers/:id/accreditations', ok: WHO, request: get(() => `/issuers/${OTHER_BODY}/accreditations`) },
  { route: 'GET /assessment-centres', ok: WHO, request: get(() => `/assessment-centres?issuerId=${t.issuer.id}`) },
  { route: 'GET /frameworks', ok: WHO, request: get(() => '/frameworks') },
  { route: 'GET /frameworks/:id', ok: WHO, request: get(() => '/frameworks/ph-pqf') },
  { route: 'GET /qualifications', ok: WHO, request: get(() => '/qualifications') },
  { route: 'GET /qualifications/:id', ok: WHO, request: get(() => '/qualifications/ph-housekeeping-nc2') },
  { route: 'GET /docs', ok: WHO, request: get(() => '/docs') },
  { route: 'GET /docs/json', ok: WHO, request: get(() => '/docs/json') },
  { route: 'GET /docs/yaml', ok: WHO, request: get(() => '/docs/yaml') },
  { route: 'GET /docs/static/index.html', ok: WHO, success: 302, request: get(() => '/docs/static/index.html') },
  { route: 'GET /docs/static/swagger-initializer.js', ok: WHO, request: get(() => '/docs/static/swagger-initializer.js') },
  { route: 'GET /docs/*', ok: WHO, request: get(() => '/docs/static/swagger-ui.css') },
  {
    route: 'POST /auth/login',
    ok: WHO,
    request: async () => {
      const email = `staff-${unique()}@grid.example`;
      await createUser(t.db.kysely, { name: 'Grid', email, role: 'moderator', issuerId: t.issuer.id, passwordHash: await hashPassword('a long enough secret') });
      return { url: '/auth/login', payload: { email, password: 'a long enough secret' } };
    },
  },
  { route: 'POST /auth/candidate/code', ok: WHO, request: () => ({ url: '/auth/candidate/code', payload: { contact: `nobody-${unique()}@grid.example` } }) },
  {
    route: 'POST /auth/candidate/verify',
    ok: WHO,
    request: async () => {
      const r = await registerReturnee();
      const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: r.email } });
      await f.deliver();
      return { url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code: f.transport.lastCodeFor(r.email) } };
    },
  },

  // The staff console: page and assets public; its session says what the policy offers the caller, so anyone
  // with nothing to do there (a returnee, staff of no body) is refused.
  { route: 'GET /console', ok: WHO, request: get(() => '/console') },
  { route: 'GET /console/app.js', ok: WHO, request: get(() => '/console/app.js') },
  { route: 'GET /console/app.css', ok: WHO, request: get(() => '/console/app.css') },
  { route: 'GET /console/sw.js', ok: WHO, request: get(() => '/console/sw.js') },
  {
    route: 'POST /console/session',
    ok: WHO,
    request: async () => {
      const email = `staff-${unique()}@grid.example`;
      await createUser(t.db.kysely, { name: 'Grid', email, role: 'assessor', issuerId: t.issuer.id, passwordHash: await hashPassword('a long enough secret') });
      return { url: '/console/session', payload: { email, password: 'a long enough secret' } };
    },
  },
  { route: 'GET /console/session', ok: [...ALL_ADMINS, ...STAFF_WHO.filter((w) => !w.startsWith('admin@') && !w.endsWith('@none'))], request: get(() => '/console/session') },
  { route: 'DELETE /console/session', ok: SIGNED_IN, request: get(() => '/console/session') },
  // It ends every session of the caller's account: a returnee here is a throwaway one, so the grid's own returnees
  // keep theirs (staff call with API tokens, which it leaves alone).
  { route: 'POST /console/session/everywhere', ok: SIGNED_IN, request: async (who) => ({ url: '/console/session/everywhere', ...(who.startsWith('candidate:') ? { headers: await session((await registerReturnee()).userId) } : {}) }) },

  // The returnee space: page and assets public; the API only ever the caller's own file (staff and admins: 403).
  { route: 'GET /me', ok: WHO, request: get(() => '/me') },
  { route: 'GET /me/app.js', ok: WHO, request: get(() => '/me/app.js') },
  { route: 'GET /me/app.css', ok: WHO, request: get(() => '/me/app.css') },
  { route: 'GET /me/sw.js', ok: WHO, request: get(() => '/me/sw.js') },
  {
    route: 'POST /me/session',
    ok: WHO,
    request: async () => {
      const r = await registerReturnee();
      const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: r.email } });
      await f.deliver();
      return { url: '/me/session', payload: { challengeId: asked.json().challengeId, code: f.transport.lastCodeFor(r.email) } };
    },
  },
  { route: 'GET /me/session', ok: ['candidate:own', 'candidate:other'], request: get(() => '/me/session') },
  { route: 'DELETE /me/session', ok: SIGNED_IN, request: get(() => '/me/session') },
  { route: 'GET /me/credentials', ok: ['candidate:own', 'candidate:other'], request: get(() => '/me/credentials') },
  { route: 'GET /me/credentials/:id', ok: ['candidate:own'], hidden: ['candidate:other'], request: get(() => `/me/credentials/${encodeURIComponent(credentialId)}`) },
  { route: 'POST /me/share-links', ok: ['candidate:own'], hidden: ['candidate:other'], request: () => ({ url: '/me/share-links', payload: { credentialIds: [credentialId], expiresAt: new Date(Date.now() + 86_400_000).toISOString() } }) },
  { route: 'GET /me/share-links', ok: ['candidate:own', 'candidate:other'], request: get(() => '/me/share-links') },
  { route: 'DELETE /me/share-links/:id', ok: ['candidate:own'], hidden: ['candidate:other'], request: async () => ({ url: `/me/share-links/${await ownShareLink()}` }) },
  // Public by its secret: anyone holding the link sees what it holds, and nothing else.
  { route: 'GET /s/:token', ok: WHO, request: async () => ({ url: `/s/${shareToken ??= (await newShareLink()).url.split('/s/')[1]!}` }) },
  { route: 'POST /me/uploads', ok: ['candidate:own'], hidden: ['candidate:other'], request: () => ({ url: '/me/uploads', payload: { caseId, kind: 'work_photo', title: 'Photo', fileName: 'photo.jpg', size: 100 } }) },
  { route: 'GET /me/uploads/:id', ok: ['candidate:own'], hidden: ['candidate:other'], request: async () => ({ url: `/me/uploads/${await ownUpload(100)}` }) },
  {
    route: 'PATCH /me/uploads/:id',
    ok: ['candidate:own'],
    hidden: ['candidate:other'],
    request: async () => {
      const bytes = FILES.jpeg();
      return { url: `/me/uploads/${await ownUpload(bytes.length)}`, headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, payload: bytes };
    },
  },

  // Any signed-in caller.
  // Logging out ends a session: the returnees log out of a session of their own, not the one the grid uses.
  { route: 'POST /auth/logout', ok: SIGNED_IN, request: async (who) => ({ url: '/auth/logout', ...(who.startsWith('candidate:') ? { headers: await session(who === 'candidate:own' ? own.userId : other.userId) } : {}) }) },
  { route: 'GET /auth/me', ok: SIGNED_IN, request: get(() => '/auth/me') },
  { route: 'GET /cases', ok: SIGNED_IN, request: get(() => '/cases') },
  // Lists show each caller what their scope holds (an admin without a reason: nothing), so every signed-in caller gets 200.
  { route: 'GET /candidates', ok: SIGNED_IN, request: get(() => '/candidates?q=maricel') },
  { route: 'GET /candidates/me', ok: ['candidate:own', 'candidate:other'], hidden: [...STAFF.flatMap((r) => BODIES.map((b) => `${r}@${b}` as Who)), 'admin+reason'], request: get(() => '/candidates/me') },

  // Accounts, the audit chain, statistics, the registry.
  { route: 'GET /metrics', ok: ALL_ADMINS, request: get(() => '/metrics') },
  // API tokens: staff their own, an admin anyone's; returnees have none. Another account's tokens are "not found".
  { route: 'GET /tokens', ok: [...STAFF_WHO, 'admin+reason'], request: get(() => '/tokens') },
  { route: 'POST /tokens', ok: [...STAFF_WHO, 'admin+reason'], request: () => ({ url: '/tokens', payload: { label: `grid ${unique()}`, expiresInDays: 1 } }) },
  {
    route: 'DELETE /tokens/:id', ok: [...ALL_ADMINS, 'certifying_officer@own'], hidden: STAFF_WHO.filter((w) => !w.startsWith('admin@') && w !== 'certifying_officer@own'),
    request: async () => ({ url: `/tokens/${(await createApiTokenRow(t.db.kysely, actors.get('certifying_officer@own')!.id, 'grid')).id}` }),
  },
  { route: 'POST /staff', ok: ALL_ADMINS, request: () => ({ url: '/staff', payload: { name: 'New', email: `new-${unique()}@grid.example`, role: 'assessor', issuerId: t.issuer.id, password: 'a long enough secret' } }) },
  { route: 'GET /staff', ok: ALL_ADMINS, request: get(() => `/staff?issuerId=${t.issuer.id}`) },
  {
    route: 'PATCH /staff/:id',
    ok: ALL_ADMINS,
    request: async () => ({ url: `/staff/${(await createUser(t.db.kysely, { name: 'Leaving', email: `leaving-${unique()}@grid.example`, role: 'assessor', issuerId: t.issuer.id })).id}`, payload: { active: false } }),
  },
  // Whom to name as assessor: the body's counsellors and officers (and admins); no one else learns the body's staff.
  { route: 'GET /issuers/:id/assessors', ok: [...ALL_ADMINS, 'counsellor@own', 'certifying_officer@own'], request: get(() => `/issuers/${t.issuer.id}/assessors`) },
  { route: 'GET /audit/verify', ok: ALL_ADMINS, request: get(() => '/audit/verify') },
  // One case's entries: its body's staff and admins; the rest of the chain is the admin's.
  { route: 'GET /audit', ok: [...ALL_ADMINS, ...OWN_STAFF], request: get(() => `/audit?caseId=${caseId}`) },
  // Each body's staff (but its assessors) see their own body's figures; an admin every body's.
  {
    route: 'GET /rpl/statistics',
    ok: [...ALL_ADMINS, ...(['certifying_officer', 'moderator', 'counsellor'] as const).flatMap((r) => [`${r}@own`, `${r}@other`] as Who[])],
    request: get(() => '/rpl/statistics'),
  },
  {
    route: 'POST /frameworks/mappings/import',
    ok: ALL_ADMINS,
    request: () => ({ url: '/frameworks/mappings/import', payload: { id: `grid-${unique()}`, frameworkId: 'my-mqf', status: 'provisional', source: 'grid', validFrom: new Date(Date.now() + 86_400_000 * ++mappingDay).toISOString().slice(0, 10), entries: [{ nationalLevel: 1, aqrfLevel: 1 }] } }),
  },
  {
    route: 'POST /qualifications/import',
    ok: ALL_ADMINS,
    request: () => {
      const u = unique();
      return { url: '/qualifications/import', payload: { units: [{ code: `GRID-U-${u}`, titles: { en: 'Grid unit' }, scheme: 'TEST' }], qualifications: [{ slug: `grid-${u}`, code: `GRID-Q-${u}`, titles: { en: 'Grid' }, frameworkId: 'vn-vqf', nationalLevel: 3, sector: 'Construction', core: [`GRID-U-${u}`] }] } };
    },
  },
  { route: 'POST /issuers/:id/accreditations', ok: ALL_ADMINS, request: () => ({ url: `/issuers/${OTHER_BODY}/accreditations`, payload: { country: 'PH', sectors: [`Grid ${unique()}`], validFrom: '2026-01-01' } }) },
  { route: 'PUT /issuers/:id/profile', ok: [...ALL_ADMINS, 'certifying_officer@own'], request: () => ({ url: `/issuers/${t.issuer.id}/profile`, payload: { signatoryName: 'Grid Signatory', signatoryTitle: 'Director' } }) },
  // Repeating a compromise resumes the first report: every admin's call succeeds without compromising the new key.
  { route: 'POST /issuers/:id/keys/compromise', ok: ALL_ADMINS, request: () => ({ url: `/issuers/${OTHER_BODY}/keys/compromise`, payload: { reason: 'access grid' } }) },
  { route: 'POST /assessment-centres', ok: ALL_ADMINS, request: () => ({ url: '/assessment-centres', payload: { issuerId: OTHER_BODY, name: `Grid centre ${unique()}`, country: 'SA' } }) },

  // Returnee profiles (`own` was registered by the own body).
  { route: 'POST /candidates', ok: ['counsellor@own', 'counsellor@other'], request: () => ({ url: '/candidates', payload: { fullName: 'New Returnee', email: `r-${unique()}@grid.example`, consent: { purpose: 'RPL' } } }) },
  { route: 'GET /candidates/:id', ...RETURNEE_READ, request: get(() => `/candidates/${own.candidateId}`) },
  { route: 'PATCH /candidates/:id', ok: ['candidate:own', 'counsellor@own'], hidden: OUTSIDERS, request: () => ({ url: `/candidates/${own.candidateId}`, payload: { sector: 'Hotel housekeeping' } }) },
  { route: 'GET /candidates/:id/export', ...RETURNEE_READ, ok: ['candidate:own', 'counsellor@own', 'admin+reason'], request: get(() => `/candidates/${own.candidateId}/export`) },
  {
    // A pending e-mail change, asked by the body's counsellor; confirmed with the code sent to the new address.
    route: 'POST /candidates/:id/contact-changes/:changeId/confirm',
    ok: ['candidate:own', 'counsellor@own'],
    hidden: OUTSIDERS,
    request: async (who, ok) => {
      if (!ok) return { url: `/candidates/${own.candidateId}/contact-changes/${crypto.randomUUID()}/confirm`, payload: { code: '000000' } };
      const fresh = await registerReturnee();
      const email = `new-${unique()}@grid.example`;
      const asked = await t.app.inject({ method: 'PATCH', url: `/candidates/${fresh.candidateId}`, headers: headers.get('counsellor@own')!, payload: { email } });
      await f.deliver();
      const code = /code is (\d{6})/.exec([...f.transport.messages].reverse().find((m) => m.recipient === email)!.body)![1]!;
      return {
        url: `/candidates/${fresh.candidateId}/contact-changes/${asked.json().pendingContactChanges[0].id}/confirm`,
        payload: { code },
        ...(who === 'candidate:own' ? { headers: await session(fresh.userId) } : {}),
      };
    },
  },
  {
    route: 'POST /candidates/:id/consent/withdraw',
    ok: ['candidate:own', 'counsellor@own'],
    hidden: OUTSIDERS,
    request: async (who, ok) => {
      if (!ok) return { url: `/candidates/${own.candidateId}/consent/withdraw` };
      const fresh = await registerReturnee();
      return { url: `/candidates/${fresh.candidateId}/consent/withdraw`, ...(who === 'candidate:own' ? { headers: await session(fresh.userId) } : {}) };
    },
  },
  {
    route: 'PUT /candidates/:id/statistics-consent',
    ok: ['candidate:own'],
    hidden: OUTSIDERS,
    request: async (_who, ok) => {
      if (!ok) return { url: `/candidates/${own.candidateId}/statistics-consent`, payload: { given: false } };
      const fresh = await registerReturnee();
      return { url: `/candidates/${fresh.candidateId}/statistics-consent`, payload: { given: true }, headers: await session(fresh.userId) };
    },
  },
  {
    route: 'POST /candidates/:id/erasure',
    ok: ['candidate:own', 'admin+reason'],
    hidden: OUTSIDERS,
    reason: ADMINS,
    request: async (who, ok) => {
      if (!ok) return { url: `/candidates/${own.candidateId}/erasure` };
      const fresh = await registerReturnee();
      return { url: `/candidates/${fresh.candidateId}/erasure`, ...(who === 'candidate:own' ? { headers: await session(fresh.userId) } : {}) };
    },
  },

  // Cases (of `own`, at the own body, assigned to its assessor).
  { route: 'POST /cases', ok: ['candidate:own', 'counsellor@own'], hidden: ['candidate:other'], request: () => ({ url: '/cases', payload: { qualificationId: HOUSEKEEPING, issuerId: t.issuer.id, candidateId: own.candidateId } }) },
  { route: 'GET /cases/:id', ...RETURNEE_READ, request: get(() => `/cases/${caseId}`) },
  {
    route: 'POST /cases/:id/transitions',
    ...caseWork('candidate:own', 'counsellor@own', 'assessor@own', 'moderator@own', 'certifying_officer@own'),
    reason: ADMINS,
    request: async (who) => {
      const [state, event] = EVENT_OF[roleOf(who)];
      return { url: `/cases/${await caseIn(state)}/transitions`, payload: { event, version: 1 } };
    },
  },
  { route: 'PUT /cases/:id/self-assessment', ...caseWork('candidate:own', 'counsellor@own'), request: () => ({ url: `/cases/${draftCaseId}/self-assessment`, payload: { units: [{ unitId: HOUSEKEEPING_UNITS[0], rating: 'yes' }] } }) },
  { route: 'GET /cases/:id/self-assessment', ...RETURNEE_READ, request: get(() => `/cases/${draftCaseId}/self-assessment`) },
  { route: 'POST /cases/:id/assessments', ...caseWork('assessor@own'), request: () => ({ url: `/cases/${caseId}/assessments`, payload: housekeepingAssessment(t.issuer.id, []) }) },
  { route: 'GET /cases/:id/assessments', ...RETURNEE_READ, request: get(() => `/cases/${caseId}/assessments`) },
  {
    route: 'POST /cases/:id/evidence',
    ...caseWork('candidate:own', 'counsellor@own', 'assessor@own'),
    request: () => {
      const up = multipart({ kind: 'work_photo', title: 'At work' }, { name: 'work.jpg', bytes: FILES.jpeg() });
      return { url: `/cases/${caseId}/evidence`, payload: up.payload, headers: up.headers };
    },
  },
  { route: 'POST /cases/:id/evidence/records', ...caseWork('candidate:own', 'counsellor@own', 'assessor@own'), request: () => ({ url: `/cases/${caseId}/evidence/records`, payload: { kind: 'interview_record', title: 'Interview', description: 'Asked about room turnaround.' } }) },
  { route: 'GET /cases/:id/evidence', ...RETURNEE_READ, request: get(() => `/cases/${caseId}/evidence`) },
  { route: 'GET /cases/:id/evidence/:evidenceId/content', ...RETURNEE_READ, request: get(() => `/cases/${caseId}/evidence/${evidenceId}/content`) },

  // An assessment day's decisions are the assessor's own: the body's assessors import them (each call a new day).
  {
    route: 'POST /cohort-imports',
    ok: ['assessor@own', 'assessor@other'],
    request: () => ({
      url: `/cohort-imports?qualification=DEMO-TESDA-HSK-NC2&country=HK&date=2026-0${1 + (++cohortDay % 9)}-1${cohortDay % 10}`,
      headers: { 'content-type': 'text/csv' },
      payload: `full_name,email,consent_purpose,decisions,methods\nGrid ${unique()},grid-${unique()}@grid.example,RPL,${HOUSEKEEPING_UNITS.map((u) => `${u.split('/').pop()}=C`).join(';')},observation`,
    }),
  },

  // The console's offline assessment day: the assigned assessor takes cases off and syncs back (another body's
  // assessor learns of no case); conflicts are the assessor's own and the body's certifying officers'.
  { route: 'POST /console/offline-days', ok: ['assessor@own'], hidden: ['assessor@other'], request: async (_who, ok) => ({ url: '/console/offline-days', payload: { caseIds: [ok ? await caseIn('assessment') : caseId] } }) },
  { route: 'POST /console/sync', ok: ['assessor@own'], hidden: ['assessor@other'], request: () => ({ url: '/console/sync', payload: { events: [offlineEvent(caseId, 1)] } }) },
  {
    route: 'GET /console/conflicts',
    ok: ['assessor@own', 'assessor@other', 'certifying_officer@own', 'certifying_officer@other', 'admin+reason'],
    reason: ADMINS,
    request: get(() => '/console/conflicts?state=open'),
  },
  {
    route: 'POST /console/conflicts/:id/resolution',
    ok: ['assessor@own', 'certifying_officer@own'],
    hidden: [...OUTSIDERS, 'candidate:own', 'moderator@own', 'counsellor@own'],
    request: async (_who, ok) => ({ url: `/console/conflicts/${ok ? await ownConflict() : (sharedConflict ??= await ownConflict())}/resolution`, payload: { action: 'discard' } }),
  },

  // Certification batches of the own body's cases: its certifying officers; another body's officer learns of none.
  {
    route: 'POST /certification-batches',
    ok: ['certifying_officer@own'],
    hidden: ['certifying_officer@other'],
    request: async () => ({ url: '/certification-batches', payload: { caseIds: [await caseIn('moderated')] } }),
  },
  { route: 'GET /certification-batches', ok: ['certifying_officer@own', 'certifying_officer@other'], request: get(() => '/certification-batches') },
  // Each officer is answered about their own body's moderated cases (tests/http/certification-batches shows whose).
  { route: 'GET /certification-batches/ready', ok: ['certifying_officer@own', 'certifying_officer@other'], request: get(() => '/certification-batches/ready') },
  { route: 'GET /certification-batches/:id', ok: ['certifying_officer@own'], hidden: ['certifying_officer@other'], request: async () => ({ url: `/certification-batches/${await ownBatch()}` }) },
  { route: 'GET /certification-batches/:id/certificates.pdf', ok: ['certifying_officer@own'], hidden: ['certifying_officer@other'], request: async () => ({ url: `/certification-batches/${await printedBatch()}/certificates.pdf` }) },

  // Credentials (of `own`, issued by the own body).
  {
    route: 'POST /credentials/issue',
    ok: ['certifying_officer@own', 'certifying_officer@other'],
    request: async (who) => {
      const body = bodyOf(who) ?? t.issuer.id;
      const issuer = await t.db.kysely.selectFrom('issuers').select('did').where('id', '=', body).executeTakeFirstOrThrow();
      return { url: '/credentials/issue', payload: { credential: badge(issuer.did) } };
    },
  },
  // Standard wallets: the returnee starts an offer for their own credential; the protocol endpoints are anonymous by
  // nature (the wallet holds the handle, and for OID4VCI the transaction code), so every caller gets the same answer.
  { route: 'POST /me/credentials/:id/wallet-offers', ok: ['candidate:own'], hidden: OUTSIDERS, request: get(() => `/me/credentials/${encodeURIComponent(credentialId)}/wallet-offers`) },
  { route: 'GET /.well-known/openid-credential-issuer', ok: WHO, request: get(() => '/.well-known/openid-credential-issuer') },
  { route: 'GET /.well-known/oauth-authorization-server', ok: WHO, request: get(() => '/.well-known/oauth-authorization-server') },
  { route: 'GET /oid4vci/offers/:code', ok: WHO, request: async () => ({ url: `/oid4vci/offers/${(await walletOffer()).code}` }) },
  { route: 'POST /oid4vci/token', ok: WHO, request: async () => ({ url: '/oid4vci/token', ...tokenForm(await walletOffer()) }) },
  {
    route: 'POST /oid4vci/credential',
    ok: WHO,
    request: async () => {
      const token = (await t.app.inject({ method: 'POST', url: '/oid4vci/token', ...tokenForm(await walletOffer()) })).json().access_token as string;
      return { url: '/oid4vci/credential', headers: { authorization: `Bearer ${token}` }, payload: { credential_configuration_id: 'TandaAward_ldp_vc' } };
    },
  },
  { route: 'POST /workflows/credential-delivery/exchanges/:exchangeId', ok: WHO, request: async () => ({ url: `/workflows/credential-delivery/exchanges/${(await walletOffer()).exchange}`, payload: {} }) },
  { route: 'GET /credentials/:id', ...RETURNEE_READ, request: get(() => `/credentials/${credentialId}`) },
  { route: 'GET /credentials/:id/history', ...RETURNEE_READ, request: get(() => `/credentials/${credentialId}/history`) },
  { route: 'GET /credentials/:id/certificate.pdf', ...RETURNEE_READ, request: get(() => `/credentials/${credentialId}/certificate.pdf`) },
  // Who may certify the case sees what certifying would print; nothing is issued.
  { route: 'GET /cases/:id/certificate-preview.pdf', ...caseWork('certifying_officer@own'), reason: ADMINS, request: async () => ({ url: `/cases/${await caseIn('moderated')}/certificate-preview.pdf` }) },
  { route: 'GET /credentials/:id/qr.png', ...RETURNEE_READ, request: get(() => `/credentials/${credentialId}/qr.png`) },
  { route: 'GET /credentials/:id/qr.svg', ...RETURNEE_READ, request: get(() => `/credentials/${credentialId}/qr.svg`) },
  { route: 'POST /credentials/:id/revoke', ...caseWork('certifying_officer@own'), request: async (_who, ok) => ({ url: `/credentials/${ok ? await freshCredential() : credentialId}/revoke`, payload: { reason: 'error' } }) },
  { route: 'POST /credentials/:id/reissue', ...caseWork('certifying_officer@own'), request: async (_who, ok) => ({ url: `/credentials/${ok ? await freshCredential() : credentialId}/reissue`, payload: { holderName: 'Maricel D. Cruz' } }) },
  {
    route: 'POST /credentials/status',
    ...caseWork('certifying_officer@own'),
    request: async (_who, ok) => ({
      url: '/credentials/status',
      payload: { credentialId: ok ? await freshCredential() : credentialId, credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true },
    }),
  },
];

type Expected = { ok: true } | { status: number; code: string };
function expected(row: Row, who: Who): Expected {
  if (row.ok.includes(who)) return { ok: true };
  if (who === 'anonymous') return { status: 401, code: 'unauthenticated' };
  if (row.hidden?.includes(who)) return { status: 404, code: 'not_found' };
  if (row.reason?.includes(who)) return { status: 403, code: 'reason_required' };
  return { status: 403, code: 'forbidden' };
}

/** Every route the app serves, as "METHOD /path" (HEAD is Fastify's automatic twin of GET), from its route tree. */
function servedRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?) \(([A-Z, ]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = m[1]!.length / 4;
    // The wildcard is printed bare under its parent (`/docs` + `*` is `/docs/*`).
    const segment = m[2] === '*' ? '/*' : m[2]!;
    stack.length = depth;
    // A segment without its own "/" continues its parent's (the radix tree splits `/me` and `/metrics` as `/me` + `trics`).
    const path = `${stack.join('')}${segment}`;
    stack.push(segment);
    for (const method of m[3]!.split(',').map((x) => x.trim())) if (method !== 'HEAD') routes.push(`${method} ${path}`);
  }
  return routes.sort();
}

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER_BODY, name: 'Other Body', country: 'ID', didMethod: 'web' });
  await setIssuerProfile(t.db.kysely, OTHER_BODY, { signatoryName: 'Other Signatory', signatoryTitle: 'Chair' }, 'grid');
  for (const role of STAFF) {
    for (const body of BODIES) {
      const issuerId = body === 'own' ? t.issuer.id : body === 'other' ? OTHER_BODY : null;
      const login = await t.login(role, { issuerId });
      headers.set(`${role}@${body}`, login.headers);
      actors.set(`${role}@${body}`, { id: login.userId, role, issuerId });
    }
  }
  headers.set('admin+reason', { ...headers.get('admin@none')!, 'x-tanda-access-reason': 'access grid' });
  headers.set('anonymous', {});
  own = await registerReturnee();
  const o = await registerReturnee();
  other = { candidateId: o.candidateId, userId: o.userId };
  headers.set('candidate:own', await session(own.userId));
  headers.set('candidate:other', await session(other.userId));

  caseId = await caseIn('assessment');
  draftCaseId = await caseIn('draft');
  const up = multipart({ kind: 'certificate_of_employment', title: 'COE' }, { name: 'coe.jpg', bytes: FILES.jpeg() });
  evidenceId = (await t.app.inject({ method: 'POST', url: `/cases/${caseId}/evidence`, headers: { ...headers.get('candidate:own')!, ...up.headers }, payload: up.payload })).json().id;
  credentialId = await freshCredential();
  const stored = (await t.services.credentials.find(credentialId))!;
  signedVc = stored.document;
  verifyCode = (await t.db.kysely.selectFrom('awards').select('verify_code').where('credential_id', '=', credentialId).executeTakeFirstOrThrow()).verify_code;
  qrText = (await t.services.certificates.qrPayload(stored)).payload;
  listId = (await t.db.kysely.selectFrom('status_entries').select('list_id').where('credential_id', '=', credentialId).executeTakeFirstOrThrow()).list_id;
}, 120_000);
afterAll(async () => t.close());

describe(`the access grid on ${testDialect}`, () => {
  it('has a row for every route the app serves, and none for a route it does not', () => {
    const served = servedRoutes(t.app.printRoutes({ commonPrefix: false }));
    expect(served.length).toBeGreaterThan(50);
    expect(GRID.map((r) => r.route).sort()).toEqual(served);
  });

  it.each(GRID.map((r) => [r.route, r] as const))('%s', async (_route, row) => {
    const [method, url] = row.route.split(' ') as [InjectOptions['method'], string];
    const cells: Array<[Who, Expected, number, string | undefined]> = [];
    for (const who of WHO) {
      const want = expected(row, who);
      const built = await row.request(who, 'ok' in want);
      const res = await t.app.inject({ method, ...built, headers: { ...headers.get(who)!, ...(built.headers as Record<string, string> | undefined) } } as InjectOptions);
      const code = res.statusCode >= 400 ? (res.json() as { code?: string }).code : undefined;
      cells.push([who, want, res.statusCode, code]);
    }
    const succeeded = (status: number) => (row.success ? status === row.success : status >= 200 && status <= 299);
    const wrong = cells.filter(([, want, status, code]) => ('ok' in want ? !succeeded(status) : status !== want.status || code !== want.code));
    expect(wrong.map(([who, want, status, code]) => `${url} as ${who}: wanted ${'ok' in want ? '2xx' : `${want.status} ${want.code}`}, got ${status} ${code ?? ''}`)).toEqual([]);
  });
});
