import { TandaError } from '../errors.js';

/**
 * CBOR-LD type tables (browser-safe: the offline verifier bundles this file).
 *
 * A table turns recurring values into small integers: context URLs, issuer DIDs and key ids, status list URLs, the
 * cryptosuite name, catalogue URLs typed xsd:anyURI (alignment targetUrl) and plain strings (the `none` table: code
 * lists, qualification and unit titles, issuer name). Each table is identified by the CBOR-LD `registryEntryId` in
 * the payload header and is immutable once a credential has been printed with it, so a paper certificate decodes the
 * same way forever; verifiers receive every table through the trust bundle as plain JSON (`TypeTableEntry`).
 */
export type TypeTable = Map<string, Map<string, number>>;
export type TypeTableLoader = (options: { registryEntryId: number }) => Promise<TypeTable | undefined>;

/** Plain data a table is built from; the position in each list decides the id (1-based), so order matters. */
export interface TypeTableSource {
  contexts: string[];
  /** Values of `@id`-typed terms: issuer DID, verification method ids, status list URLs, achievement id. */
  urls: string[];
  /** Values of xsd:anyURI-typed terms, i.e. Alignment.targetUrl (unit and level URLs). */
  anyUris: string[];
  /** Values of untyped terms: enum values, code lists, titles, names. Keep the most frequent ones first. */
  strings: string[];
  /** Custom registry entries do not inherit cborld's default cryptosuite table; absent → eddsa-rdfc-2022 only. */
  cryptosuites?: string[];
}

export interface TypeTableEntry {
  registryEntryId: number;
  source: TypeTableSource;
}

/** Registry entry ids below 100 are reserved by the CBOR-LD registry (0 uncompressed, 1 the empty default table). */
export const FIRST_REGISTRY_ENTRY_ID = 100;

export const CRYPTOSUITE_TABLE = 'https://w3id.org/security#cryptosuiteString';
/** OB 3.0.3 types targetUrl with the https:// XMLSchema IRI; an http://-keyed table would never match. */
export const ANY_URI_TABLE = 'https://www.w3.org/2001/XMLSchema#anyURI';
export const DEFAULT_CRYPTOSUITES: readonly string[] = ['eddsa-rdfc-2022'];

/**
 * The stored form of a source: every list present, duplicates removed (first occurrence wins, so ids are a pure
 * function of the stored JSON and a value never has two ids).
 */
export function normalizeTypeTableSource(source: TypeTableSource): Required<TypeTableSource> {
  const unique = (values: readonly string[]) => [...new Set(values)];
  return {
    contexts: unique(source.contexts),
    urls: unique(source.urls),
    anyUris: unique(source.anyUris),
    strings: unique(source.strings),
    cryptosuites: unique(source.cryptosuites ?? DEFAULT_CRYPTOSUITES),
  };
}

const numbered = (values: readonly string[]): Map<string, number> => {
  const map = new Map<string, number>();
  values.forEach((v, i) => {
    if (!map.has(v)) map.set(v, i + 1);
  });
  return map;
};

export function buildTypeTable(source: TypeTableSource): TypeTable {
  const s = normalizeTypeTableSource(source);
  return new Map([
    ['context', numbered(s.contexts)],
    ['url', numbered(s.urls)],
    [CRYPTOSUITE_TABLE, numbered(s.cryptosuites)],
    [ANY_URI_TABLE, numbered(s.anyUris)],
    ['none', numbered(s.strings)],
  ]);
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Checks a source read from JSON (database row or trust bundle) before it is trusted to decode anything. */
export function parseTypeTableSource(value: unknown): TypeTableSource {
  const v = value as Partial<Record<keyof TypeTableSource, unknown>> | null;
  if (
    !v ||
    typeof v !== 'object' ||
    !isStringList(v.contexts) ||
    !isStringList(v.urls) ||
    !isStringList(v.anyUris) ||
    !isStringList(v.strings) ||
    (v.cryptosuites !== undefined && !isStringList(v.cryptosuites))
  ) {
    throw new TandaError('invalid_config', 'a CBOR-LD type table source is malformed');
  }
  return {
    contexts: v.contexts,
    urls: v.urls,
    anyUris: v.anyUris,
    strings: v.strings,
    ...(v.cryptosuites ? { cryptosuites: v.cryptosuites } : {}),
  };
}

/** The loader cborld calls with the payload's registryEntryId; unknown ids resolve to undefined. */
export function typeTableLoaderFrom(entries: readonly TypeTableEntry[]): TypeTableLoader {
  const sources = new Map<number, TypeTableSource>();
  for (const e of entries) {
    if (!Number.isSafeInteger(e.registryEntryId) || e.registryEntryId < FIRST_REGISTRY_ENTRY_ID) {
      throw new TandaError('invalid_config', `invalid CBOR-LD registry entry id ${String(e.registryEntryId)}`);
    }
    const source = parseTypeTableSource(e.source);
    const known = sources.get(e.registryEntryId);
    // Two different tables under one id would decode the same payload two ways: refuse the whole set.
    if (known && JSON.stringify(normalizeTypeTableSource(known)) !== JSON.stringify(normalizeTypeTableSource(source))) {
      throw new TandaError('invalid_config', `two different CBOR-LD type tables share registry entry id ${e.registryEntryId}`);
    }
    sources.set(e.registryEntryId, source);
  }
  const built = new Map<number, TypeTable>();
  return async ({ registryEntryId }) => {
    let table = built.get(registryEntryId);
    if (!table) {
      const source = sources.get(registryEntryId);
      if (!source) return undefined;
      table = buildTypeTable(source);
      built.set(registryEntryId, table);
    }
    return table;
  };
}
