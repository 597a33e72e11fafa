import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { createUser } from '../auth/tokens.js';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { authorize, can, type Actor, type Context, type Decision } from '../policy/policy.js';
import { MAX_ATTEMPTS as WALLET_MAX_ATTEMPTS } from '../wallets/offers.js';
import { candidateScope, caseScope, credentialScope, whereCandidateInScope, whereCaseInScope, whereCredentialInScope } from '../policy/scope.js';
import { auditReasonedAccess } from './audit.js';
import { normaliseContact } from './candidate-login.js';
import { requestContactChanges, type PendingContactChange } from './contact-changes.js';
import { audit, type RplContext } from './context.js';
import { lockBlob, removeUnreferencedFile } from './evidence.js';
import { revokeUserSessions } from './sessions.js';
import type { CandidatesTable } from './tables.js';
import { TERMINAL_STATES, type CaseState } from './transitions.js';
import { scrubConflictsOfCases } from '../console/conflicts.js';

export const SEXES = ['female', 'male', 'other', 'undisclosed'] as const;
export type Sex = (typeof SEXES)[number];

export interface CandidateInput {
  fullName: string;
  nameLatin?: string | null;
  email?: string | null;
  phone?: string | null;
  preferredLanguage?: string | null;
  countryOfWork?: string | null;
  sector?: string | null;
  yearsExperience?: number | null;
  sex?: Sex | null;
  birthYear?: number | null;
  /** Hashed on arrival; never stored or returned. */
  nationalId?: string | null;
  /** `statistics`: the returnee also agreed to be counted in statistics (opt-in; absent means no). */
  consent: { purpose: string; givenAt?: string; statistics?: boolean };
}

export type CandidateUpdate = Partial<Omit<CandidateInput, 'consent' | 'fullName'>> & { fullName?: string };

export interface CandidateView {
  id: string;
  userId: string;
  fullName: string;
  nameLatin: string | null;
  email: string | null;
  phone: string | null;
  preferredLanguage: string | null;
  countryOfWork: string | null;
  sector: string | null;
  yearsExperience: number | null;
  sex: string | null;
  birthYear: number | null;
  nationalIdOnFile: boolean;
  consent: { purpose: string | null; givenAt: string | null; withdrawnAt: string | null };
  /** Consent to be counted in statistics, apart from the consent above: given (`givenAt`, no `withdrawnAt`) or not. */
  statisticsConsent: { given: boolean; givenAt: string | null; withdrawnAt: string | null };
  createdAt: string;
  erasedAt: string | null;
}

export function candidateView(r: Selectable<CandidatesTable>): CandidateView {
  return {
    id: r.id,
    userId: r.user_id,
    fullName: r.full_name,
    nameLatin: r.name_latin,
    email: r.email,
    phone: r.phone,
    preferredLanguage: r.preferred_language,
    countryOfWork: r.country_of_work,
    sector: r.sector,
    yearsExperience: r.years_experience === null ? null : Number(r.years_experience),
    sex: r.sex,
    birthYear: r.birth_year === null ? null : Number(r.birth_year),
    nationalIdOnFile: r.national_id_hash !== null,
    consent: { purpose: r.consent_purpose, givenAt: r.consent_at, withdrawnAt: r.consent_withdrawn_at },
    statisticsConsent: { given: r.statistics_consent_at !== null && r.statistics_consent_withdrawn_at === null, givenAt: r.statistics_consent_at, withdrawnAt: r.statistics_consent_withdrawn_at },
    createdAt: r.created_at,
    erasedAt: r.erased_at,
  };
}

function checkProfile(input: CandidateUpdate): void {
  const year = new Date().getUTCFullYear();
  if (input.birthYear != null && (input.birthYear < year - 100 || input.birthYear > year - 14)) {
    throw new TandaError('validation_failed', `birthYear must be between ${year - 100} and ${year - 14}`);
  }
  if (input.countryOfWork != null && !/^[A-Z]{2}$/.test(input.countryOfWork)) throw new TandaError('validation_failed', 'countryOfWork must be an ISO 3166-1 alpha-2 code');
}

