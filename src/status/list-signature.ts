import * as vc from '@digitalbazaar/vc';
import { verifyingSuite } from '../credentials/suite.js';
import type { DocumentLoader } from '../jsonld/loader.js';

/**
 * Checks a status list credential's proof with the stock verifier, whose default purpose also requires the signing
 * key to belong to the list's issuer. It is checked as of its own validFrom: an expired list still proves what it said
 * then, and its age is reported by the status check as "stale", not as a broken signature.
 */
export async function verifyListCredential(
  list: Record<string, unknown>,
  documentLoader: DocumentLoader,
): Promise<{ verified: true } | { verified: false; reason: string }> {
  const validFrom = typeof list.validFrom === 'string' ? new Date(list.validFrom) : undefined;
  try {
    const result = await vc.verifyCredential({
      credential: list,
      suite: verifyingSuite(documentLoader),
      documentLoader,
      ...(validFrom && !Number.isNaN(validFrom.getTime()) ? { now: validFrom } : {}),
    });
    if (result.verified) return { verified: true };
    const error = result.error?.errors?.[0] ?? result.error ?? result.results?.find((r) => r.error)?.error;
    return { verified: false, reason: error?.message ?? 'the proof does not verify' };
  } catch (e) {
    return { verified: false, reason: (e as Error).message };
  }
}
