// @types/qrcode covers the public API; these are the capacity tables behind QRCode.create's version choice.
declare module 'qrcode/lib/core/version.js' {
  /** Characters of `mode` a symbol of `version` (1-40) holds at the given error correction level. */
  export function getCapacity(version: number, errorCorrectionLevel: { bit: number }, mode: { id: string; bit: number }): number;
}
declare module 'qrcode/lib/core/mode.js' {
  export const ALPHANUMERIC: { id: string; bit: number };
}
declare module 'qrcode/lib/core/error-correction-level.js' {
  export const M: { bit: number };
}
