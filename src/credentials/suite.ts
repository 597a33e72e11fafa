import { DataIntegrityProof, type Cryptosuite } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Signer } from '../keys/signer.js';

type Verifier = Awaited<ReturnType<Cryptosuite['createVerifier']>>;
const verifiers = new Map<string, Promise<Verifier>>();

/** The stock cryptosuite re-imports the Multikey for every proof; a verifier sees the same few issuers again and again. */
async function cachedVerifier({ verificationMethod }: { verificationMethod: object }): Promise<Verifier> {
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
}

/**
 * RDFC-1.0 canonicalisation is a pure function of (input, document loader), and the proof options part of every
 * proof a body makes is byte-identical when `created` is left out, so its canonical form is remembered (about a
 * fifth of signing or verifying time: the OB context is large). Only proof options are remembered. The cache belongs to *our* loader:
 * jsonld-signatures wraps the loader anew on every call (adding its built-in contexts, a fixed set), so the
 * wrapper's identity would never repeat. Bounded so a long-running server does not grow.
 */
const CANONICAL_CACHE_MAX = 512;
const canonicalCaches = new WeakMap<object, Map<string, Promise<string>>>();

function memoisedCanonize(owner: object): Cryptosuite['canonize'] {
  let cache = canonicalCaches.get(owner);
  if (!cache) canonicalCaches.set(owner, (cache = new Map()));
  const memo = cache;
  return (input, options) => {
    // Only proof options repeat; documents are unique, and remembering them would only fill memory.
    if ((input as { type?: unknown }).type !== 'DataIntegrityProof') return eddsaRdfc2022.canonize(input, options);
    const key = JSON.stringify([input, { ...options, documentLoader: undefined }]);
    let result = memo.get(key);
    if (!result) {
      if (memo.size >= CANONICAL_CACHE_MAX) memo.delete(memo.keys().next().value!);
      result = eddsaRdfc2022.canonize(input, options);
      result.catch(() => memo.delete(key));
      memo.set(key, result);
    }
    return result;
  };
}

/** eddsa-rdfc-2022 with cached verifiers and canonical forms remembered per document loader. */
export function cryptosuiteFor(documentLoader: object): Cryptosuite {
  return { ...eddsaRdfc2022, canonize: memoisedCanonize(documentLoader), createVerifier: cachedVerifier };
}

/** Signing suite; `created: null` leaves proof.created out (8 bytes of QR budget; validFrom already dates it). */
export function signingSuite(signer: Signer, documentLoader: object, created: string | null = null): DataIntegrityProof {
  return new DataIntegrityProof({ signer, date: created, cryptosuite: cryptosuiteFor(documentLoader) });
}

export function verifyingSuite(documentLoader: object): DataIntegrityProof {
  return new DataIntegrityProof({ cryptosuite: cryptosuiteFor(documentLoader) });
}
