declare module '@digitalbazaar/data-integrity' {
  export interface Cryptosuite {
    name: string;
    requiredAlgorithm: string;
    canonize(input: object, options: object): Promise<string>;
    createVerifier(options: { verificationMethod: object }): Promise<{
      algorithm: string;
      id: string;
      verify(input: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
    }>;
  }
  export class DataIntegrityProof {
    constructor(options: {
      signer?: { algorithm: string; id: string; sign(input: { data: Uint8Array }): Promise<Uint8Array> };
      /** `null` omits `proof.created`; undefined means now. */
      date?: string | Date | number | null;
      cryptosuite: Cryptosuite;
      legacyContext?: boolean;
    });
    verificationMethod?: string;
    /** Template the next created proof starts from (e.g. `id`, `previousProof` of a chained proof). */
    proof?: Record<string, unknown>;
    createProof(options: { document: object; purpose: object; proofSet?: object[]; documentLoader: object }): Promise<Record<string, unknown>>;
    verifyProof(options: { proof: object; document: object; proofSet?: object[]; documentLoader: object }): Promise<{
      verified: boolean;
      verificationMethod?: object;
      error?: Error;
    }>;
  }
}
