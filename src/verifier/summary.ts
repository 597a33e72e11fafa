import { isNationalLevel, isReferenceLevel } from '../frameworks/alignments.js';
import type { CredentialSummary, VerdictCheck } from './verdict.js';
import type { VerifierData } from './verifier-data.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * What the employer reads under the verdict, from the signed credential and the registry's catalogue (titles in
 * every language the catalogue has). Display only: every claim shown here was judged by a check.
 */
export function summarise(credential: Record<string, unknown>, checks: readonly VerdictCheck[], data: VerifierData): CredentialSummary {
  const subject = (Array.isArray(credential.credentialSubject) ? credential.credentialSubject[0] : credential.credentialSubject) as unknown;
  const s = isObject(subject) ? subject : {};
  const ids = Array.isArray(s.identifier) ? s.identifier.filter(isObject) : [];
  const achievement = isObject(s.achievement) ? s.achievement : {};
  const alignment = Array.isArray(achievement.alignment) ? achievement.alignment.filter(isObject) : [];
  const q = data.qualification(str(achievement.id) ?? '');
  const issuerRef = credential.issuer;
  const issuerDid = isObject(issuerRef) ? str(issuerRef.id) : str(issuerRef);
  const registryIssuer = issuerDid ? data.issuerByDid(issuerDid) : undefined;
  const byId = (id: string) => checks.find((c) => c.id === id);

  const units = alignment
    .filter((a) => a.targetType === undefined && a.targetFramework === undefined)
    .map((a) => {
      const url = str(a.targetUrl) ?? '';
      const unit = q?.units.find((u) => u.unitId === url);
      return { id: url, text: str(a.targetName) ?? unit?.titles.en ?? url, titles: unit?.titles ?? {}, ...(unit ? { code: unit.code } : {}) };
    });
  const national = alignment.find(isNationalLevel);
  const aqrfCheck = byId('aqrf_level');
  const aqrfData = aqrfCheck?.data ?? {};
  const statedAqrf = alignment.find(isReferenceLevel);
  const accreditation = byId('issuer_accredited');
  const status = byId('status');

  const summary: CredentialSummary = {
    qualification: {
      text: str(achievement.name) ?? q?.titles.en ?? '',
      titles: q?.titles ?? {},
      ...(q ? { id: q.id, code: q.code } : str(achievement.humanCode) ? { code: str(achievement.humanCode)! } : {}),
      ...(str(achievement.achievementType) ? { kind: str(achievement.achievementType)! } : {}),
    },
    units,
    issuer: {
      ...(issuerDid ? { did: issuerDid } : {}),
      ...(registryIssuer ? { name: registryIssuer.name, country: registryIssuer.country } : isObject(issuerRef) && str(issuerRef.name) ? { name: str(issuerRef.name)! } : {}),
    },
    status: !status
      ? { state: 'none' }
      : status.code === 'revoked'
        ? { state: 'revoked', asOf: String(status.data?.asOf ?? '') }
        : status.code === 'status_stale'
          ? { state: 'stale', asOf: String(status.data?.asOf ?? '') }
          : status.status === 'pass'
            ? { state: 'not_revoked', asOf: String(status.data?.asOf ?? '') }
            : { state: 'unknown' },
  };
  const name = ids.find((i) => i.identityType === 'name');
  const latin = ids.find((i) => i.identityType === 'ext:nameLatin');
  if (str(name?.identityHash)) summary.holderName = str(name!.identityHash)!;
  if (str(latin?.identityHash)) summary.holderNameLatin = str(latin!.identityHash)!;
  if (national) summary.nationalLevel = { framework: str(national.targetFramework) ?? '', level: str(national.targetCode) ?? '' };
  if (statedAqrf && typeof aqrfData.aqrfLevel === 'number' && (aqrfData.aqrfStatus === 'official' || aqrfData.aqrfStatus === 'provisional')) {
    summary.aqrfLevel = { level: aqrfData.aqrfLevel, status: aqrfData.aqrfStatus, ...(str(aqrfData.source) ? { source: str(aqrfData.source)! } : {}) };
  }
  if (accreditation?.data) {
    summary.accreditation = {
      ...(str(accreditation.data.validFrom) ? { validFrom: str(accreditation.data.validFrom)! } : {}),
      validUntil: str(accreditation.data.validUntil) ?? null,
    };
  }
  const from = str(credential.validFrom) ?? str(credential.issuanceDate);
  const until = str(credential.validUntil) ?? str(credential.expirationDate);
  if (from) summary.validFrom = from;
  if (until) summary.validUntil = until;
  return summary;
}
