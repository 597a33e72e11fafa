import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { assertAccredited } from '../frameworks/accreditation-repository.js';
import { buildAlignments, pickText } from '../frameworks/alignments.js';
import { getQualification } from '../frameworks/catalogue-repository.js';
import { listMappingTables } from '../frameworks/framework-repository.js';
import type { Qualification } from '../frameworks/types.js';
import { findIssuer } from '../issuers/issuers.js';
import { latestTypeTable } from '../qr/type-table-repository.js';
import { AWARD_CRITERIA, publishTypeTables } from './type-tables.js';
import { buildCredential } from '../credentials/build.js';
import type { CredentialService } from '../credentials/service.js';
import type { Db } from '../db/database.js';
import type { KeyStore } from '../keys/key-store.js';
import { authorize, type Actor } from '../policy/policy.js';
import type { SignedCredential } from '../credentials/sign.js';

export type AwardKind = 'full_qualification' | 'statement_of_attainment';

export interface AwardInput {
  issuerId: string;
  qualificationId: string;
  /** Units assessed Competent, by catalogue id (URL). Not Yet Competent units are never printed. */
  achievedUnitIds: readonly string[];
  holder: { name: string; nameLatin?: string | undefined };
  holderUserId?: string | null;
  caseId?: string | null;
  assessment?: { centre?: string | undefined; country?: string | undefined; date?: string | undefined } | undefined;
  /** Language printed beside English on the certificate (the issuer's national language by default). */
  printLang?: string | undefined;
  validFrom?: Date | undefined;
  /** How and where it was assessed for the credential's `evidence[]` (evidence-wording.ts); never the private documents. */
  evidence?: { name?: string; description: string } | undefined;
  /** Runs in the issuing transaction after the credential is stored (e.g. an RPL case moves to certified). */
  afterStore?: (tx: Executor, signed: SignedCredential) => Promise<void>;
}

export interface IssuedAward {
  credential: SignedCredential;
  kind: AwardKind;
  registryEntryId: number;
  verifyCode: string;
}

/** A full award needs every core unit and the rule's number of electives; anything less is a statement of attainment. */
export function awardKind(qualification: Qualification, achieved: ReadonlySet<string>): AwardKind {
  const core = qualification.units.filter((u) => u.kind === 'core');
  const electives = qualification.units.filter((u) => u.kind === 'elective' && achieved.has(u.unitId)).length;
  return core.every((u) => achieved.has(u.unitId)) && electives >= qualification.awardRule.electives
    ? 'full_qualification'
    : 'statement_of_attainment';
}

