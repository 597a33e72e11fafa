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
import { qualificationTableSource } from '../qr/table-source.js';
import { addTypeTableVersion, latestTypeTable } from '../qr/type-table-repository.js';
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
  /** How and where it was assessed (methods, place) for the credential's `evidence[]`; never the private documents. */
  evidence?: { description: string } | undefined;
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

function addYears(iso: string, years: number): string {
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
      criteria:
        kind === 'full_qualification'
          ? 'Assessed competent in every core unit of the qualification through Recognition of Prior Learning.'
          : 'Assessed competent in the units listed through Recognition of Prior Learning.',
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
      registryEntryId = await ensureTypeTable(tx, qualification, issuer.name, signed);
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
 * The CBOR-LD table this credential encodes with: the qualification's newest one if it already knows this issuer's
 * key and status list, else a new version (tables are frozen once created, so printed codes keep decoding).
 */
async function ensureTypeTable(tx: Executor, qualification: Qualification, issuerName: string, signed: SignedCredential): Promise<number> {
  const issuerDid = typeof signed.issuer === 'object' && signed.issuer ? String((signed.issuer as { id: string }).id) : String(signed.issuer);
  const vm = String(signed.proof.verificationMethod);
  const statusUrl = (signed.credentialStatus as { statusListCredential?: string } | undefined)?.statusListCredential;
  const latest = await latestTypeTable(tx, qualification.id);
  // Evidence wording (place and methods of assessment) recurs across a cohort: in the table it costs 2-3 bytes of
  // QR payload instead of ~50, which keeps a typical credential with evidence inside QR version 16.
  const evidence = (Array.isArray(signed.evidence) ? signed.evidence : []) as Array<{ name?: string; description?: string }>;
  const evidenceStrings = evidence.flatMap((e) => [e.name, e.description]).filter((v): v is string => typeof v === 'string');
  const needed = [issuerDid, vm, ...(statusUrl ? [statusUrl] : [])];
  if (latest && needed.every((u) => latest.source.urls.includes(u)) && evidenceStrings.every((v) => latest.source.strings.includes(v))) {
    return latest.registryEntryId;
  }

  const subject = signed.credentialSubject as { achievement: { alignment: Array<{ targetName: string; targetUrl: string; targetFramework?: string; targetCode?: string; targetType?: string }> } };
  const levels = subject.achievement.alignment
    .filter((a) => a.targetType)
    .map((a) => ({ url: a.targetUrl, name: a.targetName, framework: a.targetFramework ?? '', code: a.targetCode ?? '' }));
  const source = qualificationTableSource({
    issuer: { did: issuerDid, name: issuerName, verificationMethods: [vm] },
    statusListUrls: statusUrl ? [statusUrl] : [],
    qualification: {
      url: qualification.id,
      name: pickText(qualification.titles),
      description: pickText(qualification.descriptions ?? qualification.titles),
      criteria: String((signed.credentialSubject as { achievement: { criteria: { narrative: string } } }).achievement.criteria.narrative),
    },
    levels,
    units: qualification.units.map((u) => ({ url: u.unitId, title: pickText(u.titles) })),
    extraStrings: [
      'Assessed competent in every core unit of the qualification through Recognition of Prior Learning.',
      'Assessed competent in the units listed through Recognition of Prior Learning.',
      ...evidenceStrings,
      // Earlier wording stays in the new version, so the next credential with it needs no further version.
      ...(latest?.source.strings ?? []),
    ],
  });
  return (await addTypeTableVersion(tx, qualification.id, source)).registryEntryId;
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
      registry_entry_id: await ensureTypeTable(tx, qualification, issuer.name, signed),
      verify_code: newVerifyCode(),
      created_at: nowIso(),
    })
    .execute();
}
