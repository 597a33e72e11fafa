import * as vc from '@digitalbazaar/vc';
import { TandaError } from '../errors.js';
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

/**
 * Errors signing raises because of the document itself (a term no context defines under JSON-LD safe mode, an
 * unknown context, a DID that cannot be resolved, the library's own data model checks) as the client's 4xx.
 * Anything else (a key, the database) stays an internal error.
 */
export function signingInputError(e: unknown): TandaError | undefined {
  if (e instanceof TandaError) return undefined;
  type Link = Error & { code?: string; cause?: unknown; errors?: unknown[]; details?: { event?: { code?: string; details?: unknown }; cause?: unknown } };
  const chain: Link[] = [];
  const visit = (err: unknown) => {
    if (!err || typeof err !== 'object' || chain.length >= 16 || chain.includes(err as Link)) return;
    const link = err as Link;
    chain.push(link);
    visit(link.cause);
    visit(link.details?.cause);
    link.errors?.forEach(visit);
  };
  visit(e);
  const missing = chain.find((c) => c.name === 'DocumentNotFoundError');
  // A context URL that is not bundled reaches the loader's "other documents" branch, hence unknown_document.
  if (missing) return new TandaError(missing.code === 'unresolvable_did' ? 'unresolvable_did' : 'unknown_context', missing.message, { cause: e });
  const jsonldError = chain.find((c) => typeof c.name === 'string' && c.name.startsWith('jsonld.'));
  if (jsonldError) {
    const event = jsonldError.details?.event;
    return new TandaError('invalid_jsonld', `${jsonldError.message}${event?.code ? ` (${event.code})` : ''}`, {
      cause: e,
      details: event ? { event: event.code, ...(event.details && typeof event.details === 'object' ? { at: event.details } : {}) } : undefined,
    });
  }
  // @digitalbazaar/vc's issuance checks throw plain Errors naming a property in quotes before any signing happens.
  const first = chain[0];
  if (first && /^"[A-Za-z@]+"|^property "|must be a URI|^Credential has expired/.test(first.message)) {
    return new TandaError('nonconformant_credential', first.message, { cause: e });
  }
  return undefined;
}
