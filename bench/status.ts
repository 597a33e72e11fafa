import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { loadConfig } from '../src/config.js';
import { signCredential } from '../src/credentials/sign.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createIssuer } from '../src/issuers/issuers.js';
import { nodeDocumentLoader } from '../src/jsonld/index.js';
import { createCachedSigner } from '../src/keys/signer.js';
import { createServices } from '../src/services.js';
import { buildListCredential, STATUS_LIST_LENGTH } from '../src/status/list-credential.js';
import { typicalCredential } from './credentials.js';

/** Bytes of a signed list credential (JSON as served) with `revoked` random distinct indices set. */
async function signedListBytes(revoked: number): Promise<number> {
  const pair = await Ed25519Multikey.generate();
  const e = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  const did = `did:key:${e.publicKeyMultibase}`;
  const signer = await createCachedSigner(`${did}#${e.publicKeyMultibase}`, e.secretKeyMultibase!, e.publicKeyMultibase);
  const indices = new Set<number>();
  while (indices.size < revoked) indices.add(crypto.randomInt(STATUS_LIST_LENGTH));
  const unsigned = await buildListCredential({ url: 'https://tanda.example/status/k7d2m9xq', issuerDid: did, length: STATUS_LIST_LENGTH, revoked: indices, now: new Date() });
  const signed = await signCredential(unsigned, { signer, documentLoader: nodeDocumentLoader() });
  return Buffer.byteLength(JSON.stringify(signed));
}

/**
 * Revocations per second through the service on SQLite (each one records the audit row and re-signs the whole
 * 131,072-entry list in its transaction), and the size of a list credential with 1 % of its entries revoked.
 */
export async function benchStatus(revocations = 200): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-bench-status-'));
  const db = openDatabase({ sqlitePath: ':memory:' });
  try {
    await migrateToLatest(db);
    const config = loadConfig({ TANDA_DATA_DIR: dataDir, TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64'), TANDA_PUBLIC_URL: 'https://tanda.example' });
    const services = createServices(config, db);
    const issuer = await createIssuer(db.kysely, services.keys, config.publicUrl, { name: 'Bench Body', country: 'PH', didMethod: 'key' });
    const ids: string[] = [];
    for (let i = 0; i < revocations + 20; i++) {
      const v = await services.credentials.issue(typicalCredential(issuer.did), { issuerId: issuer.id, kind: 'award' });
      ids.push(v.id as string);
    }
    const actor = { issuerId: issuer.id, by: 'bench', userId: null };
    for (const id of ids.splice(0, 20)) await services.status.revoke({ credentialId: id, actor, reason: 'error' });
    const start = performance.now();
    for (const id of ids) await services.status.revoke({ credentialId: id, actor, reason: 'error' });
    const perSecond = ids.length / ((performance.now() - start) / 1000);
    return {
      'status.revocations_per_s': perSecond,
      'status.list_credential_bytes_131072_1pct': await signedListBytes(Math.round(STATUS_LIST_LENGTH / 100)),
      'status.list_credential_bytes_131072_empty': await signedListBytes(0),
    };
  } finally {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
