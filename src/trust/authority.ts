import type { Executor } from '../db/database.js';
import { didKeyFor } from '../jsonld/did-key.js';
import { open, seal } from '../keys/sealed.js';
import { createCachedSigner, generateKeyPair, type Signer } from '../keys/signer.js';

/**
 * The registry authority's key signs trust bundles, never credentials. It lives sealed (master key, AES-GCM) in
 * `meta`, not in `issuer_keys`: a row there would make the authority a certifying body, listed in the registry
 * snapshot and able to pass as an issuer. It is a did:key so that verifiers pin it as a single string.
 */
const META_KEY = 'trust_authority_key';

interface StoredAuthority {
  verificationMethod: string;
  publicKeyMultibase: string;
  secret: string;
}

export interface TrustAuthority {
  did: string;
  verificationMethod: string;
  signer: Signer;
}

const cache = new WeakMap<Buffer, Map<string, Promise<Signer>>>();

/** The authority key, created on first use (an insert race is settled by the primary key: the loser re-reads). */
export async function trustAuthority(ex: Executor, masterKey: Buffer): Promise<TrustAuthority> {
  let stored = await read(ex);
  if (!stored) {
    const pair = await generateKeyPair((pk) => ({ controller: didKeyFor(pk), id: `${didKeyFor(pk)}#${pk}` }));
    const candidate: StoredAuthority = {
      verificationMethod: pair.id,
      publicKeyMultibase: pair.publicKeyMultibase,
      secret: seal(masterKey, pair.secretKeyMultibase, pair.id),
    };
    await ex
      .insertInto('meta')
      .values({ key: META_KEY, value: JSON.stringify(candidate) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    stored = (await read(ex))!;
  }
  let signers = cache.get(masterKey);
  if (!signers) cache.set(masterKey, (signers = new Map()));
  let signer = signers.get(stored.verificationMethod);
  if (!signer) {
    signer = createCachedSigner(stored.verificationMethod, open(masterKey, stored.secret, stored.verificationMethod), stored.publicKeyMultibase);
    signers.set(stored.verificationMethod, signer);
  }
  return { did: didKeyFor(stored.publicKeyMultibase), verificationMethod: stored.verificationMethod, signer: await signer };
}

async function read(ex: Executor): Promise<StoredAuthority | undefined> {
  const row = await ex.selectFrom('meta').select('value').where('key', '=', META_KEY).executeTakeFirst();
  return row ? (JSON.parse(row.value) as StoredAuthority) : undefined;
}