async function assertUnique(tx: Executor, ctx: RplContext, input: CandidateUpdate, exceptId?: string): Promise<void> {
  const clashes: string[] = [];
  const check = async (column: 'email' | 'phone' | 'national_id_hash', value: string | null | undefined, label: string) => {
    if (!value) return;
    const row = await tx.selectFrom('candidates').select('id').where(column, '=', value).executeTakeFirst();
    if (row && row.id !== exceptId) clashes.push(label);
  };
  await check('email', input.email ? normaliseContact(input.email) : null, 'e-mail');
  await check('phone', input.phone ? normaliseContact(input.phone) : null, 'phone');
  await check('national_id_hash', input.nationalId ? ctx.nationalIds.hash(input.nationalId) : null, 'national ID');
  if (clashes.length) throw new TandaError('already_exists', `a candidate with this ${clashes.join(' and ')} is already registered`);
}

/** A counsellor registers a returnee for their body, with the consent they gave; the returnee then signs in by code. */
export async function createCandidate(ctx: RplContext, actor: Actor, input: CandidateInput): Promise<CandidateView> {
  authorize(actor, 'create', { kind: 'candidate_registry', issuerId: actor.issuerId });
  return ctx.db.kysely.transaction().execute((tx) => insertCandidate(tx, ctx, actor, input, actor.issuerId));
}

/**
 * Registers a returnee under `registeredIssuerId` inside the caller's transaction, for a caller that has asked the
 * policy already (registration above, a cohort import).
 */
export async function insertCandidate(tx: Executor, ctx: RplContext, actor: Actor, input: CandidateInput, registeredIssuerId: string | null): Promise<CandidateView> {
  checkProfile(input);
  if (!input.email && !input.phone) throw new TandaError('validation_failed', 'an e-mail or a phone number is needed to sign in');
  if (!input.consent.purpose.trim()) throw new TandaError('validation_failed', 'the consent purpose is required');
  await assertUnique(tx, ctx, input);
  const user = await createUser(tx, { name: input.fullName, role: 'candidate' });
  const id = crypto.randomUUID();
  const now = nowIso();
  await tx
    .insertInto('candidates')
    .values({
      id,
      user_id: user.id,
      full_name: input.fullName.normalize('NFC'),
      name_latin: input.nameLatin ?? null,
      email: input.email ? normaliseContact(input.email) : null,
      phone: input.phone ? normaliseContact(input.phone) : null,
      preferred_language: input.preferredLanguage ?? null,
      country_of_work: input.countryOfWork ?? null,
      sector: input.sector ?? null,
      years_experience: input.yearsExperience ?? null,
      sex: input.sex ?? null,
      birth_year: input.birthYear ?? null,
      national_id_hash: input.nationalId ? ctx.nationalIds.hash(input.nationalId) : null,
      consent_purpose: input.consent.purpose,
      consent_at: input.consent.givenAt ?? now,
      consent_withdrawn_at: null,
      statistics_consent_at: input.consent.statistics === true ? (input.consent.givenAt ?? now) : null,
      statistics_consent_withdrawn_at: null,
      created_by: actor.id,
      registered_issuer_id: registeredIssuerId,
      created_at: now,
      erased_at: null,
    })
    .execute();
  await audit(tx, ctx, { actorId: actor.id, action: 'candidate.registered', subjectId: id });
  return candidateView(await loadCandidate(tx, id));
}

export async function loadCandidate(executor: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<Selectable<CandidatesTable>> {
  const query = executor.selectFrom('candidates').selectAll().where('id', '=', id);
  const row = await (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
  if (!row) throw new TandaError('not_found', 'no such candidate');
  return row;
}

/** The bodies a returnee belongs to, for the policy: the one that registered them and those holding a case of theirs. */
export async function candidateBodies(executor: Executor, row: Pick<Selectable<CandidatesTable>, 'id' | 'registered_issuer_id'>): Promise<string[]> {
  const cases = await executor.selectFrom('rpl_cases').select('issuer_id').distinct().where('candidate_id', '=', row.id).execute();
  return [...new Set([...(row.registered_issuer_id ? [row.registered_issuer_id] : []), ...cases.map((c) => c.issuer_id)])];
}

/** Asks the policy about a returnee's profile; an admin's stated reason is audited in `tx`. */
async function authorizeCandidate(
  tx: Executor,
  ctx: RplContext,
  actor: Actor,
  action: 'read' | 'update' | 'change_contact' | 'withdraw_consent' | 'statistics_consent' | 'export' | 'erase',
  row: Selectable<CandidatesTable>,
  context: Context,
): Promise<Extract<Decision, { allowed: true }>> {
  const decision = authorize(actor, action, { kind: 'candidate', userId: row.user_id, bodies: await candidateBodies(tx, row) }, context);
  await auditReasonedAccess(tx, ctx.db.dialect, { actorId: actor.id, decision, action: `candidate.${action}`, subjectId: row.id });
  return decision;
}

export async function getCandidate(ctx: RplContext, actor: Actor, id: string, context: Context = {}): Promise<CandidateView> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const row = await loadCandidate(tx, id);
    await authorizeCandidate(tx, ctx, actor, 'read', row, context);
    return candidateView(row);
  });
}

