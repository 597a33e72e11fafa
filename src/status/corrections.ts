import { isNationalLevel, isReferenceLevel } from '../frameworks/alignments.js';
import type { Alignment } from '../credentials/build.js';
import { TandaError } from '../errors.js';

export interface Corrections {
  /** The holder's name as it must be printed (NFC-normalised). */
  holderName?: string;
  /** The Latin transliteration; null removes it. */
  holderNameLatin?: string | null;
  /** Units (or levels) to add; an alignment whose targetUrl is already present is refused. */
  addAlignments?: Alignment[];
  /** Renewal: a new validity period from `validFrom`. */
  validity?: { validFrom: string; validUntil: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The same award, unsigned, to be signed again by the body's current key (a did:key body's DID changed with its key):
 * a fresh id, no proof and no status entry (issuing allocates a new one); every claim and date as it was.
 */
export function successorDraft(original: Record<string, unknown>, issuerDid: string): Record<string, unknown> {
  const next: Record<string, unknown> = structuredClone(original);
  delete next.proof;
  delete next.credentialStatus;
  delete next.id;
  next.issuer = isObject(next.issuer) ? { ...next.issuer, id: issuerDid } : issuerDid;
  return next;
}

/**
 * The unsigned successor of a credential: the same award with the corrections applied, a fresh id, no proof and no
 * status entry (issuing allocates a new one). The original validity period is kept unless it is a renewal: correcting
 * a name must not extend a certification.
 */
export function correctedCredential(original: Record<string, unknown>, corrections: Corrections, issuerDid: string): Record<string, unknown> {
  const next = successorDraft(original, issuerDid);
  const subject = next.credentialSubject;
  if (!isObject(subject)) throw new TandaError('invalid_credential', 'the original credential has no credentialSubject object');
  let changed = false;

  if (corrections.holderName !== undefined || corrections.holderNameLatin !== undefined) {
    const ids = (Array.isArray(subject.identifier) ? subject.identifier : []).filter(isObject);
    const byType = (t: string) => ids.find((i) => i.identityType === t);
    const setName = (type: string, value: string | null) => {
      const existing = byType(type);
      if (value === null) {
        if (existing) ids.splice(ids.indexOf(existing), 1);
      } else if (existing) existing.identityHash = value.normalize('NFC');
      else ids.push({ type: 'IdentityObject', identityHash: value.normalize('NFC'), identityType: type, hashed: false });
    };
    if (corrections.holderName !== undefined) setName('name', corrections.holderName);
    if (corrections.holderNameLatin !== undefined) setName('ext:nameLatin', corrections.holderNameLatin);
    const name = byType('name');
    const latin = byType('ext:nameLatin');
    if (name && latin && latin.identityHash === name.identityHash) ids.splice(ids.indexOf(latin), 1);
    subject.identifier = ids;
    changed = true;
  }

  if (corrections.addAlignments?.length) {
    const achievement = subject.achievement;
    if (!isObject(achievement)) throw new TandaError('invalid_credential', 'the original credential has no achievement');
    const alignment = Array.isArray(achievement.alignment) ? achievement.alignment.filter(isObject) : [];
    const present = new Set(alignment.map((a) => a.targetUrl));
    for (const a of corrections.addAlignments) {
      if (present.has(a.targetUrl)) throw new TandaError('validation_failed', `the credential already aligns to ${a.targetUrl}`);
      present.add(a.targetUrl);
    }
    // New units go before the level alignments, so units stay together as the certificate prints them.
    const levels = alignment.filter((a) => isNationalLevel(a) || isReferenceLevel(a));
    const units = alignment.filter((a) => !levels.includes(a));
    achievement.alignment = [...units, ...corrections.addAlignments, ...levels];
    changed = true;
  }

  if (corrections.validity) {
    next.validFrom = corrections.validity.validFrom;
    next.validUntil = corrections.validity.validUntil;
    changed = true;
  }
  if (!changed) throw new TandaError('validation_failed', 'a re-issue needs at least one correction (name, units) or a renewal');
  // The successor takes today's lean shape (credentials/build.ts) whatever shape the original was printed in.
  if (isObject(next.issuer)) delete next.issuer.name;
  if (isObject(subject.achievement)) {
    delete subject.achievement.humanCode;
    delete subject.achievement.inLanguage;
  }
  return next;
}
