declare module 'jsonld-signatures' {
  export namespace purposes {
    class ProofPurpose {
      validate(
        proof: object,
        options: { document: object; suite: object; verificationMethod?: object; documentLoader: object },
      ): Promise<{ valid: boolean; error?: Error; controller?: { id?: string } }>;
    }
    class AssertionProofPurpose extends ProofPurpose {
      constructor(options?: { controller?: object; date?: string | Date; maxTimestampDelta?: number });
    }
    class AuthenticationProofPurpose extends ProofPurpose {
      constructor(options: { challenge: string; domain?: string; controller?: object; date?: string | Date });
    }
  }
  export interface JsigsVerifyResult {
    verified: boolean;
    results?: Array<{ verified: boolean; error?: Error }>;
    error?: Error & { errors?: Error[] };
  }
  const jsigs: {
    purposes: typeof purposes;
    sign<T extends object>(document: T, options: { suite: object; purpose: purposes.ProofPurpose; documentLoader: (url: string) => Promise<object> }): Promise<T & { proof: object }>;
    verify(document: object, options: { suite: object; purpose: purposes.ProofPurpose; documentLoader: (url: string) => Promise<object> }): Promise<JsigsVerifyResult>;
  };
  export default jsigs;
}
