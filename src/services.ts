import type { Config } from './config.js';
import type { Db } from './db/database.js';
import { CredentialService } from './credentials/service.js';
import { findIssuerByDid, registryDidResolver } from './issuers/issuers.js';
import { bundledContexts, createDocumentLoader, type DocumentLoader } from './jsonld/index.js';
import { KeyStore } from './keys/key-store.js';
import { loadMasterKey } from './keys/master-key.js';
import { createRplContext, type RplContext } from './rpl/context.js';
import { StatusService } from './status/status-service.js';

/**
 * Everything the routes and the CLI need, built once from the validated config. Domain modules receive their
 * collaborators from here rather than importing singletons, so tests build the same graph on a test database.
 */
export interface Services {
  config: Config;
  db: Db;
  keys: KeyStore;
  documentLoader: DocumentLoader;
  knownContexts: ReadonlySet<string>;
  credentials: CredentialService;
  status: StatusService;
  rpl: RplContext;
}

export function createServices(config: Config, db: Db): Services {
  const keys = new KeyStore(db, loadMasterKey({ masterKey: config.masterKey, dataDir: config.dataDir }));
  const documentLoader = createDocumentLoader({
    contexts: bundledContexts(),
    resolveDid: registryDidResolver(db.kysely, keys),
    // Our own status lists come from the database (`status` is declared below; the loader runs only later).
    resolveDocument: (url) => status.documentFor(url),
  });
  const knownContexts = new Set(bundledContexts().keys());
  const credentials = new CredentialService({
    db,
    keys,
    documentLoader,
    knownContexts,
    lookupIssuer: async (did) => {
      const issuer = await findIssuerByDid(db.kysely, did);
      return issuer ? { known: true, name: issuer.name, id: issuer.id } : { known: false };
    },
  });
  const status = new StatusService({ db, keys, documentLoader, credentials, publicUrl: config.publicUrl });
  credentials.hooks.allocateStatus = async (tx, input) => ({ ...(await status.allocate(tx, input)) });
  credentials.hooks.checkStatus = (credential) => status.checkStatus(credential);
  return { config, db, keys, documentLoader, knownContexts, credentials, status, rpl: createRplContext(config, db, credentials) };
}
