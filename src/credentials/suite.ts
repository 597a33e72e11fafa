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

/** Signing suite; `created: null` leaves proof.created out (8 bytes of QR budget; validFrom already dates it). */
export function signingSuite(signer: Signer, created: string | null = null): DataIntegrityProof {
  return new DataIntegrityProof({ signer, date: created, cryptosuite: eddsaRdfc2022 });
}

export function verifyingSuite(): DataIntegrityProof {
  return new DataIntegrityProof({ cryptosuite: cachedCryptosuite });
}
