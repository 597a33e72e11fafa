/**
 * Evidence content types decided from the bytes, never from the file name or the client's Content-Type.
 *
 * Hand-written rather than the `file-type` package on purpose: this is an allow-list of seven formats whose
 * signatures are fixed in their specifications (a few bytes at a known offset each), so the whole check is a
 * table; a general detector recognising hundreds of formats adds surface without changing any answer here.
 * Executables are named explicitly only to give a clear refusal; anything not on the list is refused anyway.
 */

export type EvidenceMediaType = 'application/pdf' | 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic' | 'video/mp4' | 'video/quicktime';

export type SniffResult =
  | { ok: true; contentType: EvidenceMediaType; extensions: readonly string[] }
  | { ok: false; reason: 'executable' | 'unknown'; detected?: string };

const ascii = (b: Buffer, at: number, s: string) => b.length >= at + s.length && b.toString('latin1', at, at + s.length) === s;
const bytes = (b: Buffer, at: number, sig: number[]) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

const EXECUTABLES: Array<{ name: string; test: (b: Buffer) => boolean }> = [
  { name: 'ELF executable', test: (b) => bytes(b, 0, [0x7f, 0x45, 0x4c, 0x46]) },
  { name: 'Windows PE/DOS executable', test: (b) => ascii(b, 0, 'MZ') },
  { name: 'Mach-O executable', test: (b) => [[0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe], [0xcf, 0xfa, 0xed, 0xfe], [0xca, 0xfe, 0xba, 0xbe]].some((s) => bytes(b, 0, s)) },
  { name: 'script', test: (b) => ascii(b, 0, '#!') },
];

/** ISO base media file (MP4, MOV, HEIC): `ftyp` box at offset 4, then the major brand. */
function isoBrand(b: Buffer): string | undefined {
  return ascii(b, 4, 'ftyp') && b.length >= 12 ? b.toString('latin1', 8, 12) : undefined;
}

export function sniffEvidence(b: Buffer): SniffResult {
  const exe = EXECUTABLES.find((e) => e.test(b));
  if (exe) return { ok: false, reason: 'executable', detected: exe.name };
  if (ascii(b, 0, '%PDF-')) return { ok: true, contentType: 'application/pdf', extensions: ['pdf'] };
  if (bytes(b, 0, [0xff, 0xd8, 0xff])) return { ok: true, contentType: 'image/jpeg', extensions: ['jpg', 'jpeg'] };
  if (bytes(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ok: true, contentType: 'image/png', extensions: ['png'] };
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return { ok: true, contentType: 'image/webp', extensions: ['webp'] };
  const brand = isoBrand(b);
  if (brand) {
    if (['heic', 'heix', 'mif1', 'msf1'].includes(brand)) return { ok: true, contentType: 'image/heic', extensions: ['heic', 'heif'] };
    if (brand === 'qt  ') return { ok: true, contentType: 'video/quicktime', extensions: ['mov'] };
    return { ok: true, contentType: 'video/mp4', extensions: ['mp4', 'm4v'] };
  }
  return { ok: false, reason: 'unknown' };
}
