import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { signCredential } from '../../src/credentials/sign.js';
import type { DocumentLoader } from '../../src/jsonld/loader.js';
import { createCachedSigner } from '../../src/keys/signer.js';
import { OB_V3, TANDA_V1, VC_V2 } from '../../src/jsonld/urls.js';
import { buildCredential } from '../../src/credentials/build.js';
import { qualificationTableSource, type QualificationTableInput } from '../../src/qr/table-source.js';

/**
 * The typical certificate of issue 6 in the lean shape of credential-profile.md: a 30-character holder name, a
 * KKNI level 2 qualification with 6 (or 12) units, national + AQRF level, one status entry without id, a proof
 * dated with `created`, built by src/credentials/build.ts so that what is measured is what is issued.
 */
/** When the fixtures' proofs say they were made (fixed, so every run signs the same bytes). */
export const SIGNED_AT = '2026-10-20T08:15:42Z';

export const HOLDER_NAME = 'Siti Rahmawati Putri Handayani'; // 30 characters

/**
 * The holders of issue 13: a 30-character Latin name, and 12-character Khmer and Burmese names (3 bytes a character
 * in UTF-8, 34 and 36 bytes) each with the Latin transliteration the certificate prints under it.
 */
export const HOLDERS = {
  latin: { name: HOLDER_NAME },
  khmer: { name: 'សុខ ចាន់ធីតា', nameLatin: 'Sok Chanthida' },
  burmese: { name: 'မောင်မြင့်ဦး', nameLatin: 'Maung Myint Oo' },
} as const satisfies Record<string, { name: string; nameLatin?: string }>;
export type HolderScript = keyof typeof HOLDERS;

const UNIT_TITLES = [
  'Comply with workplace hygiene procedures',
  'Provide housekeeping services to guests',
  'Clean and prepare rooms for incoming guests',
  'Clean public areas, facilities and equipment',
  'Provide valet service to guests in rooms',
  'Handle and launder guest linen and clothing',
  'Work effectively with colleagues and guests',
  'Follow health, safety and security procedures',
  'Develop and update hospitality industry knowledge',
  'Perform effective workplace communication',
  'Provide first aid in the workplace setting',
  'Set up and operate a minibar in guest rooms',
];

export const QUALIFICATION_ID = 'kkni-hk-2';

export function catalogue(unitCount: number, issuerDid: string): QualificationTableInput {
  return {
    issuer: { did: issuerDid, name: 'LSP Perhotelan Nusantara', verificationMethods: [`${issuerDid}#${issuerDid.slice('did:key:'.length)}`] },
    statusListUrls: ['https://tanda.example/status/1', 'https://tanda.example/status/2'],
    qualification: {
      url: 'https://tanda.example/q/kkni-hk-2',
      name: 'Housekeeping — Room Attendant',
      description: 'Competent to prepare and clean guest rooms and public areas in hotels to industry standard.',
      criteria: 'Assessed competent in every core unit of the SKKNI housekeeping scheme by an accredited assessor.',
      humanCode: 'HK-RA-2',
      inLanguage: 'id',
    },
    levels: [
      { url: 'https://tanda.example/frameworks/kkni/2', name: 'KKNI Level 2', framework: 'KKNI', code: '2' },
      { url: 'https://tanda.example/frameworks/aqrf/2', name: 'AQRF Level 2', framework: 'AQRF', code: '2' },
    ],
    units: UNIT_TITLES.slice(0, unitCount).map((title, i) => ({
      url: `https://tanda.example/units/D1.HHK.CL3.${String(i + 1).padStart(2, '0')}`,
      title,
    })),
  };
}

export const tableSourceFor = (unitCount: number, issuerDid: string) => qualificationTableSource(catalogue(unitCount, issuerDid));

export function leanCredential(
  unitCount: number,
  issuerDid: string,
  extContext: string = TANDA_V1,
  holder: { name: string; nameLatin?: string } = HOLDERS.latin,
): Record<string, unknown> {
  const c = catalogue(unitCount, issuerDid);
  const q = c.qualification;
  const credential = buildCredential({
    id: 'urn:uuid:6f1c2f4e-9b7a-4d2e-8c51-2a9d7f3b0e14',
    issuer: { did: issuerDid },
    holder,
    achievement: {
      id: q.url,
      kind: 'full_qualification',
      name: q.name,
      description: q.description,
      criteria: q.criteria,
      alignment: [
        ...c.units.map((u) => ({ type: ['Alignment'] as ['Alignment'], targetName: u.title, targetUrl: u.url })),
        // As buildAlignments writes levels since 2026-11-28: no targetType (frameworks/alignments.ts isNationalLevel).
        ...c.levels.map((level) => ({
          type: ['Alignment'] as ['Alignment'],
          targetName: level.name,
          targetUrl: level.url,
          targetFramework: level.framework,
          targetCode: level.code,
        })),
      ],
    },
    validFrom: '2026-10-20T00:00:00Z',
    validUntil: '2031-10-20T00:00:00Z',
    credentialStatus: {
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '94567',
      statusListCredential: c.statusListUrls[0]!,
    },
  });
  return { ...credential, '@context': [VC_V2, OB_V3, extContext] };
}

export interface TestIssuer {
  did: string;
  sign(credential: Record<string, unknown>, documentLoader: DocumentLoader): Promise<Record<string, unknown>>;
}

/** A did:key issuer from a fixed seed, so every run signs the same bytes; signs like the product (`created` to the second). */
export async function testIssuer(): Promise<TestIssuer> {
  const key = await Ed25519Multikey.generate({ seed: new Uint8Array(32).fill(7) });
  const did = `did:key:${key.publicKeyMultibase}`;
  const signer = await createCachedSigner(`${did}#${key.publicKeyMultibase}`, key.secretKeyMultibase!, key.publicKeyMultibase);
  return {
    did,
    sign: (credential, documentLoader) => signCredential(credential, { signer, documentLoader, created: SIGNED_AT }),
  };
}
