import * as vc from '@digitalbazaar/vc';
import type { DocumentLoader } from '../jsonld/loader.js';
import type { Signer } from '../keys/signer.js';
import { signingSuite } from './suite.js';

export type SignedCredential = Record<string, unknown> & { proof: Record<string, unknown> };

/** Data Integrity eddsa-rdfc-2022 through @digitalbazaar/vc; the caller's object is not mutated. */
export async function signCredential(
  credential: Record<string, unknown>,
  options: { signer: Signer; documentLoader: DocumentLoader; created?: string | null },
): Promise<SignedCredential> {
  const suite = signingSuite(options.signer, options.documentLoader, options.created ?? null);
  const signed = await vc.issue({ credential: structuredClone(credential), suite, documentLoader: options.documentLoader });
  return signed as SignedCredential;
}
