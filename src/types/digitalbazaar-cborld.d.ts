declare module '@digitalbazaar/cborld' {
  type DocumentLoader = (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: object }>;
  type TypeTable = Map<string, Map<string, number>>;
  type TypeTableLoader = (options: { registryEntryId: number }) => Promise<TypeTable | undefined>;

  /** Thrown for CBOR-LD level failures; `code` is e.g. ERR_NO_TYPETABLE, ERR_UNKNOWN_COMPRESSED_VALUE. */
  export class CborldError extends Error {
    code: string;
  }

  export function encode(options: {
    jsonldDocument: object;
    documentLoader: DocumentLoader;
    format?: 'cbor-ld-1.0' | 'legacy-range' | 'legacy-singleton';
    registryEntryId: number;
    typeTableLoader?: TypeTableLoader;
    diagnose?: (message: unknown) => void;
  }): Promise<Uint8Array>;

  export function decode(options: {
    cborldBytes: Uint8Array;
    documentLoader: DocumentLoader;
    typeTableLoader?: TypeTableLoader;
    diagnose?: (message: unknown) => void;
  }): Promise<unknown>;
}
