import { hash, verify } from '@node-rs/argon2';
import { TandaError } from '../errors.js';

export const MIN_PASSWORD_LENGTH = 12;

/** argon2id with the library's defaults (19 MiB, 2 passes: the OWASP baseline). */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new TandaError('validation_failed', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  return hash(password);
}

// Verified against when the account does not exist, so a wrong e-mail costs the same time as a wrong password.
let decoy: Promise<string> | undefined;

export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    decoy ??= hash('decoy-password-never-matches');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
