import * as vc from '@digitalbazaar/vc';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import jsigs from 'jsonld-signatures';
import { fail, pass, warn, type Check } from '../credentials/checks.js';
import { issuerId } from '../credentials/verify.js';
import { verifyingSuite } from '../credentials/suite.js';
import type { VerifierData } from './verifier-data.js';

/*
 * Revocation from the status list snapshots in the trust bundle (browser-safe). Offline, "not revoked" is only ever
 * true as of the snapshot's date, so the check always says which date; a list past its validUntil warns, and a
 * credential whose list is not in the bundle is "status unknown" (a warning: absence of data is not revocation).
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function revocationEntry(credential: Record<string, unknown>): Record<string, unknown> | undefined {
  const status = credential.credentialStatus;
  const entries = Array.isArray(status) ? status : [status];
  return entries.filter(isObject).find((e) => e.type === 'BitstringStatusListEntry' && e.statusPurpose === 'revocation');
}

/** A list counts only if its issuer signed it: a forged snapshot must not be able to un-revoke anything. */
function listIsAuthentic(url: string, list: Record<string, unknown>, data: VerifierData): Promise<boolean> {
  let verdict = data.verifiedLists.get(url);
  if (!verdict) {
    verdict = vc
      .verifyCredential({
        credential: list,
        suite: verifyingSuite(),
        documentLoader: data.documentLoader,
        purpose: new jsigs.purposes.AssertionProofPurpose(),
        // Judged as of its own issue date: an out-of-date list is reported as stale, not as forged.
        now: typeof list.validFrom === 'string' ? new Date(list.validFrom) : new Date(0),
      })
      .then((r) => r.verified)
      .catch(() => false);
    data.verifiedLists.set(url, verdict);
  }
  return verdict;
}

export async function checkStatusFromBundle(credential: Record<string, unknown>, data: VerifierData, now: Date): Promise<Check> {
  const entry = revocationEntry(credential);
  if (!entry) return fail('status', 'status_unknown', 'the credential has a status entry this verifier cannot read');
  const url = typeof entry.statusListCredential === 'string' ? entry.statusListCredential : '';
  const index = Number.parseInt(String(entry.statusListIndex), 10);
  const snapshot = data.statusList(url);
  if (!snapshot) {
    return warn('status', 'status_unknown', `status unknown: the verification data holds no snapshot of the status list ${url}`, { list: url });
  }
  const list = snapshot.credential;
  const subject = isObject(list.credentialSubject) ? list.credentialSubject : {};
  const listIssuer = issuerId(list);
  if (listIssuer !== issuerId(credential) || subject.statusPurpose !== 'revocation' || !(await listIsAuthentic(url, list, data))) {
    return warn('status', 'status_unknown', `status unknown: the snapshot of ${url} is not signed by the credential's issuer`, { list: url });
  }
  let revoked: boolean;
  try {
    const bits = await decodeList({ encodedList: String(subject.encodedList) });
    if (!Number.isSafeInteger(index) || index < 0 || index >= bits.length) throw new RangeError('index outside the list');
    revoked = bits.getStatus(index);
  } catch (e) {
    return warn('status', 'status_unknown', `status unknown: ${(e as Error).message}`, { list: url });
  }
  const asOf = typeof list.validFrom === 'string' ? list.validFrom : data.bundle.issued;
  const stale = snapshot.validUntil !== null && Date.parse(snapshot.validUntil) < now.getTime();
  const detail = { asOf, validUntil: snapshot.validUntil, list: url };
  if (revoked) return fail('status', 'revoked', `revoked (status list as of ${asOf.slice(0, 10)})`, detail);
  return stale
    ? warn('status', 'status_stale', `not revoked as of ${asOf.slice(0, 10)}, but that status list is out of date since ${snapshot.validUntil!.slice(0, 10)}`, detail)
    : pass('status', `not revoked as of ${asOf.slice(0, 10)}`, detail);
}
