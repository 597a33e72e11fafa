import { proofCreated } from '../credentials/signing-key.js';
import { AQRF_ACRONYM, isNationalLevel, isReferenceLevel } from './alignments.js';
import { toInstant } from './dates.js';
import { aqrfLevelFor } from './mapping-rules.js';
import { accreditationVerdict } from './scope.js';
import type { Check, RegistrySnapshot } from './snapshot.js';
import type { Qualification } from './types.js';

/*
 * Pure: runs unchanged in the browser over the trust bundle. It reads the credential as untrusted JSON (the
 * signature is checked elsewhere) and never throws for a malformed document: that is a failed check.
 */

export interface RegistryCheckOptions {
  /** Defaults to the credential's `validFrom` (VC 2.0) or `issuanceDate` (VC 1.1); accreditation is also checked when it was signed. */
  issueDate?: string;
}

interface AlignmentLike {
  targetName?: unknown;
  targetUrl?: unknown;
  targetFramework?: unknown;
  targetCode?: unknown;
  targetType?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const pass = (id: string, message: string, data?: Record<string, unknown>): Check => ({ id, valid: true, status: 'pass', message, ...(data ? { data } : {}) });
const warn = (id: string, code: string, message: string, data?: Record<string, unknown>): Check => ({ id, valid: true, status: 'warn', code, message, ...(data ? { data } : {}) });
const fail = (id: string, code: string, message: string, data?: Record<string, unknown>): Check => ({ id, valid: false, status: 'fail', code, message, ...(data ? { data } : {}) });

function readCredential(credential: unknown) {
  if (!isObject(credential)) return undefined;
  const issuer = isObject(credential.issuer) ? str(credential.issuer.id) : str(credential.issuer);
  const subject = Array.isArray(credential.credentialSubject) ? credential.credentialSubject[0] : credential.credentialSubject;
  const achievement = isObject(subject) && isObject(subject.achievement) ? subject.achievement : undefined;
  const alignment: AlignmentLike[] = Array.isArray(achievement?.alignment) ? achievement.alignment.filter(isObject) : [];
  return {
    issuer,
    achievementId: str(achievement?.id),
    achievementType: str(achievement?.achievementType),
    alignment,
    issued: str(credential.validFrom) ?? str(credential.issuanceDate),
    signedAt: proofCreated(credential),
  };
}

export function checkCredentialAgainstRegistry(
  credential: unknown,
  snapshot: RegistrySnapshot,
  options: RegistryCheckOptions = {},
): Check[] {
  const c = readCredential(credential);
  const issued = toInstant(options.issueDate ?? c?.issued ?? '');
  if (!c || !c.issuer || !c.achievementId || !issued) {
    return [fail('registry', 'invalid_credential', 'The credential has no issuer, achievement id or issue date the registry can check')];
  }
  const checks: Check[] = [];

  // A rotated did:key body signed older credentials under its previous DID, still listed among its keys.
  const issuer = snapshot.issuers.find((i) => i.did === c.issuer || i.verificationMethods.some((vm) => vm.id.startsWith(`${c.issuer}#`)));
  checks.push(
    issuer
      ? pass('issuer_known', `Issued by ${issuer.name} (${issuer.country})`, { issuerId: issuer.id, name: issuer.name, country: issuer.country })
      : fail('issuer_known', 'issuer_unknown', `The issuer ${c.issuer} is not a certifying body in the registry`, { did: c.issuer }),
  );

  const q = snapshot.qualifications.find((x) => x.id === c.achievementId);
  checks.push(
    q
      ? pass('qualification_known', `Qualification ${q.code} is in the catalogue`, { qualificationId: q.id, code: q.code })
      : fail('qualification_known', 'qualification_unknown', `The qualification ${c.achievementId} is not in the catalogue`, { qualificationId: c.achievementId }),
  );
  if (!q) return checks;

  if (issuer) checks.push(accreditationCheck(snapshot, issuer.id, issuer.name, q, { signedAt: c.signedAt ?? issued, validFrom: issued }));
  checks.push(unitsCheck(q, c.alignment, c.achievementType));
  checks.push(nationalLevelCheck(q, c.alignment));
  checks.push(aqrfCheck(snapshot, q, c.alignment, issued));
  return checks;
}

/**
 * Accreditation is checked at the moment the body signed (the proof's `created`), not only on the date the credential
 * says it is valid from: `validFrom` is whatever the signer wrote, and a body whose accreditation ended could otherwise
 * date new credentials back into its accredited years. `validFrom` may precede the signing — a correction or a
 * re-issue after a key compromise keeps the original award date — but the body must have been accredited on that date
 * too, because the credential vouches for the holder from then on; a `validFrom` before the accreditation began is
 * refused. A proof without `created` (signed before Tanda dated its proofs) is checked at `validFrom` alone.
 */
function accreditationCheck(
  snapshot: RegistrySnapshot,
  issuerId: string,
  issuerName: string,
  q: Qualification,
  when: { signedAt: string; validFrom: string },
): Check {
  const moments = [{ at: when.signedAt, what: 'when it signed this credential on' }];
  if (when.validFrom !== when.signedAt) moments.push({ at: when.validFrom, what: 'on the date this credential is valid from,' });
  let accredited: Check | undefined;
  for (const { at, what } of moments) {
    const v = accreditationVerdict(snapshot.accreditations, issuerId, q, at);
    const date = at.slice(0, 10);
    switch (v.status) {
      case 'accredited':
        accredited ??= pass('issuer_accredited', `${issuerName} was accredited for ${q.code} ${what} ${date}`, {
          accreditationId: v.accreditation.id,
          validFrom: v.accreditation.validFrom,
          validUntil: v.accreditation.validUntil,
          at,
        });
        break;
      case 'expired':
        return fail('issuer_accredited', 'accreditation_expired', `${issuerName}'s accreditation for ${q.code} ended on ${v.accreditation.validUntil?.slice(0, 10)}, before ${what.replace(/^(when|on) /, '')} ${date}`, {
          accreditationId: v.accreditation.id,
          validUntil: v.accreditation.validUntil,
          at,
        });
      case 'not_yet_valid':
        return fail('issuer_accredited', 'not_accredited', `${issuerName}'s accreditation for ${q.code} only starts on ${v.accreditation.validFrom.slice(0, 10)}, after ${what.replace(/^(when|on) /, '')} ${date}`, {
          accreditationId: v.accreditation.id,
          validFrom: v.accreditation.validFrom,
          at,
        });
      case 'out_of_scope':
        return fail('issuer_accredited', 'not_accredited', `${issuerName} is not accredited for ${q.code} (${q.country}, ${q.sector})`, { at });
    }
  }
  return accredited!;
}

/** Units are the alignments that name neither a framework nor a type (the lean shape of the credential profile). */
const isUnitAlignment = (a: AlignmentLike) => a.targetType === undefined && a.targetFramework === undefined;

function unitsCheck(q: Qualification, alignment: AlignmentLike[], achievementType: string | undefined): Check {
  const urls = alignment.filter(isUnitAlignment).map((a) => str(a.targetUrl) ?? '');
  const byId = new Map(q.units.map((u) => [u.unitId, u]));
  const foreign = urls.filter((u) => !byId.has(u));
  if (foreign.length > 0) {
    return fail('units_in_qualification', 'unit_not_in_qualification', `${foreign.length} unit(s) do not belong to ${q.code}: ${foreign.join(', ')}`, { units: foreign });
  }
  const achieved = urls.map((u) => byId.get(u)!);
  if (achievementType === 'Certificate') {
    // A full award must satisfy the qualification's rule; a statement of attainment (Competency) lists a subset.
    const missingCore = q.units.filter((u) => u.kind === 'core' && !urls.includes(u.unitId)).map((u) => u.code);
    const electives = achieved.filter((u) => u.kind === 'elective').length;
    if (missingCore.length > 0 || electives < q.awardRule.electives) {
      return fail('units_in_qualification', 'award_rule_not_met', `A full ${q.code} needs every core unit and ${q.awardRule.electives} elective(s)`, {
        missingCore,
        electives,
        electivesRequired: q.awardRule.electives,
      });
    }
  }
  return pass('units_in_qualification', `${achieved.length} unit(s), all part of ${q.code}`, { units: achieved.map((u) => u.code) });
}

function nationalLevelCheck(q: Qualification, alignment: AlignmentLike[]): Check {
  const a = alignment.find(isNationalLevel);
  const expected = { framework: q.frameworkAcronym, level: q.nationalLevel };
  if (!a) return warn('national_level', 'level_absent', `The credential does not state its ${q.frameworkAcronym} level`, expected);
  if (a.targetFramework !== q.frameworkAcronym || a.targetCode !== String(q.nationalLevel)) {
    return fail('national_level', 'level_mismatch', `The credential states ${str(a.targetFramework)} level ${str(a.targetCode)}; the catalogue has ${q.frameworkAcronym} level ${q.nationalLevel}`, {
      ...expected,
      stated: { framework: a.targetFramework, level: a.targetCode },
    });
  }
  return pass('national_level', `${q.frameworkAcronym} level ${q.nationalLevel}`, expected);
}

/**
 * Official mappings pass; provisional ones warn, because they do not come from an endorsed referencing report and
 * an employer should not read them as an ASEAN-recognised equivalence. A credential without an AQRF level passes
 * (the level is optional); one stating a level no table in force supports fails.
 */
function aqrfCheck(snapshot: RegistrySnapshot, q: Qualification, alignment: AlignmentLike[], issued: string): Check {
  const a = alignment.find(isReferenceLevel);
  const resolved = aqrfLevelFor(snapshot.mappingTables, q.frameworkId, q.nationalLevel, issued);
  if (!a) {
    return pass('aqrf_level', 'The credential states no AQRF level', { aqrfStatus: 'absent', mappingAvailable: resolved !== undefined });
  }
  const stated = str(a.targetCode);
  if (a.targetFramework !== AQRF_ACRONYM) {
    return fail('aqrf_level', 'level_mismatch', `The reference-framework level names ${str(a.targetFramework)}, not ${AQRF_ACRONYM}`);
  }
  if (!resolved) {
    return fail('aqrf_level', 'level_mismatch', `The credential states AQRF level ${stated}, but no ${q.frameworkAcronym} → AQRF mapping was in force on ${issued.slice(0, 10)}`, { stated });
  }
  const data = {
    aqrfLevel: resolved.aqrfLevel,
    aqrfStatus: resolved.table.status,
    mappingTableId: resolved.table.id,
    source: resolved.table.source,
    citation: resolved.table.citation,
  };
  if (stated !== String(resolved.aqrfLevel)) {
    return fail('aqrf_level', 'level_mismatch', `The credential states AQRF level ${stated}; the mapping in force maps ${q.frameworkAcronym} ${q.nationalLevel} to AQRF ${resolved.aqrfLevel}`, { ...data, stated });
  }
  return resolved.table.status === 'official'
    ? pass('aqrf_level', `AQRF level ${resolved.aqrfLevel} (official referencing)`, data)
    : warn('aqrf_level', 'aqrf_provisional', `AQRF level ${resolved.aqrfLevel} is provisional: not from an endorsed referencing report`, data);
}
