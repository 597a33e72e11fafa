import { createCredential, createList } from '@digitalbazaar/vc-bitstring-status-list';

/** The W3C minimum (16 KiB of bits): a list this long gives every holder a crowd of 131,072 possible positions. */
export const STATUS_LIST_LENGTH = 131_072;

/**
 * How long a signed list stays valid. Verifiers holding a copy (HTTP caches, the offline trust bundle) learn from
 * `validUntil` how old their view may be; the server re-signs on every revocation and once less than half of the
 * TTL is left, so an online copy is never stale. A day bounds how long an offline snapshot passes as current.
 */
export const STATUS_LIST_TTL_MS = 24 * 60 * 60 * 1000;

export interface ListCredentialInput {
  url: string;
  issuerDid: string;
  length: number;
  /** Indices whose bit is set (revoked). */
  revoked: Iterable<number>;
  now: Date;
  ttlMs?: number;
}

/** The unsigned BitstringStatusListCredential (VC 2.0) for one revocation list, valid from now for the TTL. */
export async function buildListCredential(input: ListCredentialInput): Promise<Record<string, unknown>> {
  const list = await createList({ length: input.length });
  for (const index of input.revoked) list.setStatus(index, true);
  const base = await createCredential({ id: input.url, list, statusPurpose: 'revocation' });
  const validFrom = new Date(Math.floor(input.now.getTime() / 1000) * 1000);
  const validUntil = new Date(validFrom.getTime() + (input.ttlMs ?? STATUS_LIST_TTL_MS));
  return {
    '@context': base['@context'],
    id: base.id,
    type: base.type,
    issuer: input.issuerDid,
    validFrom: validFrom.toISOString().replace('.000Z', 'Z'),
    validUntil: validUntil.toISOString().replace('.000Z', 'Z'),
    credentialSubject: base.credentialSubject,
  };
}
