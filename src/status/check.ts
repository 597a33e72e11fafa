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

const isEntry = (e: unknown): e is Record<string, unknown> => isObject(e) && e.type === 'BitstringStatusListEntry';

/** The credential's revocation entry (Open Badges 3.0 allows one; an array holding one is tolerated). */
export function revocationEntry(credential: Record<string, unknown>): StatusEntry | undefined {
  const raw = credential.credentialStatus;
  const entries = Array.isArray(raw) ? raw : [raw];
  const entry = entries.find((e) => isEntry(e) && e.statusPurpose === 'revocation');
  if (!isObject(entry) || malformedEntry(entry) || (entry.statusSize !== undefined && entry.statusSize !== 1)) return undefined;
  return {
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: entry.statusListIndex as string,
    statusListCredential: entry.statusListCredential as string,
  };
}

/**
 * What breaks a MUST of a BitstringStatusListEntry (Bitstring Status List v1.0 §2.1), undefined when none:
 * `statusListIndex` an integer as a string, `statusListCredential` a URL, `statusSize` an integer above zero (1 when
 * absent), and, above 1, a `statusMessage` with one `{status: "0x…", message}` per possible value.
 */
export function malformedEntry(entry: Record<string, unknown>): string | undefined {
  if (typeof entry.statusPurpose !== 'string' || entry.statusPurpose === '') return 'statusPurpose must be a string';
  if (typeof entry.statusListIndex !== 'string' || !/^(0|[1-9]\d{0,9})$/.test(entry.statusListIndex)) return 'statusListIndex must be a non-negative integer written as a string';
  if (typeof entry.statusListCredential !== 'string' || !/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(entry.statusListCredential)) return 'statusListCredential must be a URL';
  const size = entry.statusSize ?? 1;
  if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > 16) return 'statusSize must be an integer greater than zero';
  const messages = entry.statusMessage;
  if ((size as number) > 1 && messages === undefined) return 'statusMessage must be present when statusSize is greater than 1';
  if (messages !== undefined) {
    const values = 2 ** (size as number);
    if (!Array.isArray(messages) || messages.length !== values) return `statusMessage must have ${values} entries for statusSize ${String(size)}`;
    if (!messages.every((m) => isObject(m) && typeof m.status === 'string' && /^0x[0-9a-fA-F]+$/.test(m.status) && typeof m.message === 'string')) {
      return 'each statusMessage entry must have a "status" (0x-prefixed hexadecimal) and a "message"';
    }
  }
  return undefined;
}

/** The Bitstring Status List v1.0 §3.5 processing error each outcome stands for (kept in the check's data). */
export type StatusListError = 'STATUS_RETRIEVAL_ERROR' | 'STATUS_VERIFICATION_ERROR' | 'STATUS_LIST_LENGTH_ERROR' | 'RANGE_ERROR' | 'MALFORMED_VALUE_ERROR';

/** The herd-privacy minimum of the validate algorithm (16 KiB of bits); Tanda's lists are exactly this long. */
export const MIN_STATUS_LIST_ENTRIES = 131_072;

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
  /** The result of checking the list's proofs (validate algorithm step 4); a failure is STATUS_VERIFICATION_ERROR. */
  listProof?: { verified: true } | { verified: false; reason: string };
}

/** Retrieval failures stay a warning: offline, a missing list says nothing about the credential. */
const unknown = (message: string, data?: Record<string, unknown>): Check =>
  warn('status', 'status_unknown', `status unknown: ${message}`, { ...data, statusError: 'STATUS_RETRIEVAL_ERROR' });
/** A list that is there but wrong is an error the validate algorithm raises: the status check fails. */
const broken = (code: 'status_verification_error' | 'status_list_length_error' | 'status_range_error' | 'status_malformed', error: StatusListError, message: string, data: Record<string, unknown>): Check =>
  fail('status', code, message, { ...data, statusError: error });

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

/**
 * The validate algorithm of Bitstring Status List v1.0 §3.2 for the credential's revocation entry, step by step, each
 * failure with its processing error (data.statusError): a malformed entry or list is MALFORMED_VALUE_ERROR, a list
 * not held (or not the one named) STATUS_RETRIEVAL_ERROR, a list whose proof fails or whose purpose differs
 * STATUS_VERIFICATION_ERROR, a list under 131,072 entries STATUS_LIST_LENGTH_ERROR, an index past its end RANGE_ERROR.
 * A list past its `validUntil`, or older than its `ttl`, is reported stale (the spec's ttl: a refresh should be tried).
 */
