import { DataIntegrityProof, type Cryptosuite } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Signer } from '../keys/signer.js';
import { PromiseCache } from '../promise-cache.js';
import { AchievementMemo } from './achievement-memo.js';

type Verifier = Awaited<ReturnType<Cryptosuite['createVerifier']>>;
const verifiers = new PromiseCache<string, Verifier>(10_000);

/** A signature check over one raw Ed25519 public key, made once per key; undefined when the key is unusable. */
export type Ed25519KeyCheck = (publicKey: Uint8Array) => ((data: Uint8Array, signature: Uint8Array) => boolean) | undefined;
let platformCheck: Ed25519KeyCheck | undefined;

/**
 * The Multikey library's Node verifier imports the public key (DER → key object) again for every signature it
 * checks, which was a tenth of a verification worker's time. A Node thread plugs in a check that imports it once
 * (node-ed25519.ts); this module stays free of Node APIs (the offline verifier bundles it) and keeps the stock check.
 */
export function useEd25519Check(check: Ed25519KeyCheck): void {
  platformCheck = check;
}

async function verifierFor(vm: Ed25519Multikey.MultikeyInput): Promise<Verifier> {
  const keyPair = await Ed25519Multikey.from(vm);
  const stock = keyPair.verifier();
  const check = platformCheck?.(keyPair.publicKey);
  return check ? { algorithm: stock.algorithm, id: stock.id, verify: async ({ data, signature }) => check(data, signature) } : stock;
}

/** The stock cryptosuite re-imports the Multikey for every proof; a verifier sees the same few issuers again and again. */
async function cachedVerifier({ verificationMethod }: { verificationMethod: object }): Promise<Verifier> {
  const vm = verificationMethod as { id: string; publicKeyMultibase?: string };
  const key = `${vm.id} ${vm.publicKeyMultibase ?? ''}`;
  return verifiers.get(key, () => verifierFor(vm as Ed25519Multikey.MultikeyInput));
}

/**
 * RDFC-1.0 canonicalisation is a pure function of (input, document loader). Two parts of it repeat and are
 * remembered: the proof options (byte-identical for every proof a body makes within one second, `created` being
 * to the second; about a fifth of signing time, the OB context is large) and an OB credential's achievement subtree
 * (same for every credential of a qualification; see achievement-memo.ts). The memo belongs to *our* loader: jsonld-signatures
 * wraps the loader anew on every call (adding its built-in contexts, a fixed set), so the wrapper's identity would
 * never repeat. Bounded so a long-running server does not grow.
 */
const CANONICAL_CACHE_MAX = 512;
const memos = new WeakMap<object, Cryptosuite['canonize']>();

function memoisedCanonize(owner: object): Cryptosuite['canonize'] {
  const known = memos.get(owner);
  if (known) return known;
  const proofOptions = new PromiseCache<string, string>(CANONICAL_CACHE_MAX);
  const achievements = new AchievementMemo();
  const canonize: Cryptosuite['canonize'] = (input, options) => {
    if ((input as { type?: unknown }).type !== 'DataIntegrityProof') {
      return achievements.canonize(input as Record<string, unknown>, options as Record<string, unknown>);
    }
    const key = JSON.stringify([input, { ...options, documentLoader: undefined }]);
    return proofOptions.get(key, () => eddsaRdfc2022.canonize(input, options));
  };
  memos.set(owner, canonize);
  return canonize;
}

/** eddsa-rdfc-2022 with cached verifiers and canonical forms remembered per document loader. */
export function cryptosuiteFor(documentLoader: object): Cryptosuite {
  return { ...eddsaRdfc2022, canonize: memoisedCanonize(documentLoader), createVerifier: cachedVerifier };
}

/** Signing suite; `created: null` leaves proof.created out (credentials are issued dated: key retirement needs it). */
export function signingSuite(signer: Signer, documentLoader: object, created: string | null = null): DataIntegrityProof {
  return new DataIntegrityProof({ signer, date: created, cryptosuite: cryptosuiteFor(documentLoader) });
}

export function verifyingSuite(documentLoader: object): DataIntegrityProof {
  return new DataIntegrityProof({ cryptosuite: cryptosuiteFor(documentLoader) });
}
