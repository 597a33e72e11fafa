/*
 * The offline store's encryption (WebCrypto, AES-GCM 256).
 *
 * Design. Everything the device keeps about candidates (the day's case packages, decisions, photos) is encrypted
 * with one random data key made on this device when the assessor first makes cases available offline. That key is
 * never stored as it is: only wrapped (AES-GCM) under a key-encryption key derived with PBKDF2-SHA-256 (600 000
 * rounds, a random salt) from the assessor's console password, typed again on this device to unlock. The unwrapped
 * key lives in this page's memory only — not in IndexedDB, localStorage or sessionStorage, which all reach the
 * disk. So a stolen laptop's IndexedDB holds ciphertext, a salt and a wrapped key: nothing readable without the
 * person's password. A reload (also offline) forgets the key: the assessor unlocks again with the password, which
 * is checked by unwrapping (AES-GCM fails on a wrong one) and needs no server. What the store keeps in clear is
 * only what sync needs to count and order: event ids, case ids (random UUIDs), kinds and times.
 *
 * Why the password and not the session cookie: the cookie is HttpOnly (the page cannot read it, by design), and a
 * key fetched from the server would be unreachable offline, when it is needed most. Sign-out (onSigningOut) forgets
 * the key and deletes this account's store on this device, except entries the server has not confirmed yet (signed
 * out with no network): those stay sealed and locked, the day's packages go, and the next sign-in here unlocks and
 * sends them. A session that merely expired leaves the store as it is, locked after a reload.
 */
const ROUNDS = 600_000;
const enc = new TextEncoder();
const dec = new TextDecoder();

export interface WrappedKey {
  salt: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
  wrapped: ArrayBuffer;
  rounds: number;
}

/** A sealed value: ciphertext and its nonce. */
export interface Sealed {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

async function keyEncryptionKey(password: string, salt: Uint8Array<ArrayBuffer>, rounds: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', enc.encode(password), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: rounds }, base, { name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}

/** A new data key, and its wrapped form for the store. The returned key cannot be exported again. */
export async function newDataKey(password: string): Promise<{ key: CryptoKey; wrapped: WrappedKey }> {
  const raw = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = await crypto.subtle.wrapKey('raw', raw, await keyEncryptionKey(password, salt, ROUNDS), { name: 'AES-GCM', iv });
  const key = await unwrap(password, { salt, iv, wrapped, rounds: ROUNDS });
  if (!key) throw new Error('the data key did not unwrap');
  return { key, wrapped: { salt, iv, wrapped, rounds: ROUNDS } };
}

/** The data key, or null when the password is not the one it was wrapped with. */
export async function unwrap(password: string, w: WrappedKey): Promise<CryptoKey | null> {
  try {
    return await crypto.subtle.unwrapKey('raw', w.wrapped, await keyEncryptionKey(password, w.salt, w.rounds), { name: 'AES-GCM', iv: w.iv }, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  } catch {
    return null;
  }
}

export async function sealBytes(key: CryptoKey, bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  return { iv, data: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes) };
}

export async function openBytes(key: CryptoKey, s: Sealed): Promise<ArrayBuffer> {
  return crypto.subtle.decrypt({ name: 'AES-GCM', iv: s.iv }, key, s.data);
}

export const seal = async (key: CryptoKey, value: unknown): Promise<Sealed> => sealBytes(key, enc.encode(JSON.stringify(value)));
export const open = async <T>(key: CryptoKey, s: Sealed): Promise<T> => JSON.parse(dec.decode(await openBytes(key, s))) as T;