/** LIKE's own wildcards in the caller's text are matched literally. */
const likeEscaped = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The returnees the actor may see (staff: those their body registered or holds a case of), by name; `q` matches part
 * of the name or Latin name (as typed, and ASCII case-insensitively), or the start of the e-mail or phone. Erased
 * profiles are left out. An admin's list needs a stated reason and is audited with the ids it showed.
 */
export async function listCandidates(ctx: RplContext, actor: Actor, filter: { q?: string; limit?: number; offset?: number } = {}, context: Context = {}): Promise<{ candidates: CandidateView[]; total: number }> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    let q = tx.selectFrom('candidates').where(whereCandidateInScope(candidateScope(actor, context))).where('candidates.erased_at', 'is', null);
    const typed = filter.q?.trim();
    if (typed) {
      const part = `%${likeEscaped(typed)}%`;
      const lowered = `%${likeEscaped(typed.toLowerCase())}%`;
      const start = `${likeEscaped(normaliseContact(typed))}%`;
      q = q.where(sql<boolean>`(lower(candidates.full_name) like ${lowered} escape '\\' or candidates.full_name like ${part} escape '\\'
        or lower(candidates.name_latin) like ${lowered} escape '\\' or candidates.name_latin like ${part} escape '\\'
        or candidates.email like ${start} escape '\\' or candidates.phone like ${start} escape '\\')`);
    }
    const { count } = await q.select((eb) => eb.fn.countAll<number | string | bigint>().as('count')).executeTakeFirstOrThrow();
    const rows = await q.selectAll('candidates').orderBy('candidates.full_name').orderBy('candidates.id').limit(Math.min(filter.limit ?? 50, 200)).offset(filter.offset ?? 0).execute();
    const reason = context.reason?.trim();
    if (reason && candidateScope(actor).kind !== candidateScope(actor, context).kind) {
      await auditReasonedAccess(tx, ctx.db.dialect, { actorId: actor.id, decision: { auditedReason: reason }, action: 'candidate.list', subjectId: rows.map((r) => r.id).join(',').slice(0, 2000) || null });
    }
    return { candidates: rows.map(candidateView), total: Number(count) };
  });
}

/** The signed-in returnee's own profile (an account without one, e.g. staff, has none). */
export async function getOwnCandidate(ctx: RplContext, actor: Actor): Promise<CandidateView> {
  const row = await candidateForUser(ctx.db.kysely, actor.id);
  if (!row) throw new TandaError('not_found', 'your account has no candidate profile');
  authorize(actor, 'read', { kind: 'candidate', userId: row.user_id, bodies: [] });
  return candidateView(row);
}

