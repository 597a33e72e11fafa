import zlib from 'node:zlib';
import { buildCredential } from '../../src/credentials/build.js';

/** A small OB 3.0 award of the test body. */
export const award = (did: string, overrides: { validFrom?: string; validUntil?: string; name?: string } = {}) =>
  buildCredential({
    issuer: { did, name: 'Test Certifying Body' },
    holder: { name: overrides.name ?? 'Siti Rahayu' },
    achievement: {
      id: 'https://tanda.example/qualifications/test',
      kind: 'statement_of_attainment',
      name: 'Housekeeping NC II',
      description: 'Cleans and prepares rooms.',
      criteria: 'Units assessed competent.',
      humanCode: 'HK-NC2',
      alignment: [
        { type: ['Alignment'], targetName: 'Provide housekeeping services', targetUrl: 'https://tanda.example/units/TRS512328' },
        { type: ['Alignment'], targetName: 'PQF Level 2', targetUrl: 'https://tanda.example/frameworks/ph-pqf/levels/2', targetFramework: 'PQF', targetCode: '2', targetType: 'ext:QualificationFrameworkLevel' },
      ],
    },
    validFrom: overrides.validFrom ?? '2026-01-01T00:00:00Z',
    ...(overrides.validUntil ? { validUntil: overrides.validUntil } : {}),
  });

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
