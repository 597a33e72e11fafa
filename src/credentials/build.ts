import crypto from 'node:crypto';
import { OB_V3, TANDA_V1, VC_V2 } from '../jsonld/urls.js';

/** OB 3.0 Alignment, as built by the frameworks registry (units, national level, AQRF level, occupation). */
export interface Alignment {
  /** Written as the string 'Alignment' (see `compactTypes`); a one-item array is the same RDF and is accepted. */
  type: 'Alignment' | ['Alignment'];
  targetName: string;
  targetUrl: string;
  targetCode?: string;
  targetFramework?: string;
  targetType?: string;
  targetDescription?: string;
}

export interface StatusEntry {
  type: 'BitstringStatusListEntry';
  statusPurpose: 'revocation';
  statusListIndex: string;
  statusListCredential: string;
}

/** What one RPL decision awards, in domain terms; `buildCredential` turns it into the signed shape's input. */
export interface Award {
  id?: string;
  /**
   * `name` is optional in OB 3.0 (Profile.name [0..1]) and left out by the catalogue path: a verifier names the
   * body from its registry by DID, never from what a credential says about its own issuer.
   */
  issuer: { did: string; name?: string | undefined };
  holder: { name: string; nameLatin?: string | undefined };
  achievement: {
    id: string;
    kind: 'full_qualification' | 'statement_of_attainment';
    name: string;
    description: string;
    criteria: string;
    /**
     * Optional in OB 3.0 and left out by the catalogue path (4 bytes of QR each): the verifier reads the
     * qualification's code and language from the catalogue by the achievement's id.
     */
    humanCode?: string | undefined;
    inLanguage?: string | undefined;
    alignment: Alignment[];
  };
  validFrom: string;
  validUntil?: string | undefined;
  /** How and where it was assessed, never the private documents. */
  evidence?: { name?: string; description: string } | undefined;
  credentialStatus?: StatusEntry | undefined;
}

export type UnsignedCredential = Record<string, unknown> & { '@context': string[]; id: string };

/**
 * One-item `type` arrays written as plain strings, everywhere in a document. JSON-LD expands `"type": "X"` and
 * `"type": ["X"]` to the same RDF, so the signature is byte-identical (tests/qr/payload.test.ts proves it), and OB
 * 3.0's JSON Schema accepts a string or an array; CBOR-LD spends one byte on each array header, 11 bytes on a
 * 6-unit certificate. The credential's own type keeps its two items.
 */
export function compactTypes<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compactTypes) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'type' && Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' ? v[0] : compactTypes(v);
  }
  return out as T;
}

/**
 * The lean Open Badges 3.0 shape of credential-profile.md: everything the QR code has to carry and nothing more
 * (no per-unit results, no hashed national ID, one status entry without id, one-item types as strings), since the
 * paper copy is forever. What the verifier takes from the registry by id (issuer name, qualification code and
 * language) is left to the registry when the caller does not pass it.
 */
export function buildCredential(award: Award): UnsignedCredential {
  const identifier: Record<string, unknown>[] = [
    { type: 'IdentityObject', identityHash: award.holder.name.normalize('NFC'), identityType: 'name', hashed: false },
  ];
  if (award.holder.nameLatin && award.holder.nameLatin !== award.holder.name) {
    identifier.push({
      type: 'IdentityObject',
      identityHash: award.holder.nameLatin.normalize('NFC'),
      identityType: 'ext:nameLatin',
      hashed: false,
    });
  }
  const a = award.achievement;
  const credential: UnsignedCredential = {
    '@context': [VC_V2, OB_V3, TANDA_V1],
    id: award.id ?? `urn:uuid:${crypto.randomUUID()}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: a.name,
    issuer: { id: award.issuer.did, type: 'Profile', ...(award.issuer.name ? { name: award.issuer.name } : {}) },
    validFrom: award.validFrom,
    ...(award.validUntil ? { validUntil: award.validUntil } : {}),
    credentialSubject: {
      type: 'AchievementSubject',
      identifier,
      achievement: {
        id: a.id,
        type: 'Achievement',
        achievementType: a.kind === 'full_qualification' ? 'Certificate' : 'Competency',
        name: a.name,
        description: a.description,
        criteria: { narrative: a.criteria },
        ...(a.humanCode ? { humanCode: a.humanCode } : {}),
        ...(a.inLanguage ? { inLanguage: a.inLanguage } : {}),
        alignment: a.alignment,
      },
    },
    ...(award.evidence ? { evidence: [{ type: 'Evidence', ...award.evidence }] } : {}),
    ...(award.credentialStatus ? { credentialStatus: award.credentialStatus } : {}),
  };
  return compactTypes(credential);
}

/** The holder's name as printed (and its Latin form), read back from a credential. */
export function holderNames(credential: Record<string, unknown>): { name?: string; nameLatin?: string } {
  const subject = credential.credentialSubject as { identifier?: Array<{ identityType?: string; identityHash?: string }> } | undefined;
  const ids = Array.isArray(subject?.identifier) ? subject.identifier : [];
  const name = ids.find((i) => i.identityType === 'name')?.identityHash;
  const nameLatin = ids.find((i) => i.identityType === 'ext:nameLatin')?.identityHash;
  return { ...(name ? { name } : {}), ...(nameLatin ? { nameLatin } : {}) };
}
