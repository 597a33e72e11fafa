import './context-clone.js';
import type { DidDocument } from './did-key.js';
import { didKeyDocument } from './did-key.js';
import { MULTIKEY_V1 } from './urls.js';

export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: object;
  /**
   * `static` tells jsonld the document never changes, so it keeps the processed context across operations instead
   * of re-processing every context (and re-cloning the active context) for each credential signed or verified.
   */
  tag?: 'static';
}
export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

export interface LoaderOptions {
  contexts: ReadonlyMap<string, object>;
  /** did:web (and any other non-did:key DID) comes only from the local issuer registry or the trust bundle. */
  resolveDid?: (did: string) => Promise<DidDocument | undefined>;
  /** Other documents the product itself holds (status list credentials from the database or a snapshot). */
  resolveDocument?: (url: string) => Promise<object | undefined>;
}

/** Raised for any URL the product does not hold locally: the loader never reaches for the network. */
export class DocumentNotFoundError extends Error {
  readonly code: 'unknown_context' | 'unresolvable_did' | 'unknown_document';
  readonly url: string;
  constructor(code: DocumentNotFoundError['code'], url: string) {
    super(
      code === 'unknown_context'
        ? `JSON-LD context not available offline: ${url}`
        : code === 'unresolvable_did'
          ? `DID cannot be resolved offline: ${url}`
          : `document not available offline: ${url}`,
    );
    this.name = 'DocumentNotFoundError';
    this.code = code;
    this.url = url;
  }
}

const wrap = (documentUrl: string, document: object): RemoteDocument => ({ contextUrl: null, documentUrl, document });

export function createDocumentLoader(options: LoaderOptions): DocumentLoader {
  const { contexts, resolveDid, resolveDocument } = options;
  return async (url: string) => {
    const context = contexts.get(url);
    // Bundled contexts are immutable per URL (contexts/ never changes a published file).
    if (context) return { ...wrap(url, context), tag: 'static' };

    if (url.startsWith('did:')) {
      const [did = '', fragment] = url.split('#');
      const doc = did.startsWith('did:key:') ? didKeyDocument(did) : await resolveDid?.(did);
      if (!doc) throw new DocumentNotFoundError('unresolvable_did', url);
      if (fragment === undefined) return wrap(url, doc);
      const vm = doc.verificationMethod.find((m) => m.id === url || m.id === `#${fragment}`);
      if (!vm) throw new DocumentNotFoundError('unresolvable_did', url);
      // A verification method fetched on its own must carry a context so the suite can read it as JSON-LD.
      return wrap(url, { '@context': MULTIKEY_V1, ...vm, id: url });
    }

    const local = await resolveDocument?.(url);
    if (local) return wrap(url, local);
    if (/^https?:\/\//.test(url) && /\/contexts?\/|\/ns\/|context/.test(url)) {
      throw new DocumentNotFoundError('unknown_context', url);
    }
    throw new DocumentNotFoundError('unknown_document', url);
  };
}