export async function candidateForUser(executor: Executor, userId: string): Promise<Selectable<CandidatesTable> | undefined> {
  return executor.selectFrom('candidates').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/**
 * Corrects a profile. E-mail and phone are not set here but become pending changes confirmed by a code sent to the
 * new contact (src/rpl/contact-changes.ts), so whoever edits a profile cannot redirect the returnee's sign-in codes.
 */
export async function updateCandidate(ctx: RplContext, actor: Actor, id: string, input: CandidateUpdate, context: Context = {}): Promise<CandidateView & { pendingContactChanges: PendingContactChange[] }> {
  checkProfile(input);
  const { email, phone, ...profile } = input;
  const result = await ctx.db.kysely.transaction().execute(async (tx) => {
    const row = await loadCandidate(tx, id);
    // A new e-mail or phone is where sign-in codes go: its own action, so the rule for it can differ.
    await authorizeCandidate(tx, ctx, actor, input.email !== undefined || input.phone !== undefined ? 'change_contact' : 'update', row, context);
    if (row.erased_at) throw new TandaError('conflict', 'this candidate\'s data was erased');
    await assertUnique(tx, ctx, profile, id);
    const set: Partial<CandidatesTable> = {};
    if (input.fullName !== undefined) set.full_name = input.fullName.normalize('NFC');
    if (input.nameLatin !== undefined) set.name_latin = input.nameLatin;
    if (input.preferredLanguage !== undefined) set.preferred_language = input.preferredLanguage;
    if (input.countryOfWork !== undefined) set.country_of_work = input.countryOfWork;
    if (input.sector !== undefined) set.sector = input.sector;
    if (input.yearsExperience !== undefined) set.years_experience = input.yearsExperience;
    if (input.sex !== undefined) set.sex = input.sex;
    if (input.birthYear !== undefined) set.birth_year = input.birthYear;
    if (input.nationalId !== undefined) set.national_id_hash = input.nationalId ? ctx.nationalIds.hash(input.nationalId) : null;
    if (Object.keys(set).length) await tx.updateTable('candidates').set(set).where('id', '=', id).execute();
    await audit(tx, ctx, { actorId: actor.id, action: 'candidate.updated', subjectId: id, data: { fields: Object.keys(set).sort() } });
    const pendingContactChanges = await requestContactChanges(tx, ctx, actor, row, { email, phone });
    return { ...candidateView(await loadCandidate(tx, id)), pendingContactChanges };
  });
  if (email !== undefined || phone !== undefined) ctx.outbox.wake();
  return result;
}

/** Withdraws every open case of the candidate (consent withdrawn or data erased: nothing may proceed). */
async function withdrawOpenCases(tx: Executor, ctx: RplContext, actor: Actor, candidateId: string, reason: string): Promise<number> {
  const open = await tx.selectFrom('rpl_cases').select(['id', 'state', 'version']).where('candidate_id', '=', candidateId).execute();
  let n = 0;
  for (const c of open) {
    if (TERMINAL_STATES.has(c.state as CaseState)) continue;
    await tx.updateTable('rpl_cases').set({ state: 'withdrawn', version: Number(c.version) + 1, updated_at: nowIso() }).where('id', '=', c.id).execute();
    await audit(tx, ctx, { actorId: actor.id, action: 'case.transition', caseId: c.id, data: { event: 'withdraw', from: c.state, to: 'withdrawn', reason } });
    n++;
  }
  return n;
}

export async function withdrawConsent(ctx: RplContext, actor: Actor, id: string, context: Context = {}): Promise<CandidateView> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const row = await loadCandidate(tx, id);
    await authorizeCandidate(tx, ctx, actor, 'withdraw_consent', row, context);
    if (!row.consent_withdrawn_at) {
      await tx.updateTable('candidates').set({ consent_withdrawn_at: nowIso() }).where('id', '=', id).execute();
      await withdrawOpenCases(tx, ctx, actor, id, 'consent_withdrawn');
      await audit(tx, ctx, { actorId: actor.id, action: 'candidate.consent_withdrawn', subjectId: id });
    }
    return candidateView(await loadCandidate(tx, id));
  });
}

/**
 * The returnee gives or withdraws their consent to be counted in statistics. Unlike the consent above it touches no
 * case: it only decides whether `caseStatistics` counts them. Audited either way, only when it changes.
 */
