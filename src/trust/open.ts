import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createVerifyCryptosuite } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import { TandaError } from '../errors.js';
import { createDocumentLoader } from '../jsonld/loader.js';
import { READABLE_BUNDLE_FORMATS, TRUST_BUNDLE_TYPE, type TrustBundle } from './bundle.js';

/*
 * Browser-safe. A verifier trusts exactly one registry authority, pinned in its build or configuration as a did:key
 * (the DID is the public key, so pinning it needs no resolver). A bundle signed by anyone else, or altered after
 * signing, is refused as a whole: partial trust in registry data would turn a forged accreditation into a VALID.
 */

export interface OpenOptions {
  /** The pinned authority DID (did:key:z6Mk…). */
  authority: string;
  /** JSON-LD contexts held locally (only the VC 2.0 context is consulted). */
  contexts: ReadonlyMap<string, object>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (reason: string, details?: Record<string, unknown>) =>
  new TandaError('trust_bundle_invalid', `verification data refused: ${reason}`, { details: { reason, ...details } });

/** Parses and checks a bundle (text or parsed JSON); throws TandaError `trust_bundle_invalid` with the reason. */
export async function openTrustBundle(input: string | unknown, options: OpenOptions): Promise<TrustBundle> {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch {
      throw invalid('not JSON');
    }
  }
  if (!isObject(doc) || doc.type !== TRUST_BUNDLE_TYPE) throw invalid('not a Tanda trust bundle');
  if (typeof doc.format !== 'number' || !READABLE_BUNDLE_FORMATS.includes(doc.format)) throw invalid(`unsupported format ${String(doc.format)}`);
  const proof = doc.proof;
  if (!isObject(proof) || typeof proof.verificationMethod !== 'string') throw invalid('unsigned');
  const signerDid = proof.verificationMethod.split('#')[0];
  if (doc.authority !== options.authority || signerDid !== options.authority) {
    throw invalid('signed by another authority than the one this verifier trusts', { expected: options.authority, found: signerDid });
  }
  for (const field of ['issued', 'validUntil'] as const) {
    if (typeof doc[field] !== 'string' || Number.isNaN(Date.parse(doc[field]))) throw invalid(`"${field}" is not a date`);
  }
  if (typeof doc.serial !== 'number' || !isObject(doc.registry) || !Array.isArray(doc.statusLists) || !Array.isArray(doc.typeTables) || !isObject(doc.contexts)) {
    throw invalid('malformed');
  }

  const documentLoader = createDocumentLoader({ contexts: options.contexts });
  const result = await jsigs
    .verify(doc, {
      suite: new DataIntegrityProof({ cryptosuite: createVerifyCryptosuite() }),
      purpose: new jsigs.purposes.AssertionProofPurpose(),
      documentLoader,
    })
    .catch((e: unknown) => ({ verified: false, error: e as Error }));
  if (!result.verified) throw invalid('the signature does not match the content');
  return doc as unknown as TrustBundle;
}
