import { DataIntegrityProof, type Cryptosuite } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Signer } from '../keys/signer.js';

type Verifier = Awaited<ReturnType<Cryptosuite['createVerifier']>>;
const verifiers = new Map<string, Promise<Verifier>>();

/**
 * eddsa-rdfc-2022 with verifiers cached per public key: the stock cryptosuite re-imports the Multikey for every
 * proof, which a verifier checking many credentials from the same few issuers pays again and again.
 */
export const cachedCryptosuite: Cryptosuite = {
  ...eddsaRdfc2022,
  canonize: memoisedCanonize(eddsaRdfc2022.canonize),
  async createVerifier({ verificationMethod }) {
    const vm = verificationMethod as { id: string; publicKeyMultibase?: string };
    const key = `${vm.id} ${vm.publicKeyMultibase ?? ''}`;
    let verifier = verifiers.get(key);
    if (!verifier) {
      verifier = Ed25519Multikey.from(vm as Ed25519Multikey.MultikeyInput).then((k) => k.verifier());
      verifier.catch(() => verifiers.delete(key));
      if (verifiers.size > 10_000) verifiers.clear();
      verifiers.set(key, verifier);
    }
    return verifier;
  },
};

/**
 * RDFC-1.0 canonicalisation is a pure function of (input, document loader), and the proof options part of every
 * proof a body makes is byte-identical when `created` is left out. Remembering recent results skips the JSON-LD
 * expansion of the proof configuration (about a third of signing or verifying time: the OB context is large);
 * documents themselves (unique ids) simply miss. Bounded so a long-running server does not grow.
 */
const CANONICAL_CACHE_MAX = 512;
const canonicalCache = new WeakMap<object, Map<string, Promise<string>>>();

function memoisedCanonize(base: Cryptosuite['canonize']): Cryptosuite['canonize'] {
  return (input, options) => {
    const loader = (options as { documentLoader?: object }).documentLoader;
    if (!loader) return base(input, options);
    let cache = canonicalCache.get(loader);
    if (!cache) canonicalCache.set(loader, (cache = new Map()));
    const key = JSON.stringify([input, { ...options, documentLoader: undefined }]);
    let result = cache.get(key);
    if (!result) {
      if (cache.size >= CANONICAL_CACHE_MAX) cache.delete(cache.keys().next().value!);
      result = base(input, options);
      result.catch(() => cache.delete(key));
      cache.set(key, result);
    }
    return result;
  };
}

const signingCryptosuite: Cryptosuite = { ...eddsaRdfc2022, canonize: memoisedCanonize(eddsaRdfc2022.canonize) };

/** Signing suite; `created: null` leaves proof.created out (8 bytes of QR budget; validFrom already dates it). */
export function signingSuite(signer: Signer, created: string | null = null): DataIntegrityProof {
  return new DataIntegrityProof({ signer, date: created, cryptosuite: signingCryptosuite });
}

export function verifyingSuite(): DataIntegrityProof {
  return new DataIntegrityProof({ cryptosuite: cachedCryptosuite });
}