// Crockford's base32 without I, L, O, U: read aloud or typed from paper without confusing 1/I/L or 0/O.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function newVerifyCode(): string {
  const chars = Array.from(crypto.randomBytes(10), (b) => CODE_ALPHABET[b % 32]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

const toSeconds = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

export function addYears(iso: string, years: number): string {
  const d = new Date(iso);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return toSeconds(d);
}

/**
 * Issues the credential for one RPL decision: accreditation checked, alignments from the registry, a revocation
 * status entry when status lists are enabled, signed, stored with its award record and QR type table — all in one
 * transaction, so a refusal at any step leaves nothing behind.
 */
/** What issuing an award needs (a narrow view of the composition root). */
export interface AwardDeps {
  db: Db;
  keys: KeyStore;
  credentials: CredentialService;
}

/** `actor`: who issues; the policy lets a certifying officer of the body do it (recorded as the credential's issuer). */
export async function issueAward(deps: AwardDeps, actor: Actor, input: AwardInput): Promise<IssuedAward> {
  authorize(actor, 'issue', { kind: 'award', issuerId: input.issuerId });
  const { db, credentials } = deps;
  const validFrom = toSeconds(input.validFrom ?? new Date());
  const qualification = await getQualification(db.kysely, input.qualificationId);
  if (!qualification) throw new TandaError('not_found', `no qualification ${input.qualificationId} in the catalogue`);
  const issuer = await findIssuer(db.kysely, input.issuerId);
  if (!issuer) throw new TandaError('not_found', `no certifying body ${input.issuerId}`);

  const known = new Set(qualification.units.map((u) => u.unitId));
  const unknown = input.achievedUnitIds.filter((u) => !known.has(u));
  if (unknown.length) throw new TandaError('validation_failed', `units not in ${qualification.code}: ${unknown.join(', ')}`);
  const achieved = new Set(input.achievedUnitIds);
  if (achieved.size === 0) throw new TandaError('validation_failed', 'no unit was assessed Competent: there is nothing to certify');
  const kind = awardKind(qualification, achieved);
  const mappings = await listMappingTables(db.kysely, { frameworkId: qualification.frameworkId });
  const alignment = buildAlignments(qualification, { date: validFrom, mappings, achievedUnitIds: [...achieved] });

  const key = await deps.keys.currentKey(input.issuerId);
  const unsigned = buildCredential({
    issuer: { did: key.issuerDid },
    holder: input.holder,
    achievement: {
      id: qualification.id,
      kind,
      name: pickText(qualification.titles),
      description: pickText(qualification.descriptions ?? qualification.titles),
      criteria: AWARD_CRITERIA[kind],
      alignment,
    },
    validFrom,
    validUntil: qualification.validityYears ? addYears(validFrom, qualification.validityYears) : undefined,
    evidence: input.evidence,
  });

  let registryEntryId = 0;
  const verifyCode = newVerifyCode();
  const credential = await credentials.issue(unsigned, {
    issuerId: input.issuerId,
    issuedBy: actor.id,
    qualificationId: qualification.id,
    caseId: input.caseId ?? null,
    holderUserId: input.holderUserId ?? null,
    kind: 'award',
    beforeSign: async (tx) => {
      // Verifiers check accreditation on validFrom and when the proof was made (now): both must hold.
      await assertAccredited(tx, { issuerId: input.issuerId, qualificationId: qualification.id, date: validFrom });
      await assertAccredited(tx, { issuerId: input.issuerId, qualificationId: qualification.id, date: new Date() });
    },
    afterStore: async (tx, signed) => {
      registryEntryId = await ensureTypeTable(tx, qualification, signed);
      await tx
        .insertInto('awards')
        .values({
          credential_id: signed.id as string,
          qualification_id: qualification.id,
          kind,
          unit_ids: JSON.stringify([...achieved]),
          assessment_centre: input.assessment?.centre ?? null,
          assessment_country: input.assessment?.country ?? null,
          assessment_date: input.assessment?.date ?? null,
          print_lang: input.printLang ?? null,
          registry_entry_id: registryEntryId,
          verify_code: verifyCode,
          created_at: nowIso(),
        })
        .execute();
      await input.afterStore?.(tx, signed);
    },
  });
  return { credential, kind, registryEntryId, verifyCode };
}

/**
 * The CBOR-LD table this credential encodes with: the qualification's newest, published by the registry when the
 * body was accredited, its key made or its award list opened (type-tables.ts). A value the table lacks (a wording,
 * a mapping that changed since) is written uncompressed rather than making a version no verifier has seen. Only
 * when the table lacks the signer's DID, key or status list (a path that did not publish, a list that just filled)
 * is a version published here, so the QR code stays small; verifiers then need their next refresh.
 */
async function ensureTypeTable(tx: Executor, qualification: Qualification, signed: SignedCredential): Promise<number> {
  const issuerDid = typeof signed.issuer === 'object' && signed.issuer ? String((signed.issuer as { id: string }).id) : String(signed.issuer);
  const vm = String(signed.proof.verificationMethod);
  const statusUrl = (signed.credentialStatus as { statusListCredential?: string } | undefined)?.statusListCredential;
  const needed = [issuerDid, vm, ...(statusUrl ? [statusUrl] : [])];
  const latest = await latestTypeTable(tx, qualification.id);
  if (latest && needed.every((u) => latest.source.urls.includes(u))) return latest.registryEntryId;
  await publishTypeTables(tx, undefined, { qualificationIds: [qualification.id], extraUrls: needed });
  const table = await latestTypeTable(tx, qualification.id);
  if (!table) throw new TandaError('internal', `no QR type table for ${qualification.id}`);
  return table.registryEntryId;
}

/**
 * A re-issued credential (correction or renewal) keeps the award it replaces: same qualification, centre and print
 * language, the units it now lists, a new short code, and a QR type table that knows its key and status list.
 */
export async function carryAwardOver(tx: Executor, fromCredentialId: string, signed: SignedCredential): Promise<void> {
  const old = await tx.selectFrom('awards').selectAll().where('credential_id', '=', fromCredentialId).executeTakeFirst();
  if (!old) return;
  const qualification = await getQualification(tx, old.qualification_id);
  const issuerId = (await tx.selectFrom('credentials').select('issuer_id').where('id', '=', fromCredentialId).executeTakeFirst())?.issuer_id;
  const issuer = issuerId ? await findIssuer(tx, issuerId) : undefined;
  if (!qualification || !issuer) return;
  const subject = signed.credentialSubject as { achievement?: { alignment?: Array<{ targetUrl?: string; targetType?: string; targetFramework?: string }> } };
  const unitIds = (subject.achievement?.alignment ?? []).filter((a) => !a.targetType && !a.targetFramework && a.targetUrl).map((a) => a.targetUrl!);
  await tx
    .insertInto('awards')
    .values({
      ...old,
      credential_id: signed.id as string,
      unit_ids: JSON.stringify(unitIds),
      registry_entry_id: await ensureTypeTable(tx, qualification, signed),
      verify_code: newVerifyCode(),
      created_at: nowIso(),
    })
    .execute();
}