export async function setStatisticsConsent(ctx: RplContext, actor: Actor, id: string, given: boolean, context: Context = {}): Promise<CandidateView> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const row = await loadCandidate(tx, id);
    await authorizeCandidate(tx, ctx, actor, 'statistics_consent', row, context);
    const at = nowIso();
    // Conditional on the current state, so two taps at once change (and audit) it once.
    const changed = given
      ? await tx.updateTable('candidates').set({ statistics_consent_at: at, statistics_consent_withdrawn_at: null }).where('id', '=', id)
          .where((eb) => eb.or([eb('statistics_consent_at', 'is', null), eb('statistics_consent_withdrawn_at', 'is not', null)])).executeTakeFirst()
      : await tx.updateTable('candidates').set({ statistics_consent_withdrawn_at: at }).where('id', '=', id)
          .where('statistics_consent_at', 'is not', null).where('statistics_consent_withdrawn_at', 'is', null).executeTakeFirst();
    if (Number(changed.numUpdatedRows) > 0) {
      await audit(tx, ctx, { actorId: actor.id, action: given ? 'candidate.statistics_consent_given' : 'candidate.statistics_consent_withdrawn', subjectId: id });
    }
    return candidateView(await loadCandidate(tx, id));
  });
}

/**
 * Everything held about the candidate, in one JSON document (the data subject's copy); evidence as metadata. Staff
 * get their body's part only (its cases and credentials, by the same scopes as every list); each export is audited
 * with the cases and credentials it held.
 */
export async function exportCandidate(ctx: RplContext, actor: Actor, id: string, context: Context = {}): Promise<Record<string, unknown>> {
  return ctx.db.kysely.transaction().execute(async (tx) => {
    const row = await loadCandidate(tx, id);
    await authorizeCandidate(tx, ctx, actor, 'export', row, context);
    const cases = await tx
      .selectFrom('rpl_cases')
      .innerJoin('candidates', 'candidates.id', 'rpl_cases.candidate_id')
      .selectAll('rpl_cases')
      .where('rpl_cases.candidate_id', '=', id)
      .where(whereCaseInScope(caseScope(actor, context)))
      .orderBy('rpl_cases.created_at')
      .execute();
    const caseIds = cases.map((c) => c.id);
    // No case, nothing to look up (and no placeholder id: PostgreSQL refuses a NUL byte in text).
    const [selfAssessments, evidence, assessments] = caseIds.length
      ? await Promise.all([
          tx.selectFrom('self_assessments').selectAll().where('case_id', 'in', caseIds).execute(),
          tx
            .selectFrom('evidence_items')
            .leftJoin('evidence_blobs', 'evidence_blobs.hash', 'evidence_items.blob_hash')
            .select(['evidence_items.id', 'evidence_items.case_id', 'evidence_items.kind', 'evidence_items.title', 'evidence_items.description', 'evidence_items.original_name', 'evidence_items.created_at', 'evidence_blobs.hash', 'evidence_blobs.size', 'evidence_blobs.content_type'])
            .where('evidence_items.case_id', 'in', caseIds)
            .execute(),
          tx.selectFrom('unit_assessments').selectAll().where('case_id', 'in', caseIds).execute(),
        ])
      : [[], [], []];
    const credentials = await tx
      .selectFrom('credentials')
      .select(['id', 'document', 'created_at'])
      .where('holder_user_id', '=', row.user_id)
      .where(whereCredentialInScope(credentialScope(actor, context)))
      .execute();
    // Share links are the returnee's alone (src/policy): in their own export, never in a staff member's.
    const links = can(actor, 'read', { kind: 'share_link', ownerUserId: row.user_id })
      ? await tx.selectFrom('share_links').select(['id', 'label', 'expires_at', 'revoked_at', 'created_at']).where('user_id', '=', row.user_id).orderBy('created_at').execute()
      : [];
    const linkIds = links.map((l) => l.id);
    const [linkCredentials, linkOpens] = linkIds.length
      ? await Promise.all([
          tx.selectFrom('share_link_credentials').selectAll().where('link_id', 'in', linkIds).execute(),
          tx.selectFrom('share_link_opens').selectAll().where('link_id', 'in', linkIds).orderBy('opened_at').execute(),
        ])
      : [[], []];
    // Wallet offers are the returnee space's, like share links: in the returnee's own export only, and never a handle
    // or code (the row id is the pre-authorized code's or exchange id's hash; the wallet's DID is the returnee's own).
    const offers = can(actor, 'use', { kind: 'returnee_space', userId: row.user_id })
      ? await tx
          .selectFrom('wallet_offers')
          .select(['protocol', 'credential_id', 'attempts', 'wallet_did', 'expires_at', 'redeemed_at', 'delivered_at', 'created_at'])
          .where('holder_user_id', '=', row.user_id)
          .orderBy('created_at')
          .orderBy('protocol')
          .execute()
      : [];
    const exportedAt = nowIso();
    await audit(tx, ctx, { actorId: actor.id, action: 'candidate.exported', subjectId: id, data: { cases: caseIds, credentials: credentials.map((c) => c.id) } });
    return {
      exportedAt,
      candidate: candidateView(row),
      cases: cases.map((c) => ({
        id: c.id,
        qualificationId: c.qualification_id,
        issuerId: c.issuer_id,
        state: c.state,
        outcome: c.outcome,
        decidedAt: c.decided_at,
        appealReason: c.appeal_reason,
        gapTrainingNote: c.gap_training_note,
        createdAt: c.created_at,
        selfAssessment: selfAssessments.filter((s) => s.case_id === c.id).map((s) => ({ unitId: s.unit_id, rating: s.rating, note: s.note })),
        evidence: evidence.filter((e) => e.case_id === c.id).map((e) => ({ id: e.id, kind: e.kind, title: e.title, description: e.description, fileName: e.original_name, sha256: e.hash, size: e.size === null ? null : Number(e.size), contentType: e.content_type, createdAt: e.created_at })),
        unitAssessments: assessments.filter((a) => a.case_id === c.id).map((a) => ({ round: Number(a.round), unitId: a.unit_id, decision: a.decision, methods: JSON.parse(a.methods), notes: a.notes, country: a.country, assessedOn: a.assessed_on })),
      })),
      credentials: credentials.map((c) => ({ id: c.id, issuedAt: c.created_at, credential: JSON.parse(c.document) })),
      shareLinks: links.map((l) => ({
        id: l.id,
        label: l.label,
        credentialIds: linkCredentials.filter((c) => c.link_id === l.id).map((c) => c.credential_id),
        expiresAt: l.expires_at,
        revokedAt: l.revoked_at,
        createdAt: l.created_at,
        openedAt: linkOpens.filter((o) => o.link_id === l.id).map((o) => o.opened_at),
      })),
      walletOffers: offers.map((o) => ({
        protocol: o.protocol,
        credentialId: o.credential_id,
        state: walletOfferState(o, exportedAt),
        walletDid: o.wallet_did,
        createdAt: o.created_at,
        expiresAt: o.expires_at,
        redeemedAt: o.redeemed_at,
        deliveredAt: o.delivered_at,
      })),
    };
  });
}

