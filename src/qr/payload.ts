import { encode as base45Encode } from '@digitalbazaar/base45';
import * as cborld from '@digitalbazaar/cborld';
import { fromQrCode } from '@digitalbazaar/vpqr';
import * as ErrorCorrectionLevel from 'qrcode/lib/core/error-correction-level.js';
import * as Mode from 'qrcode/lib/core/mode.js';
import * as QrVersion from 'qrcode/lib/core/version.js';
import { TandaError } from '../errors.js';
import type { DocumentLoader } from '../jsonld/loader.js';
import type { TypeTableLoader } from './type-table.js';

/**
 * The signed credential as QR text (browser-safe: the offline verifier bundles this file).
 *
 * vpqr's format: `VP1-` + `R` (Base45, RFC 9285) + CBOR-LD, all in the QR alphanumeric alphabet. The VC itself is
 * encoded, not a presentation wrapping it: cborld 8.1 fails on a VC 2.0 VP that embeds a VC (its
 * `verifiableCredential` term carries `"@context": null`).
 *
 * Encoding assembles that text from cborld + base45 (the two libraries vpqr.toQrCode calls) instead of calling
 * toQrCode, which also builds a QR matrix and a GIF data URL nobody here uses: 10 ms instead of 3 per credential,
 * a third of the per-certificate time budget. tests/qr pins the text to be identical to toQrCode's. Decoding goes
 * through vpqr.fromQrCode.
 */
export const QR_PAYLOAD_HEADER = 'VP1-R';

export interface EncodeOptions {
  registryEntryId: number;
  typeTableLoader: TypeTableLoader;
  documentLoader: DocumentLoader;
}

export interface DecodeOptions {
  typeTableLoader: TypeTableLoader;
  documentLoader: DocumentLoader;
}

export interface CredentialQr {
  /** 'VP1-R…', to be drawn as one alphanumeric QR segment at ECC M. */
  payload: string;
  /** CBOR-LD bytes before Base45. */
  bytes: number;
  /** QR version at ECC M (v16 holds 656 characters = 434 CBOR-LD bytes). */
  version: number;
}

// cborld error codes that mean "this payload uses ids the local tables or contexts do not have": the payload may
// be newer than the verifier's data, so the answer is to update it, not to call the credential invalid.
const TABLE_UNKNOWN_CODES = new Set(['ERR_NO_TYPETABLE', 'ERR_UNKNOWN_COMPRESSED_VALUE', 'ERR_UNDEFINED_COMPRESSED_CONTEXT']);

const errorCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;

const isTableUnknown = (e: unknown): boolean => {
  const code = errorCode(e);
  return code !== undefined && (TABLE_UNKNOWN_CODES.has(code) || code === 'unknown_context');
};

/**
 * One-item `type` arrays written as plain strings, everywhere in a document but its contexts. JSON-LD expands
 * `"type": "X"` and `"type": ["X"]` to the same RDF, so the signature made over the stored array form verifies on the
 * compact form byte for byte (tests/qr/payload.test.ts proves it), and CBOR-LD spends one byte on each array header:
 * 11 bytes on a 6-unit certificate. Only the QR payload is compacted: the stored and served credential keeps the
 * arrays 1EdTech's OB 3.0 JSON Schema requires (credentials/build.ts). The credential's own type keeps its two items.
 */
export function compactTypes<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compactTypes) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '@context') out[k] = v;
    else out[k] = k === 'type' && Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' ? v[0] : compactTypes(v);
  }
  return out as T;
}

/** The signed credential as QR text, its one-item type arrays compacted (`compactTypes`). */
export async function encodeCredentialQr(credential: object, options: EncodeOptions): Promise<CredentialQr> {
  let bytes: Uint8Array;
  try {
    bytes = await cborld.encode({
      jsonldDocument: compactTypes(credential),
      documentLoader: options.documentLoader,
      registryEntryId: options.registryEntryId,
      typeTableLoader: options.typeTableLoader,
    });
  } catch (e) {
    if (errorCode(e) === 'ERR_NO_TYPETABLE') {
      throw new TandaError('qr_table_unknown', `no CBOR-LD type table ${options.registryEntryId}`, { cause: e });
    }
    throw new TandaError('invalid_credential', `the credential cannot be encoded as CBOR-LD: ${(e as Error).message}`, { cause: e });
  }
  const payload = QR_PAYLOAD_HEADER + base45Encode(bytes);
  return { payload, bytes: bytes.length, version: qrVersionFor(payload) };
}

/**
 * The credential as the QR carries it: the signed credential with one-item type arrays as strings (`compactTypes`),
 * the same RDF, so it verifies exactly as the stored form does; or a TandaError: `qr_table_unknown` when the
 * payload needs a type table or context this verifier lacks, `qr_malformed` for anything else that is not a payload.
 */
export async function decodeCredentialQr(payload: string, options: DecodeOptions): Promise<Record<string, unknown>> {
  let decoded: unknown;
  try {
    ({ vp: decoded } = await fromQrCode({
      text: payload,
      documentLoader: options.documentLoader,
      typeTableLoader: options.typeTableLoader,
    }));
  } catch (e) {
    if (isTableUnknown(e)) {
      throw new TandaError('qr_table_unknown', undefined, { cause: e, details: { reason: errorCode(e) } });
    }
    throw new TandaError('qr_malformed', undefined, { cause: e, details: { reason: errorCode(e) ?? (e as Error).message } });
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) {
    throw new TandaError('qr_malformed', 'the QR code does not hold a JSON-LD document');
  }
  return decoded as Record<string, unknown>;
}

/**
 * The smallest QR version that holds `payload` as one alphanumeric segment at ECC M, from the capacity table the
 * `qrcode` package (which draws the printed symbol) chooses its version with; 0 when even version 40 is too small.
 */
export function qrVersionFor(payload: string): number {
  for (let version = 1; version <= 40; version++) {
    if (payload.length <= QrVersion.getCapacity(version, ErrorCorrectionLevel.M, Mode.ALPHANUMERIC)) return version;
  }
  return 0;
}
