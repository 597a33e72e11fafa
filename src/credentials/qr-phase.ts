import { isTandaError } from '../errors.js';
import { decodeCredentialQr } from '../qr/payload.js';
import type { TypeTableLoader } from '../qr/type-table.js';
import { verifyProofs, type ProofOptions, type ProofPhase } from './verify.js';

/*
 * The CPU-heavy half of checking a certificate's QR text, with no registry and no database (browser-safe): the
 * CBOR-LD decode and the proof phase of the credential it holds. One function, so that the server's verification
 * workers (one job per scan) and the in-process path of the browser and the CLI cannot tell a payload apart
 * differently.
 */

export type QrPayloadFailure = 'qr_malformed' | 'qr_table_unknown';

/** Either why the text is not a credential this verifier can read, or the credential and its proof phase. */
export type QrPhase = { failure: QrPayloadFailure } | { credential: Record<string, unknown>; proofs: ProofPhase };

export interface QrPhaseOptions extends ProofOptions {
  typeTableLoader: TypeTableLoader;
}

export async function decodeAndProve(text: string, options: QrPhaseOptions): Promise<QrPhase> {
  const { typeTableLoader, ...proofOptions } = options;
  let credential: Record<string, unknown>;
  try {
    credential = await decodeCredentialQr(text, { typeTableLoader, documentLoader: options.documentLoader });
  } catch (e) {
    return { failure: isTandaError(e) && e.code === 'qr_table_unknown' ? 'qr_table_unknown' : 'qr_malformed' };
  }
  return { credential, proofs: await verifyProofs(credential, proofOptions) };
}
