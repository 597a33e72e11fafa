import zlib from 'node:zlib';

export { badge } from '../helpers/credentials.js';

/**
 * The status bits, decoded here without the library under test: multibase base64url (`u` prefix), then GZIP;
 * bit 0 is the most significant bit of the first byte (W3C Bitstring Status List §4).
 */
export function decodeBits(encodedList: string): { get(index: number): boolean; count(): number; length: number } {
  if (!encodedList.startsWith('u')) throw new Error('not multibase base64url');
  const bytes = zlib.gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  return {
    length: bytes.length * 8,
    get: (index) => ((bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0,
    count: () => bytes.reduce((n, b) => n + (b.toString(2).match(/1/g)?.length ?? 0), 0),
  };
}

export type Check = { id: string; valid: boolean; status: string; code?: string; message: string; data?: Record<string, unknown> };
export const statusCheck = (body: { checks: Check[] }): Check | undefined => body.checks.find((c) => c.id === 'status');
