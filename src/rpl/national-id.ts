import crypto from 'node:crypto';

/**
 * National IDs are kept only as HMAC-SHA-256 under a key derived (HKDF) from the deployment's master key: equal
 * IDs give equal hashes, so a duplicate registration is caught, but a copied database alone cannot be turned back
 * into IDs by hashing the (small, structured) ID space, because the key is not in the database.
 */
export class NationalIdHasher {
  private readonly key: Buffer;

  constructor(masterKey: Buffer) {
    this.key = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'tanda/national-id/v1', 32));
  }

  hash(nationalId: string): string {
    // Spaces, dashes and case vary between how an ID is printed and how it is typed.
    const normal = nationalId.normalize('NFKC').replace(/[\s.-]/g, '').toUpperCase();
    return crypto.createHmac('sha256', this.key).update(normal, 'utf8').digest('hex');
  }
}
