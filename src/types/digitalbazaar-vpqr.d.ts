declare module '@digitalbazaar/vpqr' {
  type DocumentLoader = (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: object }>;
  /** CBOR-LD type table: table type (`context`, `url`, `none` or a datatype IRI) → value → id. */
  type TypeTable = Map<string, Map<string, number>>;
  type TypeTableLoader = (options: { registryEntryId: number }) => Promise<TypeTable | undefined>;

  export interface ToQrCodeResult {
    /** `VP1-` + multibase prefix (`R` Base45, `B` Base32) + encoded CBOR-LD. */
    payload: string;
    imageDataUrl: string;
    encodedCborld: string;
    rawCborldBytes: Uint8Array;
    /** QR version chosen by vpqr's encoder (alphanumeric mode, the requested ECC level). */
    version: number;
  }

  export function toQrCode(options: {
    /** Any JSON-LD document; vpqr names it `vp` but encodes whatever it is given. */
    vp: object;
    documentLoader: DocumentLoader;
    format?: 'cbor-ld-1.0' | 'legacy-range' | 'legacy-singleton';
    registryEntryId?: number;
    typeTableLoader?: TypeTableLoader;
    moduleSize?: number;
    margin?: number;
    qrMultibaseEncoding?: 'R' | 'B';
    qrErrorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
    qrVersion?: number;
    diagnose?: (message: unknown) => void;
  }): Promise<ToQrCodeResult>;

  export function fromQrCode(options: {
    text: string;
    documentLoader: DocumentLoader;
    typeTableLoader?: TypeTableLoader;
    diagnose?: (message: unknown) => void;
  }): Promise<{ vp: unknown }>;
}
