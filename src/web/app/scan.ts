import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';

/*
 * QR decoding in the browser: the platform's BarcodeDetector where it exists (Android Chrome), else zxing-wasm,
 * whose .wasm comes from our own origin (it defaults to a CDN) or, in a downloaded single-file page, from the
 * base64 copy inlined in it.
 */
interface Detector {
  detect(source: ImageBitmapSource): Promise<Array<{ rawValue: string }>>;
}
type DetectorConstructor = new (options: { formats: string[] }) => Detector;

let zxingReady = false;
function prepareZxing(): void {
  if (zxingReady) return;
  zxingReady = true;
  const inline = document.getElementById('zxing-wasm')?.textContent?.trim();
  prepareZXingModule({
    overrides: inline
      ? { wasmBinary: Uint8Array.from(atob(inline), (c) => c.charCodeAt(0)).buffer }
      : { locateFile: (file: string) => `/verify/${file}` },
  });
}

let detector: Detector | undefined | null;
function platformDetector(): Detector | undefined {
  if (detector === undefined) {
    const Ctor = (globalThis as { BarcodeDetector?: DetectorConstructor }).BarcodeDetector;
    try {
      detector = Ctor ? new Ctor({ formats: ['qr_code'] }) : null;
    } catch {
      detector = null;
    }
  }
  return detector ?? undefined;
}

/*
 * A photo is read in two passes. Most of the time goes to scanning pixels, and the QR (40-50 mm) is a small part of
 * an A4 page, so the first pass reads the image scaled to 800 px on its short side, dark-on-light only: every page
 * rendered at 70-300 dpi, straight or tilted 4-11 degrees, that the thorough pass read was also read by this one
 * (measured in headless Chromium). Without tryHarder zxing-cpp missed the certificate at some scales, so it stays on;
 * it costs little on the small image. Only when the quick pass finds nothing (the page a small part of a larger
 * photo, an inverted code) does the thorough pass scan the image up to 2000 px with every zxing option.
 */
const QUICK_SHORT_SIDE = 800;
const THOROUGH_LONG_SIDE = 2000;
const QUICK: ReaderOptions = { formats: ['QRCode'], tryHarder: true, tryRotate: false, tryInvert: false, tryDownscale: false, maxNumberOfSymbols: 1 };
const THOROUGH: ReaderOptions = { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 };

async function zxingRead(image: ImageData, options: ReaderOptions): Promise<string | undefined> {
  prepareZxing();
  const results = await readBarcodes(image, options);
  return results.find((r) => r.isValid && r.text)?.text;
}

export async function decodeImageData(image: ImageData): Promise<string | undefined> {
  const platform = platformDetector();
  if (platform) {
    const found = await platform.detect(image).catch(() => []);
    if (found[0]?.rawValue) return found[0].rawValue;
  }
  return zxingRead(image, THOROUGH);
}

type Source = ImageBitmap | HTMLCanvasElement;

function pixels(source: Source, scale: number): ImageData {
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(source.width * scale);
  canvas.height = Math.round(source.height * scale);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/** Pixels (a decoded photo or a rendered PDF page) → QR text: a quick pass on a downscaled copy, then the thorough one. */
export async function decodeSource(source: Source): Promise<string | undefined> {
  const thoroughScale = Math.min(1, THOROUGH_LONG_SIDE / Math.max(source.width, source.height));
  if (platformDetector()) return decodeImageData(pixels(source, thoroughScale));
  const quickScale = Math.min(thoroughScale, QUICK_SHORT_SIDE / Math.min(source.width, source.height));
  const quick = pixels(source, quickScale);
  return (await zxingRead(quick, QUICK)) ?? (await zxingRead(quickScale === thoroughScale ? quick : pixels(source, thoroughScale), THOROUGH));
}

/** A photo or image file → QR text. The browser decodes the pixels; a DPI tag in the file plays no part. */
export async function decodeImageFile(file: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  try {
    return await decodeSource(bitmap);
  } finally {
    bitmap.close();
  }
}

/** Scans video frames until a QR code is read or `signal` aborts; resolves undefined when stopped. */
export async function scanCamera(video: HTMLVideoElement, signal: AbortSignal): Promise<string | undefined> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  await video.play();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  try {
    while (!signal.aborted) {
      if (video.videoWidth > 0) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        const text = await decodeImageData(ctx.getImageData(0, 0, canvas.width, canvas.height));
        if (text) return text;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    return undefined;
  } finally {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  }
}
