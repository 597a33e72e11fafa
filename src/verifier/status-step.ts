import { registryAwardCheck, type AwardListView } from '../awards/award-check.js';
import type { Check } from '../credentials/checks.js';
import { checkStatusEntry, revocationEntry } from '../status/check.js';
import { verifyListCredential } from '../status/list-signature.js';
import type { VerifierData } from './verifier-data.js';

/*
 * Revocation from the status list snapshots in the trust bundle (browser-safe), through the same check the server
 * runs. A snapshot counts only if its issuer signed it (a forged list must not un-revoke anything); each list's
 * signature is checked once per opened bundle.
 */
export function authenticList(url: string, data: VerifierData): Promise<Record<string, unknown> | undefined> {
  let verdict = data.verifiedLists.get(url);
  const list = data.statusList(url)?.credential;
  if (!list) return Promise.resolve(undefined);
  if (!verdict) {
    verdict = verifyListCredential(list, data.documentLoader).then((r) => r.verified);
    data.verifiedLists.set(url, verdict);
  }
  return verdict.then((ok) => (ok ? list : undefined));
}

export async function checkStatusFromBundle(credential: Record<string, unknown>, data: VerifierData, now: Date): Promise<Check> {
  const entry = revocationEntry(credential);
  const listCredential = entry ? await authenticList(entry.statusListCredential, data) : undefined;
  return checkStatusEntry({
    credential,
    listCredential,
    now,
    // A did:key body that rotated its key publishes new lists under its new DID; both DIDs are the same body.
    sameIssuer: (a, b) => a === b || (data.issuerByDid(a) !== undefined && data.issuerByDid(a) === data.issuerByDid(b)),
  });
}

/** Whether the credential is a registry award, from the kind the bundle gives its status list (see awards/award-check). */
export async function checkAwardFromBundle(credential: Record<string, unknown>, issuerDid: string, data: VerifierData): Promise<Check> {
  const issuer = data.issuerByDid(issuerDid);
  const entry = revocationEntry(credential);
  const snapshot = entry ? data.statusList(entry.statusListCredential) : undefined;
  const list = entry && snapshot ? await authenticList(entry.statusListCredential, data) : undefined;
  const listIssuer = typeof list?.issuer === 'string' ? list.issuer : undefined;
  const view: AwardListView | undefined =
    entry && snapshot && list
      ? {
          kind: snapshot.kind,
          sameBody: issuer !== undefined && listIssuer !== undefined && data.issuerByDid(listIssuer) === issuer,
          exception: snapshot.nonAwardIndices?.includes(Number(entry.statusListIndex)) ?? false,
        }
      : undefined;
  return registryAwardCheck(credential, view, issuer?.name ?? issuerDid);
}
