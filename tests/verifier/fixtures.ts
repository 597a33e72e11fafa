import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import { createCredential, createList } from '@digitalbazaar/vc-bitstring-status-list';
import { buildCredential, type Alignment } from '../../src/credentials/build.js';
import { NATIONAL_LEVEL_TYPE, REFERENCE_LEVEL_TYPE } from '../../src/frameworks/alignments.js';
import type { RegistrySnapshot, SnapshotIssuer } from '../../src/frameworks/snapshot.js';
import type { Accreditation, MappingTable, Qualification } from '../../src/frameworks/types.js';
import { levelUrl } from '../../src/frameworks/urls.js';
import { bundledContexts, nodeDocumentLoader } from '../../src/jsonld/index.js';
import type { Signer } from '../../src/keys/signer.js';
import { encodeCredentialQr } from '../../src/qr/payload.js';
import { qualificationTableSource } from '../../src/qr/table-source.js';
import { typeTableLoaderFrom, type TypeTableEntry } from '../../src/qr/type-table.js';
import { TRUST_BUNDLE_CONTEXT, TRUST_BUNDLE_FORMAT, TRUST_BUNDLE_TYPE, type StatusListSnapshot, type TrustBundle } from '../../src/trust/bundle.js';
import { contextHashes } from '../../src/trust/context-hashes.js';
import { signTrustBundle } from '../../src/trust/sign.js';

/*
 * Verification vectors shared by the Node pipeline test, the browser test and the benchmark: one registry, one
 * signed trust bundle (and a stale twin), and a QR payload per check outcome with the verdict it must get. Dates
 * are relative to the real clock so that the browser (which uses its own clock) reaches the same verdicts.
 */

const DAY = 86_400_000;
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

