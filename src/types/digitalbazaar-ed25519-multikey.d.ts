declare module '@digitalbazaar/ed25519-multikey' {
  export interface MultikeyInput {
    '@context'?: string;
    type?: string;
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
  }
  export interface KeySigner {
    algorithm: string;
    id: string;
    sign(input: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export interface KeyVerifier {
    algorithm: string;
    id: string;
    verify(input: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
  }
  export interface Ed25519KeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    publicKey: Uint8Array;
    secretKey?: Uint8Array;
    export(options: { publicKey?: boolean; secretKey?: boolean; includeContext?: boolean; raw: true; canonicalize?: boolean }): Promise<{ publicKey?: Uint8Array; secretKey?: Uint8Array }>;
    export(options?: { publicKey?: boolean; secretKey?: boolean; includeContext?: boolean; raw?: false }): Promise<MultikeyInput>;
    signer(): KeySigner;
    verifier(): KeyVerifier;
  }
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>;
  export function from(key: MultikeyInput): Promise<Ed25519KeyPair>;
}
