declare module '@digitalbazaar/vc' {
  import type { DataIntegrityProof } from '@digitalbazaar/data-integrity';
  type DocumentLoader = (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: object }>;

  export interface ProofResult {
    proof?: object;
    verified: boolean;
    verificationMethod?: { id: string; controller?: string };
    error?: Error & { errors?: Error[] };
    purposeResult?: { valid: boolean; error?: Error; controller?: { id?: string } };
  }
  export interface VerifyCredentialResult {
    verified: boolean;
    results?: ProofResult[];
    statusResult?: { verified: boolean; [k: string]: unknown };
    error?: Error & { errors?: Error[]; name?: string };
  }
  export interface VerifyPresentationResult {
    verified: boolean;
    presentationResult?: { verified: boolean; results?: ProofResult[]; error?: Error };
    credentialResults?: Array<VerifyCredentialResult & { credentialId?: string }>;
    error?: Error & { errors?: Error[] };
  }
  export type CheckStatus = (options: { credential: Record<string, unknown>; documentLoader: DocumentLoader; suite: unknown }) => Promise<{ verified: boolean; [k: string]: unknown }>;

  export function issue(options: {
    credential: object;
    suite: DataIntegrityProof;
    documentLoader: DocumentLoader;
    now?: string | Date;
    maxClockSkew?: number;
  }): Promise<Record<string, unknown>>;
  export function verifyCredential(options: {
    credential: object;
    suite: DataIntegrityProof | DataIntegrityProof[];
    documentLoader: DocumentLoader;
    checkStatus?: CheckStatus;
    now?: string | Date;
    maxClockSkew?: number;
    purpose?: object;
  }): Promise<VerifyCredentialResult>;
  export function verify(options: {
    presentation: object;
    suite: DataIntegrityProof | DataIntegrityProof[];
    documentLoader: DocumentLoader;
    challenge?: string;
    domain?: string;
    unsignedPresentation?: boolean;
    checkStatus?: CheckStatus;
    now?: string | Date;
  }): Promise<VerifyPresentationResult>;
  export function createPresentation(options: { verifiableCredential?: object | object[]; id?: string; holder?: string; version?: 1.0 | 2.0 }): Record<string, unknown>;
  export function signPresentation(options: {
    presentation: object;
    suite: DataIntegrityProof | object;
    documentLoader: DocumentLoader;
    challenge: string;
    domain?: string;
  }): Promise<Record<string, unknown>>;
  export function _checkCredential(options: { credential: object; now?: Date | string; mode?: 'issue' | 'verify' }): void;
}
