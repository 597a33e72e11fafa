declare module '@digitalbazaar/base45' {
  /** RFC 9285 Base45. */
  export function encode(input: Uint8Array): string;
  export function decode(input: string): Uint8Array;
}
