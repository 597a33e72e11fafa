import { createCanvas, Image } from '@napi-rs/canvas';

/**
 * A profile image as pdfkit embeds it cheaply. pdfkit copies a JPEG's bytes and an opaque PNG's compressed data
 * into the PDF as they are, but a PNG with transparency (a seal or signature usually has it) is inflated, split into
 * colour and alpha and deflated again for every document: that tripled the time of a single certificate. Logos,
 * seals and signatures sit on the white page in boxes of their own, so they are flattened onto white once per
 * process and embedded as high-quality JPEG. The stored original keeps its transparency.
 */

const CACHE_LIMIT = 64;
const cache = new Map<string, Buffer>();

/** PNG colour types 4 and 6 carry an alpha channel; a tRNS chunk makes any other type transparent. */
function pngHasTransparency(bytes: Uint8Array): boolean {
  const colourType = bytes[25];
  if (colourType === 4 || colourType === 6) return true;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('tRNS', 8, 'latin1');
}

const isPng = (bytes: Uint8Array) => bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;

/** `key` identifies the content (the caller hashes it); the result is a Buffer pdfkit reads as image data. */
export function printableImage(key: string, bytes: Uint8Array): Buffer {
  const original = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isPng(bytes) || !pngHasTransparency(bytes)) return original;
  let flat = cache.get(key);
  if (!flat) {
    const image = new Image();
    image.src = original;
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, image.width, image.height);
    ctx.drawImage(image, 0, 0);
    flat = canvas.toBuffer('image/jpeg', 95);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, flat);
  }
  return flat;
}
