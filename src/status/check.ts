/**
 * The status check itself, free of Node APIs and of the database: the server runs it over the list it holds and the
 * offline verifier over the snapshots in its trust bundle. The caller has already checked the list's signature.
 */
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { fail, pass, warn, type Check } from '../credentials/checks.js';
import type { StatusEntry } from '../credentials/build.js';
import { PromiseCache } from '../promise-cache.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const idOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : isObject(v) && typeof v.id === 'string' ? v.id : undefined);

/** The credential's revocation entry (Open Badges 3.0 allows one; an array holding one is tolerated). */
export function revocationEntry(credential: Record<string, unknown>): StatusEntry | undefined {
  const raw = credential.credentialStatus;
  const entries = Array.isArray(raw) ? raw : [raw];
  const entry = entries.find((e) => isObject(e) && e.type === 'BitstringStatusListEntry' && e.statusPurpose === 'revocation');
  if (!isObject(entry) || typeof entry.statusListCredential !== 'string' || typeof entry.statusListIndex !== 'string') return undefined;
  if (!/^(0|[1-9]\d{0,9})$/.test(entry.statusListIndex)) return undefined;
  return {
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: entry.statusListIndex,
    statusListCredential: entry.statusListCredential,
  };
}

export interface StatusCheckInput {
  credential: Record<string, unknown>;
  /** The signature-checked BitstringStatusListCredential the entry points to, or undefined when none is held. */
  listCredential: Record<string, unknown> | undefined;
  now: Date;
  /**
   * The instant the list is known to be current. Defaults to the list's `validFrom` (when it was signed); a server
   * that re-signs in the same transaction as every revocation knows it current as of now.
   */
  asOf?: string;
  /** Whether two issuer ids name the same body (a did:key body's DID changes on key rotation); default: equality. */
  sameIssuer?: (credentialIssuer: string, listIssuer: string) => boolean;
}

const unknown = (message: string, data?: Record<string, unknown>): Check => warn('status', 'status_unknown', `status unknown: ${message}`, data);

/** revoked → fail `revoked`; list missing or unusable → warn `status_unknown`; list past validUntil → warn `status_stale`. */
type DecodedList = Awaited<ReturnType<typeof decodeList>>;
const decodedLists = new PromiseCache<string, DecodedList>(64);

/**
 * Inflating a 131,072-entry list costs more than the rest of the status check; a verifier sees the same few lists
 * (one per body and snapshot) for every certificate, so the decoded bits are kept, keyed by the encoded text itself.
 */
function decodedList(encodedList: string): Promise<DecodedList> {
  return decodedLists.get(encodedList, () => decodeList({ encodedList }));
}

export async function checkStatusEntry(input: StatusCheckInput): Promise<Check> {
  const entry = revocationEntry(input.credential);
  if (!entry) return unknown('the credential has no usable revocation entry (BitstringStatusListEntry)');
  const data: Record<string, unknown> = { statusListCredential: entry.statusListCredential, statusListIndex: entry.statusListIndex };
  const list = input.listCredential;
  if (!list) return unknown(`the status list ${entry.statusListCredential} is not available`, data);

  const subject = list.credentialSubject;
  const types = Array.isArray(list.type) ? list.type : [list.type];
  if (list.id !== entry.statusListCredential) return unknown('the status list held is not the one the credential names', data);
  if (!types.includes('BitstringStatusListCredential') || !isObject(subject) || subject.type !== 'BitstringStatusList') {
    return unknown('the status list is not a BitstringStatusListCredential', data);
  }
  if (subject.statusPurpose !== entry.statusPurpose) return unknown(`the status list is for "${String(subject.statusPurpose)}", not revocation`, data);
  const credentialIssuer = idOf(input.credential.issuer);
  const listIssuer = idOf(list.issuer);
  const same = input.sameIssuer ?? ((a: string, b: string) => a === b);
  if (!credentialIssuer || !listIssuer || !same(credentialIssuer, listIssuer)) {
    return unknown('the status list was not published by the credential\'s issuer', { ...data, listIssuer });
  }
  if (typeof subject.encodedList !== 'string') return unknown('the status list has no encodedList', data);

  let revoked: boolean;
  try {
    const bits = await decodedList(subject.encodedList);
    const index = Number(entry.statusListIndex);
    if (index >= bits.length) return unknown(`index ${index} is outside the status list (${bits.length} entries)`, data);
    revoked = bits.getStatus(index);
  } catch (e) {
    return unknown(`the status list cannot be decoded (${(e as Error).message})`, data);
  }

  const validFrom = typeof list.validFrom === 'string' ? list.validFrom : undefined;
  const validUntil = typeof list.validUntil === 'string' ? list.validUntil : undefined;
  const asOf = input.asOf ?? validFrom;
  if (!asOf) return unknown('the status list does not say when it was made (no validFrom)', data);
  Object.assign(data, { asOf, listValidUntil: validUntil });
  if (revoked) return fail('status', 'revoked', `revoked (status list as of ${asOf})`, data);
  if (validUntil && Date.parse(validUntil) < input.now.getTime()) {
    return warn('status', 'status_stale', `not revoked as of ${asOf}; the status list expired on ${validUntil}, so a later revocation would not show`, data);
  }
  return pass('status', `not revoked as of ${asOf}`, data);
}