export interface KeyHolder {
  did: string;
  vm: string;
  signer: Signer;
  publicKeyMultibase: string;
  sign(doc: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export async function keyFromSeed(seed: number): Promise<KeyHolder> {
  const generated = await Ed25519Multikey.generate({ seed: new Uint8Array(32).fill(seed) });
  const did = `did:key:${generated.publicKeyMultibase}`;
  const vm = `${did}#${generated.publicKeyMultibase}`;
  const key = await Ed25519Multikey.from({ id: vm, controller: did, publicKeyMultibase: generated.publicKeyMultibase, secretKeyMultibase: generated.secretKeyMultibase! });
  const signer = key.signer() as Signer;
  const loader = nodeDocumentLoader();
  return {
    did,
    vm,
    signer,
    publicKeyMultibase: generated.publicKeyMultibase,
    sign: (doc) => vc.issue({ credential: structuredClone(doc), suite: new DataIntegrityProof({ signer, date: null, cryptosuite: eddsaRdfc2022 }), documentLoader: loader }),
  };
}

export const QUALIFICATION_ID = 'https://tanda.example/qualifications/test-housekeeping-nc2';
export const PROVISIONAL_QUALIFICATION_ID = 'https://tanda.example/qualifications/test-bookkeeping-level4';
export const HOLDER = 'Maria Clara Dela Cruz Santos';
export const STATUS_LIST_URL = 'https://tanda.test/status/list-1';
const UNKNOWN_LIST_URL = 'https://tanda.test/status/not-in-bundle';
const STALE_LIST_URL = 'https://tanda.test/status/stale';
/** A list of VC API credentials (kind `general`): an entry in it marks a credential that is not a registry award. */
const GENERAL_LIST_URL = 'https://tanda.test/status/general';
/** An index of the award list held by a credential signed through the VC API before lists had kinds. */
const LEGACY_NON_AWARD_INDEX = 777;
export const REVOKED_INDEX = 4242;
const TABLE_ID = 100;

const UNITS = ['Provide housekeeping services to guests', 'Clean and prepare rooms for incoming guests', 'Provide valet/butler service', 'Laundry linen and guest clothes', 'Clean public areas, facilities and equipment', 'Deal with intoxicated guests'].map(
  (title, i) => ({ unitId: `https://tanda.example/units/TRS51231${i + 1}`, code: `TRS51231${i + 1}`, titles: { en: title, fil: `${title} (fil)` }, kind: 'core' as const }),
);

function qualification(id: string, code: string, frameworkId: string, acronym: string, level: number, country: string, sector: string): Qualification {
  return {
    id,
    code,
    titles: { en: `${code} title`, fil: `${code} pamagat` },
    descriptions: null,
    frameworkId,
    frameworkAcronym: acronym,
    nationalLevel: level,
    country,
    sector,
    occupation: null,
    awardRule: { electives: 0 },
    validityYears: 5,
    units: UNITS,
    source: null,
    demo: true,
  };
}

function mapping(id: string, frameworkId: string, status: 'official' | 'provisional', from: string): MappingTable {
  return {
    id,
    frameworkId,
    status,
    source: status === 'official' ? 'Endorsed AQRF referencing report (test)' : 'Illustrative table (test)',
    citation: null,
    validFrom: from,
    validUntil: null,
    createdAt: from,
    entries: Array.from({ length: 8 }, (_, i) => ({ nationalLevel: i + 1, aqrfLevel: i + 1 })),
  };
}

const snapshotIssuer = (id: string, name: string, country: string, key: KeyHolder): SnapshotIssuer => ({
  id,
  name,
  country,
  did: key.did,
  url: null,
  verificationMethods: [{ id: key.vm, publicKeyMultibase: key.publicKeyMultibase, status: 'current', createdAt: '2024-01-01T00:00:00.000Z', retiredAt: null }],
});

export interface Vector {
  name: string;
  payload: string;
  /** Which bundle the verifier holds. */
  bundle: 'current' | 'stale';
  verdict: 'VALID' | 'VALID_WITH_WARNINGS' | 'INVALID';
  /** The one check (id and code) whose outcome the vector is about; for VALID, none. */
  expect?: { id: string; status: 'fail' | 'warn'; code: string };
  holder?: string;
}

export interface VectorSet {
  authority: string;
  bundle: TrustBundle;
  staleBundle: TrustBundle;
  /** The same bundle content with a forged accreditation added after signing. */
  tamperedBundle: TrustBundle;
  /** A correctly signed bundle from another authority. */
  foreignBundle: TrustBundle;
  vectors: Vector[];
}

async function statusList(
  url: string,
  issuer: KeyHolder,
  validFrom: string,
  validUntil: string,
  revoked: number[] = [],
  kind: 'award' | 'general' = 'award',
  nonAwardIndices?: number[],
): Promise<StatusListSnapshot> {
  const list = await createList({ length: 131_072 });
  for (const i of revoked) list.setStatus(i, true);
  const unsigned = await createCredential({ id: url, list, statusPurpose: 'revocation' });
  const credential = await issuer.sign({ ...unsigned, issuer: issuer.did, validFrom, validUntil });
  return { url, validUntil, credential, kind, ...(nonAwardIndices ? { nonAwardIndices } : {}) };
}

export async function buildVectorSet(now = Date.now()): Promise<VectorSet> {
  const documentLoader = nodeDocumentLoader();
  const [authority, accredited, unaccredited, outsider, formerly, otherAuthority] = (await Promise.all([51, 52, 53, 54, 55, 56].map(keyFromSeed))) as [KeyHolder, KeyHolder, KeyHolder, KeyHolder, KeyHolder, KeyHolder];
  const issued = iso(now - 30 * DAY);
  const longAgo = iso(now - 3 * 365 * DAY);

  const accreditation = (id: string, issuerId: string, from: string, until: string | null): Accreditation => ({
    id,
    issuerId,
    country: 'PH',
    frameworkId: 'ph-pqf',
    qualificationIds: [QUALIFICATION_ID, PROVISIONAL_QUALIFICATION_ID],
    sectors: [],
    validFrom: from,
    validUntil: until,
    accreditedBy: 'Test accreditation',
    reference: null,
  });
  const registry: RegistrySnapshot = {
    version: 1,
    generatedAt: iso(now - DAY),
    issuers: [
      snapshotIssuer('accredited', 'TESDA Test Region', 'PH', accredited),
      snapshotIssuer('unaccredited', 'Unaccredited Training Centre', 'PH', unaccredited),
      snapshotIssuer('formerly', 'Formerly Accredited Centre', 'PH', formerly),
    ],
    accreditations: [
      accreditation('acc-1', 'accredited', longAgo, null),
      accreditation('acc-2', 'formerly', longAgo, iso(now - 60 * DAY)),
    ],
    assessmentCentres: [],
    frameworks: [],
    mappingTables: [mapping('pqf-official', 'ph-pqf', 'official', longAgo), mapping('kkni-provisional', 'id-kkni', 'provisional', longAgo)],
    qualifications: [
      qualification(QUALIFICATION_ID, 'TEST-HSK-NC2', 'ph-pqf', 'PQF', 2, 'PH', 'Tourism'),
      { ...qualification(PROVISIONAL_QUALIFICATION_ID, 'TEST-BK-4', 'id-kkni', 'KKNI', 4, 'PH', 'Finance'), country: 'PH' },
    ],
  };
  // The KKNI qualification's accreditation scope names it directly but lists the PQF framework; make it match.
  registry.accreditations.push({ ...accreditation('acc-3', 'accredited', longAgo, null), frameworkId: 'id-kkni' });

  const tableInput = (issuer: KeyHolder) =>
    qualificationTableSource({
      issuer: { did: issuer.did, name: 'TESDA Test Region', verificationMethods: [issuer.vm] },
      statusListUrls: [STATUS_LIST_URL],
      qualification: { url: QUALIFICATION_ID, name: 'Housekeeping NC II', description: 'Cleans and prepares guest rooms.', criteria: 'All core units competent.', humanCode: 'TEST-HSK-NC2' },
      levels: [
        { url: levelUrl('ph-pqf', 2), name: 'PQF Level 2', framework: 'PQF', code: '2' },
        { url: levelUrl('aqrf', 2), name: 'AQRF Level 2', framework: 'AQRF', code: '2' },
      ],
      units: UNITS.map((u) => ({ url: u.unitId, title: u.titles.en })),
    });
  const typeTables: TypeTableEntry[] = [{ registryEntryId: TABLE_ID, source: tableInput(accredited) }];
  const typeTableLoader = typeTableLoaderFrom([...typeTables, { registryEntryId: 999, source: tableInput(accredited) }]);

  const statusLists = [
    await statusList(STATUS_LIST_URL, accredited, issued, iso(now + 30 * DAY), [REVOKED_INDEX], 'award', [LEGACY_NON_AWARD_INDEX]),
    await statusList(STALE_LIST_URL, accredited, iso(now - 20 * DAY), iso(now - 10 * DAY)),
    await statusList(GENERAL_LIST_URL, accredited, issued, iso(now + 30 * DAY), [], 'general'),
  ];
  const contexts = bundledContexts();
  const unsigned = {
    '@context': [TRUST_BUNDLE_CONTEXT] as [typeof TRUST_BUNDLE_CONTEXT],
    type: TRUST_BUNDLE_TYPE,
    format: TRUST_BUNDLE_FORMAT,
    serial: now,
    issued: iso(now - DAY),
    validUntil: iso(now + 6 * DAY),
    authority: authority.did,
    registry,
    statusLists,
    typeTables,
    contexts: await contextHashes(contexts),
  } as const;
  const bundle = await signTrustBundle(structuredClone(unsigned) as never, authority.signer, documentLoader);
  const staleBundle = await signTrustBundle({ ...structuredClone(unsigned), serial: now - 20 * DAY, issued: iso(now - 20 * DAY), validUntil: iso(now - 13 * DAY) } as never, authority.signer, documentLoader);
  const tamperedBundle = structuredClone(bundle);
  tamperedBundle.registry.accreditations.push(accreditation('forged', 'unaccredited', longAgo, null));
  const foreignBundle = await signTrustBundle({ ...structuredClone(unsigned), authority: otherAuthority.did } as never, otherAuthority.signer, documentLoader);

  interface Variant {
    issuer?: KeyHolder;
    achievementId?: string;
    levels?: Alignment[];
    units?: Alignment[];
    validFrom?: string;
    validUntil?: string;
    status?: { list: string; index: number } | null;
    holder?: string;
    tableId?: number;
  }
  const encode = async (v: Variant = {}) => {
    const issuer = v.issuer ?? accredited;
    const status = v.status === undefined ? { list: STATUS_LIST_URL, index: 17 } : v.status;
    const credential = buildCredential({
      id: 'urn:uuid:0b7e4c1e-8f4a-4f4c-9a57-3c0c6f1f7a11',
      issuer: { did: issuer.did, name: 'TESDA Test Region' },
      holder: { name: v.holder ?? HOLDER },
      achievement: {
        id: v.achievementId ?? QUALIFICATION_ID,
        kind: 'full_qualification',
        name: 'Housekeeping NC II',
        description: 'Cleans and prepares guest rooms.',
        criteria: 'All core units competent.',
        humanCode: 'TEST-HSK-NC2',
        alignment: [
          ...(v.units ?? UNITS.map((u) => ({ type: ['Alignment'] as ['Alignment'], targetName: u.titles.en, targetUrl: u.unitId }))),
          ...(v.levels ?? levels('PQF', 'ph-pqf', 2, 2)),
        ],
      },
      validFrom: v.validFrom ?? issued,
      validUntil: v.validUntil ?? iso(now + 5 * 365 * DAY),
      ...(status ? { credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(status.index), statusListCredential: status.list } } : {}),
    });
    const signed = await issuer.sign(credential);
    return { signed, payload: (await encodeCredentialQr(signed, { registryEntryId: v.tableId ?? TABLE_ID, typeTableLoader, documentLoader })).payload };
  };

  const valid = await encode();
  const forged = structuredClone(valid.signed) as { credentialSubject: { identifier: Array<{ identityHash: string }> } };
  forged.credentialSubject.identifier[0]!.identityHash = 'Someone Else Entirely';
  const tampered = (await encodeCredentialQr(forged, { registryEntryId: TABLE_ID, typeTableLoader, documentLoader })).payload;

  const vectors: Vector[] = [
    { name: 'valid', payload: valid.payload, bundle: 'current', verdict: 'VALID', holder: HOLDER },
    { name: 'tampered', payload: tampered, bundle: 'current', verdict: 'INVALID', expect: { id: 'signature', status: 'fail', code: 'invalid_signature' } },
    { name: 'not a payload', payload: 'VP1-RHELLO WORLD', bundle: 'current', verdict: 'INVALID', expect: { id: 'payload', status: 'fail', code: 'qr_malformed' } },
    { name: 'newer than the data', payload: (await encode({ tableId: 999 })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'payload', status: 'fail', code: 'qr_table_unknown' } },
    { name: 'revoked', payload: (await encode({ status: { list: STATUS_LIST_URL, index: REVOKED_INDEX } })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'status', status: 'fail', code: 'revoked' } },
    { name: 'unaccredited issuer', payload: (await encode({ issuer: unaccredited })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'issuer_accredited', status: 'fail', code: 'not_accredited' } },
    { name: 'accreditation ended', payload: (await encode({ issuer: formerly })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'issuer_accredited', status: 'fail', code: 'accreditation_expired' } },
    { name: 'unknown issuer', payload: (await encode({ issuer: outsider })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'issuer_known', status: 'fail', code: 'issuer_unknown' } },
    { name: 'expired', payload: (await encode({ validFrom: iso(now - 6 * 365 * DAY), validUntil: iso(now - DAY) })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'validity_period', status: 'fail', code: 'expired' } },
    { name: 'not yet valid', payload: (await encode({ validFrom: iso(now + 10 * DAY) })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'validity_period', status: 'fail', code: 'not_yet_valid' } },
    { name: 'unknown qualification', payload: (await encode({ achievementId: 'https://tanda.example/qualifications/nope' })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'qualification_known', status: 'fail', code: 'qualification_unknown' } },
    { name: 'foreign unit', payload: (await encode({ units: [{ type: ['Alignment'], targetName: 'Bake bread', targetUrl: 'https://tanda.example/units/BAKE01' }] })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'units_in_qualification', status: 'fail', code: 'unit_not_in_qualification' } },
    { name: 'wrong national level', payload: (await encode({ levels: levels('PQF', 'ph-pqf', 3, 3) })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'national_level', status: 'fail', code: 'level_mismatch' } },
    { name: 'provisional AQRF level', payload: (await encode({ achievementId: PROVISIONAL_QUALIFICATION_ID, levels: levels('KKNI', 'id-kkni', 4, 4) })).payload, bundle: 'current', verdict: 'VALID_WITH_WARNINGS', expect: { id: 'aqrf_level', status: 'warn', code: 'aqrf_provisional' } },
    { name: 'status list not in the data', payload: (await encode({ status: { list: UNKNOWN_LIST_URL, index: 3 } })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'registry_award', status: 'fail', code: 'award_unconfirmed' } },
    { name: 'status list out of date', payload: (await encode({ status: { list: STALE_LIST_URL, index: 3 } })).payload, bundle: 'current', verdict: 'VALID_WITH_WARNINGS', expect: { id: 'status', status: 'warn', code: 'status_stale' } },
    { name: 'stale bundle', payload: valid.payload, bundle: 'stale', verdict: 'VALID_WITH_WARNINGS', expect: { id: 'freshness', status: 'warn', code: 'bundle_stale' } },
    // The body's own key, the catalogue qualification, every level right: but its status entry is in a VC API list.
    { name: 'signed through the VC API', payload: (await encode({ status: { list: GENERAL_LIST_URL, index: 5 } })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'registry_award', status: 'fail', code: 'not_registry_award' } },
    { name: 'VC API credential from before list kinds', payload: (await encode({ status: { list: STATUS_LIST_URL, index: LEGACY_NON_AWARD_INDEX } })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'registry_award', status: 'fail', code: 'not_registry_award' } },
    { name: 'no status entry', payload: (await encode({ status: null })).payload, bundle: 'current', verdict: 'INVALID', expect: { id: 'status', status: 'fail', code: 'status_missing' } },
  ];
  return { authority: authority.did, bundle, staleBundle, tamperedBundle, foreignBundle, vectors };
}

function levels(framework: string, frameworkId: string, national: number, aqrf: number): Alignment[] {
  return [
    { type: ['Alignment'], targetName: `${framework} Level ${national}`, targetUrl: levelUrl(frameworkId, national), targetFramework: framework, targetCode: String(national), targetType: NATIONAL_LEVEL_TYPE },
    { type: ['Alignment'], targetName: `AQRF Level ${aqrf}`, targetUrl: levelUrl('aqrf', aqrf), targetFramework: 'AQRF', targetCode: String(aqrf), targetType: REFERENCE_LEVEL_TYPE },
  ];
}