/** Where a wallet offer stands, in the words of src/wallets/offers.ts's checks (`liveOffer`). */
function walletOfferState(o: { attempts: number; expires_at: string; redeemed_at: string | null; delivered_at: string | null }, at: string): string {
  if (o.delivered_at !== null) return 'delivered';
  if (o.redeemed_at !== null) return 'redeemed';
  if (Number(o.attempts) >= WALLET_MAX_ATTEMPTS) return 'locked';
  return o.expires_at <= at ? 'expired' : 'open';
}

export const ERASED = '(erased)';

/**
 * Erasure on request: removes everything not needed to keep an issued credential verifiable. The signed credential
 * (with the name printed on it), the case's decisions and the audit chain (which holds no personal data) stay;
 * contact details, the national ID hash, profile data, self-assessment, evidence files and free-text notes go.
 * Open cases are withdrawn. Without an issued credential the name goes too.
 */
export async function eraseCandidate(ctx: RplContext, actor: Actor, id: string, context: Context = {}): Promise<{ evidenceFilesDeleted: number; keptForCredentials: number }> {
  const { orphans, kept } = await ctx.db.kysely.transaction().execute(async (tx) => {
    // Locked first, as an upload locks it first: an upload either commits before this erasure (and its file is
    // erased with the rest) or sees the erasure and is refused.
    const row = await loadCandidate(tx, id, { forUpdate: ctx.db.dialect === 'postgres' });
    // Erasure withdraws the returnee's cases with every body: the returnee's own act (or an admin's, with a reason).
    await authorizeCandidate(tx, ctx, actor, 'erase', row, context);
    await withdrawOpenCases(tx, ctx, actor, id, 'erasure');
    const caseIds = (await tx.selectFrom('rpl_cases').select('id').where('candidate_id', '=', id).execute()).map((c) => c.id);
    const hashes: string[] = [];
    if (caseIds.length) {
      const items = await tx.selectFrom('evidence_items').select(['blob_hash']).where('case_id', 'in', caseIds).execute();
      hashes.push(...new Set(items.map((i) => i.blob_hash).filter((h): h is string => h !== null)));
      await tx.deleteFrom('evidence_items').where('case_id', 'in', caseIds).execute();
      await tx.deleteFrom('self_assessments').where('case_id', 'in', caseIds).execute();
      await tx.updateTable('unit_assessments').set({ notes: null, evidence_ids: '[]' }).where('case_id', 'in', caseIds).execute();
      await scrubConflictsOfCases(tx, caseIds);
      await tx.updateTable('rpl_cases').set({ appeal_reason: null, moderation_note: null, gap_training_note: null, updated_at: nowIso() }).where('id', 'in', caseIds).execute();
    }
    const orphans: string[] = [];
    for (const h of hashes) {
      await lockBlob(tx, ctx, h);
      const used = await tx.selectFrom('evidence_items').select('id').where('blob_hash', '=', h).executeTakeFirst();
      if (!used) {
        await tx.deleteFrom('evidence_blobs').where('hash', '=', h).execute();
        orphans.push(h);
      }
    }
    const credentials = await tx.selectFrom('credentials').select('id').where('holder_user_id', '=', row.user_id).execute();
    const keepName = credentials.length > 0;
    const pendingContacts = await tx.selectFrom('contact_changes').select('new_value').where('candidate_id', '=', id).execute();
    const contacts = [row.email, row.phone, ...pendingContacts.map((c) => c.new_value)].filter((c): c is string => c !== null);
    if (contacts.length) {
      await tx.deleteFrom('notifications').where('recipient', 'in', contacts).execute();
      await tx.deleteFrom('sign_in_requests').where('contact', 'in', contacts).execute();
    }
    await tx.deleteFrom('contact_changes').where('candidate_id', '=', id).execute();
    await tx.deleteFrom('login_codes').where('user_id', '=', row.user_id).execute();
    // Pending wallet offers die with the account (their codes went to the erased contacts); delivered ones go too,
    // since they name the wallet's DID. The credentials themselves are kept, as above.
    await tx.deleteFrom('wallet_offers').where('holder_user_id', '=', row.user_id).execute();
    // The returnee space: share links (with their opening log) and unfinished uploads go; nobody can open them again.
    const links = tx.selectFrom('share_links').select('id').where('user_id', '=', row.user_id);
    await tx.deleteFrom('share_link_opens').where('link_id', 'in', links).execute();
    await tx.deleteFrom('share_link_credentials').where('link_id', 'in', links).execute();
    await tx.deleteFrom('share_links').where('user_id', '=', row.user_id).execute();
    await tx.deleteFrom('upload_sessions').where('user_id', '=', row.user_id).execute();
    await tx
      .updateTable('candidates')
      .set({
        full_name: keepName ? row.full_name : ERASED,
        name_latin: keepName ? row.name_latin : null,
        email: null,
        phone: null,
        preferred_language: null,
        country_of_work: null,
        sector: null,
        years_experience: null,
        sex: null,
        birth_year: null,
        national_id_hash: null,
        consent_withdrawn_at: row.consent_withdrawn_at ?? nowIso(),
        erased_at: nowIso(),
      })
      .where('id', '=', id)
      .execute();
    await tx.updateTable('users').set({ disabled: 1, ...(keepName ? {} : { name: ERASED }) }).where('id', '=', row.user_id).execute();
    await revokeUserSessions(tx, row.user_id);
    await audit(tx, ctx, { actorId: actor.id, action: 'candidate.erased', subjectId: id, data: { evidenceFiles: orphans.length, credentialsKept: credentials.length } });
    return { orphans, kept: credentials.length };
  });
  // Files go after the commit (a rollback must never leave rows pointing at deleted files), each under its lock and
  // only if still unreferenced: another returnee may have uploaded the same bytes since.
  for (const h of orphans) await removeUnreferencedFile(ctx, h);
  return { evidenceFilesDeleted: orphans.length, keptForCredentials: kept };
}
