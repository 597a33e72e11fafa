import { bundledContexts } from './context-files.js';
import { createDocumentLoader, type LoaderOptions, type DocumentLoader } from './loader.js';

/** The Node-side loader over contexts/; the browser build passes its own bundled map to createDocumentLoader. */
export function nodeDocumentLoader(options: Omit<LoaderOptions, 'contexts'> = {}): DocumentLoader {
  return createDocumentLoader({ contexts: bundledContexts(), ...options });
}

export { createDocumentLoader, DocumentNotFoundError, type DocumentLoader, type RemoteDocument } from './loader.js';
export { bundledContextBytes, bundledContexts } from './context-files.js';
