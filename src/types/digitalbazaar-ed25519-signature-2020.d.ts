/** The legacy Ed25519Signature2020 suite (the Learner Credential Wallet signs DID Authentication with it). */
declare module '@digitalbazaar/ed25519-signature-2020' {
  export class Ed25519Signature2020 {
    constructor(options?: { key?: object; signer?: object; date?: string | Date | null });
  }
  export const suiteContext: { CONTEXT_URL: string; CONTEXT: object };
}
declare module '@digitalbazaar/ed25519-verification-key-2020' {
  export class Ed25519VerificationKey2020 {
    id: string;
    controller: string;
    publicKeyMultibase: string;
    static generate(options?: { controller?: string; id?: string }): Promise<Ed25519VerificationKey2020>;
    fingerprint(): string;
  }
}
