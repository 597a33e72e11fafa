import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createSignCryptosuite } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import type { DocumentLoader } from '../jsonld/loader.js';
import type { Signer } from '../keys/signer.js';
import type { TrustBundle, UnsignedTrustBundle } from './bundle.js';

/** Signs a bundle with the registry authority's key (eddsa-jcs-2022; see bundle.ts for why JCS). */
export async function signTrustBundle(bundle: UnsignedTrustBundle, signer: Signer, documentLoader: DocumentLoader): Promise<TrustBundle> {
  const suite = new DataIntegrityProof({ signer, date: bundle.issued, cryptosuite: createSignCryptosuite() });
  return (await jsigs.sign(structuredClone(bundle), {
    suite,
    purpose: new jsigs.purposes.AssertionProofPurpose(),
    documentLoader,
  })) as TrustBundle;
}
