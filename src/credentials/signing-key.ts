import { fail, pass, type Check } from './checks.js';

/*
 * Browser-safe. Whether the key that made a proof was allowed to make it when it did, from the registry's record of
 * the key (the database on the server, the trust bundle offline):
 *
 * - a current key signs;
 * - a retired key verifies only what it signed before its retirement, dated by the proof's `created`. A proof without
 *   `created` cannot be placed in time, so a retired key's undated proof is refused;
 * - a compromised key verifies nothing: whoever stole it can write any `created`, so no date can save its proofs;
 * - no proof can be older than its key (the registry records when each key was made), which bounds a backdated
 *   `created` from below. `created` is still the signer's word: retirement protects against a key used by mistake
 *   after rotation, not against a thief — that is what reporting a compromise is for.
 */

/** The registry's record of one key (dates are ISO-8601 UTC; `compromisedAt` is absent in format-1 trust bundles). */
export interface SigningKeyRecord {
  status: 'current' | 'retired' | 'compromised';
  createdAt: string;
  retiredAt: string | null;
  compromisedAt?: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const instant = (v: unknown): string | undefined => {
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

/** The `created` of the proof made by `verificationMethod` (else the first proof), as an instant, when parseable. */
export function proofCreated(credential: Record<string, unknown>, verificationMethod?: string): string | undefined {
  const proofs = (Array.isArray(credential.proof) ? credential.proof : [credential.proof]).filter(isObject);
  const proof = (verificationMethod !== undefined ? proofs.find((p) => p.verificationMethod === verificationMethod) : undefined) ?? proofs[0];
  return proof ? instant(proof.created) : undefined;
}

/** Key rows keep milliseconds while proofs are dated to the second: a key made at 10:00:00.400 signs at 10:00:00. */
const toSecond = (iso: string): string => `${iso.slice(0, 19)}.000Z`;
const day = (iso: string): string => iso.slice(0, 10);

export function checkSigningKey(credential: Record<string, unknown>, verificationMethod: string, key: SigningKeyRecord): Check {
  const signedAt = proofCreated(credential, verificationMethod);
  const data = {
    verificationMethod,
    keyStatus: key.status,
    ...(signedAt ? { signedAt } : {}),
    ...(key.retiredAt ? { retiredAt: key.retiredAt } : {}),
    ...(key.compromisedAt ? { compromisedAt: key.compromisedAt } : {}),
  };
  if (key.status === 'compromised') {
    const since = key.compromisedAt ?? key.retiredAt;
    return fail('signing_key', 'key_compromised', `signed with a key its certifying body reported compromised${since ? ` on ${day(since)}` : ''}: anyone may have made this signature`, data);
  }
  const createdAt = instant(key.createdAt);
  if (signedAt && createdAt && signedAt < toSecond(createdAt)) {
    return fail('signing_key', 'signing_time_invalid', `the proof says it was made on ${day(signedAt)}, before its key existed (${day(key.createdAt)})`, data);
  }
  if (key.status === 'retired') {
    const retiredAt = key.retiredAt ? instant(key.retiredAt) : undefined;
    if (!retiredAt) return fail('signing_key', 'key_retired', 'signed with a retired key whose retirement date the registry does not hold', data);
    if (!signedAt) {
      return fail('signing_key', 'key_retired', `signed with a key retired on ${day(retiredAt)}, and the proof does not say when it was made`, data);
    }
    if (signedAt >= retiredAt) {
      return fail('signing_key', 'key_retired', `signed on ${day(signedAt)} with a key retired on ${day(retiredAt)}`, data);
    }
    return pass('signing_key', `signed on ${day(signedAt)}, before its key was retired on ${day(retiredAt)}`, data);
  }
  return pass('signing_key', 'signed with the certifying body\'s current key', data);
}