export async function checkStatusEntry(input: StatusCheckInput): Promise<Check> {
  const raw = input.credential.credentialStatus;
  const declared = (Array.isArray(raw) ? raw : [raw]).find((e) => isEntry(e) && e.statusPurpose === 'revocation');
  if (isObject(declared)) {
    const problem = malformedEntry(declared);
    if (problem) return broken('status_malformed', 'MALFORMED_VALUE_ERROR', `the status entry is malformed: ${problem}`, {});
  }
  const entry = revocationEntry(input.credential);
  if (!entry) return unknown('the credential has no usable revocation entry (BitstringStatusListEntry)');
  const data: Record<string, unknown> = { statusListCredential: entry.statusListCredential, statusListIndex: entry.statusListIndex };
  const list = input.listCredential;
  if (!list) return unknown(`the status list ${entry.statusListCredential} is not available`, data);
  if (list.id !== undefined && list.id !== entry.statusListCredential) return unknown('the status list held is not the one the credential names', data);
  if (input.listProof && !input.listProof.verified) {
    return broken('status_verification_error', 'STATUS_VERIFICATION_ERROR', `the status list's proof does not verify (${input.listProof.reason})`, data);
  }

  const subject = list.credentialSubject;
  const types = Array.isArray(list.type) ? list.type : [list.type];
  if (!types.includes('BitstringStatusListCredential') || !isObject(subject) || subject.type !== 'BitstringStatusList') {
    return broken('status_malformed', 'MALFORMED_VALUE_ERROR', 'the status list is not a BitstringStatusListCredential', data);
  }
  const purposes = Array.isArray(subject.statusPurpose) ? subject.statusPurpose : [subject.statusPurpose];
  if (!purposes.includes(entry.statusPurpose)) {
    return broken('status_verification_error', 'STATUS_VERIFICATION_ERROR', `the status list is for "${purposes.map(String).join('", "')}", not ${entry.statusPurpose}`, data);
  }
  const credentialIssuer = idOf(input.credential.issuer);
  const listIssuer = idOf(list.issuer);
  const same = input.sameIssuer ?? ((a: string, b: string) => a === b);
  if (!credentialIssuer || !listIssuer || !same(credentialIssuer, listIssuer)) {
    return unknown('the status list was not published by the credential\'s issuer', { ...data, listIssuer });
  }
  if (typeof subject.encodedList !== 'string' || !subject.encodedList.startsWith('u')) {
    return broken('status_malformed', 'MALFORMED_VALUE_ERROR', 'the status list\'s encodedList is not multibase base64url', data);
  }
  const ttl = subject.ttl;
  if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl as number) < 0)) return broken('status_malformed', 'MALFORMED_VALUE_ERROR', 'the status list\'s ttl is not a number of milliseconds', data);

  let revoked: boolean;
  try {
    const bits = await decodedList(subject.encodedList);
    if (bits.length < MIN_STATUS_LIST_ENTRIES) {
      return broken('status_list_length_error', 'STATUS_LIST_LENGTH_ERROR', `the status list has ${bits.length} entries, fewer than the ${MIN_STATUS_LIST_ENTRIES} herd privacy needs`, data);
    }
    const index = Number(entry.statusListIndex);
    if (index >= bits.length) return broken('status_range_error', 'RANGE_ERROR', `index ${index} is outside the status list (${bits.length} entries)`, data);
    revoked = bits.getStatus(index);
  } catch (e) {
    return broken('status_malformed', 'MALFORMED_VALUE_ERROR', `the status list cannot be decoded (${(e as Error).message})`, data);
  }
  const messages = isObject(declared) && Array.isArray(declared.statusMessage) ? (declared.statusMessage as Array<{ status: string; message: string }>) : undefined;
  const message = messages?.find((m) => parseInt(m.status, 16) === (revoked ? 1 : 0))?.message;
  if (message !== undefined) data.statusMessage = message;

  const validFrom = typeof list.validFrom === 'string' ? list.validFrom : undefined;
  const validUntil = typeof list.validUntil === 'string' ? list.validUntil : undefined;
  const asOf = input.asOf ?? validFrom;
  if (!asOf) return unknown('the status list does not say when it was made (no validFrom)', data);
  Object.assign(data, { asOf, listValidUntil: validUntil, ...(ttl !== undefined ? { ttl } : {}) });
  if (revoked) return fail('status', 'revoked', `revoked (status list as of ${asOf})`, data);
  if (validUntil && Date.parse(validUntil) < input.now.getTime()) {
    return warn('status', 'status_stale', `not revoked as of ${asOf}; the status list expired on ${validUntil}, so a later revocation would not show`, data);
  }
  if (typeof ttl === 'number' && Date.parse(asOf) + ttl < input.now.getTime()) {
    return warn('status', 'status_stale', `not revoked as of ${asOf}; the status list's ttl of ${ttl} ms has passed, so a later revocation would not show`, data);
  }
  return pass('status', `not revoked as of ${asOf}`, data);
}
