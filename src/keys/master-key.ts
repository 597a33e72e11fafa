import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../data-dir.js';
import { TandaError } from '../errors.js';

const KEY_FILE = 'master.key';

/**
 * The key that encrypts issuer private keys at rest. Production passes it in TANDA_MASTER_KEY (from a secret
 * store); the embedded default generates it once into a 0600 file beside the database, so a copied database
 * alone does not reveal the signing keys.
 */
export function loadMasterKey(options: { masterKey: string | undefined; dataDir: string }): Buffer {
  if (options.masterKey) return decode(options.masterKey, 'TANDA_MASTER_KEY');
  const file = path.join(options.dataDir, KEY_FILE);
  if (fs.existsSync(file)) {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) fs.chmodSync(file, 0o600);
    return decode(fs.readFileSync(file, 'utf8').trim(), file);
  }
  ensurePrivateDir(options.dataDir);
  const key = crypto.randomBytes(32);
  // `wx` fails if another process created it meanwhile, instead of silently replacing a key already in use.
  fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw new TandaError('invalid_config', `${where} must hold 32 bytes in base64`);
  return key;
}
