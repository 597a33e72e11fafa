import type { Check } from '../credentials/checks.js';
import { checkStatusEntry, revocationEntry } from '../status/check.js';
import { verifyListCredential } from '../status/list-signature.js';
import type { VerifierData } from './verifier-data.js';

/*
 * Revocation from the status list snapshots in the trust bundle (browser-safe), through the same check the server
 * runs. A snapshot counts only if its issuer signed it (a forged list must not un-revoke anything); each list's
 * signature is checked once per opened bundle.
 */
function authenticList(url: string, data: VerifierData): Promise<Record<string, unknown> | undefined> {
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
