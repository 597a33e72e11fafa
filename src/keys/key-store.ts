import crypto from 'node:crypto';
import type { Db, Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { IssuerKeysTable } from '../db/schema.js';
import { TandaError } from '../errors.js';
import { PromiseCache } from '../promise-cache.js';
import { open, seal } from './sealed.js';
import { createCachedSigner, generateKeyPair, type Signer } from './signer.js';

/** What a verifier needs to know about a key besides its public half: when it was in use, and whether it was stolen. */
export interface KeyRecord {
  issuerId: string;
  verificationMethod: string;
  status: IssuerKeysTable['status'];
  createdAt: string;
  retiredAt: string | null;
  compromisedAt: string | null;
}

/**
 * What a key that stops signing keeps: its public half and its dates. The sealed private key is overwritten, so a
 * later copy of the database and master key cannot sign with it either.
 */
const DESTROYED = '';

export interface CurrentKey {
  issuerId: string;
  issuerDid: string;
  verificationMethod: string;
  signer: Signer;
}

/**
 * Issuer signing keys: generated here, stored only encrypted, decrypted once into a cached signer. Private key
 * material never leaves this module (no getter returns it, and errors never include it).
 */
export class KeyStore {
  /** One imported key object per verification method, for the life of the process (a handful per body). */
  private readonly signers = new PromiseCache<string, Signer>(Number.POSITIVE_INFINITY);

  constructor(
    private readonly db: Db,
    private readonly masterKey: Buffer,
  ) {}

  /**
   * Creates a key and makes it current, retiring the previous one: it keeps verifying what it signed before its
   * retirement, and its private key is destroyed (nothing ever signs with a retired key again).
   */
  async addKey(
    executor: Executor,
    issuerId: string,
    controllerFor: (publicKeyMultibase: string, keyNumber: number) => { controller: string; id: string },
  ): Promise<{ verificationMethod: string; controller: string; publicKeyMultibase: string }> {
    const existing = await executor.selectFrom('issuer_keys').select('id').where('issuer_id', '=', issuerId).execute();
    const keyNumber = existing.length + 1;
    const pair = await generateKeyPair((pk) => controllerFor(pk, keyNumber));
    const now = nowIso();
    await executor
      .updateTable('issuer_keys')
      .set({ status: 'retired', retired_at: now, private_key_encrypted: DESTROYED })
      .where('issuer_id', '=', issuerId)
      .where('status', '=', 'current')
      .execute();
    await executor
      .insertInto('issuer_keys')
      .values({
        id: crypto.randomUUID(),
        issuer_id: issuerId,
        verification_method: pair.id,
        public_key_multibase: pair.publicKeyMultibase,
        private_key_encrypted: seal(this.masterKey, pair.secretKeyMultibase, pair.id),
        status: 'current',
        created_at: now,
        retired_at: null,
        compromised_at: null,
      })
      .execute();
    return { verificationMethod: pair.id, controller: pair.controller, publicKeyMultibase: pair.publicKeyMultibase };
  }

  async currentKey(issuerId: string, executor: Executor = this.db.kysely): Promise<CurrentKey> {
    const row = await executor
      .selectFrom('issuer_keys')
      .innerJoin('issuers', 'issuers.id', 'issuer_keys.issuer_id')
      .select(['issuer_keys.verification_method', 'issuer_keys.public_key_multibase', 'issuer_keys.private_key_encrypted', 'issuers.did'])
      .where('issuer_keys.issuer_id', '=', issuerId)
      .where('issuer_keys.status', '=', 'current')
      .executeTakeFirst();
    if (!row) throw new TandaError('issuer_has_no_key', `certifying body ${issuerId} has no current signing key`);
    return {
      issuerId,
      issuerDid: row.did,
      verificationMethod: row.verification_method,
      signer: await this.signerFor(row),
    };
  }

  /**
   * Marks a key compromised (final): it stops signing and verifying at once. A key that was current is retired at
   * the same moment, so the body has no current key until the caller adds one in the same transaction.
   */
  async markCompromised(executor: Executor, verificationMethod: string, at: string): Promise<void> {
    await executor
      .updateTable('issuer_keys')
      .set((eb) => ({
        status: 'compromised',
        compromised_at: at,
        retired_at: eb.fn.coalesce('retired_at', eb.val(at)),
        private_key_encrypted: DESTROYED,
      }))
      .where('verification_method', '=', verificationMethod)
      .where('status', '!=', 'compromised')
      .execute();
  }

  /** The registry's record of a key, by verification method id (undefined for a key that is not a body's). */
  async keyRecord(verificationMethod: string, executor: Executor = this.db.kysely): Promise<KeyRecord | undefined> {
    const row = await executor
      .selectFrom('issuer_keys')
      .select(['issuer_id', 'verification_method', 'status', 'created_at', 'retired_at', 'compromised_at'])
      .where('verification_method', '=', verificationMethod)
      .executeTakeFirst();
    return row
      ? {
          issuerId: row.issuer_id,
          verificationMethod: row.verification_method,
          status: row.status,
          createdAt: row.created_at,
          retiredAt: row.retired_at,
          compromisedAt: row.compromised_at,
        }
      : undefined;
  }

  async publicKeys(
    issuerId: string,
    executor: Executor = this.db.kysely,
  ): Promise<Pick<IssuerKeysTable, 'verification_method' | 'public_key_multibase' | 'status' | 'created_at' | 'retired_at' | 'compromised_at'>[]> {
    return executor
      .selectFrom('issuer_keys')
      .select(['verification_method', 'public_key_multibase', 'status', 'created_at', 'retired_at', 'compromised_at'])
      .where('issuer_id', '=', issuerId)
      .orderBy('created_at')
      .execute();
  }

  private signerFor(row: { verification_method: string; public_key_multibase: string; private_key_encrypted: string }): Promise<Signer> {
    if (row.private_key_encrypted === DESTROYED) throw new TandaError('issuer_has_no_key', `the key ${row.verification_method} no longer signs`);
    return this.signers.get(row.verification_method, () =>
      createCachedSigner(row.verification_method, open(this.masterKey, row.private_key_encrypted, row.verification_method), row.public_key_multibase),
    );
  }
}
