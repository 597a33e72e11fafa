import { nodeDocumentLoader } from '../src/jsonld/index.js';
import { decodeCredentialQr, encodeCredentialQr } from '../src/qr/payload.js';
import { typeTableLoaderFrom } from '../src/qr/type-table.js';
import { HOLDERS, leanCredential, tableSourceFor, testIssuer, type HolderScript } from '../tests/qr/fixtures.js';

const REGISTRY_ENTRY_ID = 100;

/** Operations per second of `op`, timed over at least `ms` after a warm-up (JIT, context and table caches). */
async function rate(op: () => Promise<unknown>, ms = 1500): Promise<number> {
  for (let i = 0; i < 20; i++) await op();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await op();
    n++;
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

/**
 * The typical certificate of issue 6 (30-character holder name, 6 units, KKNI + AQRF levels, one status entry,
 * proof without `created`) and its 12-unit sibling: payload size, QR version at ECC M, encode/decode throughput.
 * Then the same 6-unit certificate for a 12-character Khmer and a 12-character Burmese name, each with its Latin
 * transliteration (issue 13: goals ≤ v16-M for every script, ≤ v15-M for the Latin name).
 */
export async function benchQr(): Promise<Record<string, number>> {
  const documentLoader = nodeDocumentLoader();
  const issuer = await testIssuer();
  const out: Record<string, number> = {};
  let encode: (() => Promise<unknown>) | undefined;
  let decode: (() => Promise<unknown>) | undefined;
  for (const units of [6, 12]) {
    const typeTableLoader = typeTableLoaderFrom([{ registryEntryId: REGISTRY_ENTRY_ID, source: tableSourceFor(units, issuer.did) }]);
    const credential = await issuer.sign(leanCredential(units, issuer.did), documentLoader);
    const options = { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader };
    const qr = await encodeCredentialQr(credential, options);
    out[`qr.payload_bytes_${units}_units`] = qr.bytes;
    out[`qr.payload_chars_${units}_units`] = qr.payload.length;
    out[`qr.version_m_${units}_units`] = qr.version;
    if (units === 6) {
      encode = () => encodeCredentialQr(credential, options);
      decode = () => decodeCredentialQr(qr.payload, { typeTableLoader, documentLoader });
    }
  }
  const typeTableLoader = typeTableLoaderFrom([{ registryEntryId: REGISTRY_ENTRY_ID, source: tableSourceFor(6, issuer.did) }]);
  for (const script of ['khmer', 'burmese'] as const satisfies readonly HolderScript[]) {
    const credential = await issuer.sign(leanCredential(6, issuer.did, undefined, HOLDERS[script]), documentLoader);
    const qr = await encodeCredentialQr(credential, { registryEntryId: REGISTRY_ENTRY_ID, typeTableLoader, documentLoader });
    out[`qr.payload_bytes_6_units_${script}`] = qr.bytes;
    out[`qr.version_m_6_units_${script}`] = qr.version;
  }
  out['qr.encode_per_s'] = await rate(encode!);
  out['qr.decode_per_s'] = await rate(decode!);
  return out;
}
