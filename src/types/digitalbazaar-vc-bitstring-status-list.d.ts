declare module '@digitalbazaar/vc-bitstring-status-list' {
  import type { DataIntegrityProof } from '@digitalbazaar/data-integrity';
  type DocumentLoader = (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: object }>;

  /** A bitstring of status bits; index 0 is the most significant bit of the first byte (left-to-right). */
  export class BitstringStatusList {
    constructor(options: { length: number } | { buffer: Uint8Array });
    readonly length: number;
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    /** Multibase base64url (no padding, `u` prefix) of the GZIP-compressed bits. */
    encode(): Promise<string>;
    static decode(options: { encodedList: string }): Promise<BitstringStatusList>;
  }

  export interface BitstringStatusListCredential {
    '@context': string[];
    id: string;
    type: ['VerifiableCredential', 'BitstringStatusListCredential'];
    credentialSubject: { id: string; type: 'BitstringStatusList'; encodedList: string; statusPurpose: string };
  }

  export interface StatusEntryResult {
    verified: true;
    credentialStatus: Record<string, unknown>;
    /** The bit at the entry's index: true = set (revoked, for the revocation purpose). */
    status: boolean;
  }

  export const VC_BSL_VC_V1_CONTEXT: string[];
  export const VC_BSL_VC_V2_CONTEXT: string[];

  export function createList(options: { length: number }): Promise<BitstringStatusList>;
  export function decodeList(options: { encodedList: string }): Promise<BitstringStatusList>;
  /** The unsigned list credential (no issuer, no dates): the caller adds those and signs. */
  export function createCredential(options: {
    id: string;
    list: BitstringStatusList;
    statusPurpose: string;
    context?: string[];
  }): Promise<BitstringStatusListCredential>;
  /** Never throws: failures come back as `{verified: false, error}`. */
  export function checkStatus(options: {
    credential: object;
    documentLoader: DocumentLoader;
    suite?: DataIntegrityProof | DataIntegrityProof[];
    verifyBitstringStatusListCredential?: boolean;
    verifyMatchingIssuers?: boolean;
  }): Promise<{ verified: true; results: StatusEntryResult[] } | { verified: false; error: Error; results?: StatusEntryResult[] }>;
  export function statusTypeMatches(options: { credential: object }): boolean;
  export function assertBitstringStatusListContext(options: { credential: object }): void;
  export function getCredentialStatus(options: { credential: object; statusPurpose: string }): Record<string, unknown>;
}
