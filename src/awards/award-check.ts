import { fail, pass, type Check } from '../credentials/checks.js';
import { revocationEntry } from '../status/check.js';

/*
 * Is this credential a registry award, or something its body signed through the W3C VC API? (browser-safe)
 *
 * The mark cannot be chosen by whoever asks for a signature: the server allocates every status entry, refuses a
 * credential that brings its own, and allocates awards (certified RPL cases) and VC API credentials in different
 * lists. So the list a credential's entry points to, as the registry publishes it (the database online, the signed
 * trust bundle offline), says which it is. Content cannot: anything in a VC API credential is the caller's.
 */

/** What the registry says about the list the credential's status entry points to. */
export interface AwardListView {
  /** undefined when the registry data does not say (a bundle from before lists had kinds). */
  kind: 'award' | 'general' | undefined;
  /** The list is published by the credential's own certifying body. */
  sameBody: boolean;
  /** An index of an award list held by a credential that is not an award (issued before lists had kinds). */
  exception: boolean;
}

export function registryAwardCheck(credential: Record<string, unknown>, list: AwardListView | undefined, issuerName: string): Check {
  const entry = revocationEntry(credential);
  if (!entry) {
    return fail('registry_award', 'not_registry_award', `signed by ${issuerName}, but without the status entry every registry award carries: not a qualification the registry vouches for`);
  }
  const data = { statusListCredential: entry.statusListCredential };
  if (!list || list.kind === undefined) {
    return fail('registry_award', 'award_unconfirmed', `the verification data does not know the status list ${entry.statusListCredential}, so this cannot be confirmed as a registry award: update the verification data`, data);
  }
  if (list.sameBody && list.kind === 'award' && !list.exception) {
    return pass('registry_award', `a registry award of ${issuerName}, issued by certifying an RPL case`, data);
  }
  return fail('registry_award', 'not_registry_award', `signed by ${issuerName} through its credential API, not awarded through the registry: not a qualification the registry vouches for`, data);
}
