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
async function authenticList(url: string, data: VerifierData): Promise<{ list?: Record<string, unknown>; verified: boolean }> {
  let verdict = data.verifiedLists.get(url);
  const list = data.statusList(url)?.credential;
  if (!list) return { verified: false };
  if (!verdict) {
    verdict = verifyListCredential(list, data.documentLoader).then((r) => r.verified);
    data.verifiedLists.set(url, verdict);
  }
  return { list, verified: await verdict };
}

export async function checkStatusFromBundle(credential: Record<string, unknown>, data: VerifierData, now: Date): Promise<Check> {
  const entry = revocationEntry(credential);
  const held = entry ? await authenticList(entry.statusListCredential, data) : { verified: false };
  return checkStatusEntry({
    credential,
    listCredential: held.list,
    // A forged snapshot must not un-revoke anything: its failed proof is a STATUS_VERIFICATION_ERROR.
    ...(held.list ? { listProof: held.verified ? { verified: true as const } : { verified: false as const, reason: 'the snapshot is not signed by its issuer' } } : {}),
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
  // Only a list its issuer signed can say what kind of list it is.
  const held = entry && snapshot ? await authenticList(entry.statusListCredential, data) : undefined;
  const list = held?.verified ? held.list : undefined;
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
