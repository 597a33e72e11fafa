import crypto from 'node:crypto';
import { TandaError } from '../errors.js';

const VERSION = 'v1';

/**
 * AES-256-GCM with the key's verification method id as associated data: a ciphertext copied onto another key row
 * fails to open instead of silently signing as the wrong key.
 */
export function seal(masterKey: Buffer, plaintext: string, associatedData: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function open(masterKey: Buffer, sealed: string, associatedData: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || !ct) throw new TandaError('key_decryption_failed');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new TandaError('key_decryption_failed', undefined, { cause });
  }
}
