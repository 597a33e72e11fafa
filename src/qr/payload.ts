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

export async function encodeCredentialQr(credential: object, options: EncodeOptions): Promise<CredentialQr> {
  let bytes: Uint8Array;
  try {
    bytes = await cborld.encode({
      jsonldDocument: credential,
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
 * The credential exactly as signed (deep-equal to the issued JSON), or a TandaError: `qr_table_unknown` when the
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
