import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

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

export async function decodeImageData(image: ImageData): Promise<string | undefined> {
  const platform = platformDetector();
  if (platform) {
    const found = await platform.detect(image).catch(() => []);
    if (found[0]?.rawValue) return found[0].rawValue;
  }
  prepareZxing();
  const results = await readBarcodes(image, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
  return results.find((r) => r.isValid && r.text)?.text;
}

/** A photo or image file → QR text. Large photos are scaled to 2000 px: enough modules per pixel, less to scan. */
export async function decodeImageFile(file: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 2000 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return decodeImageData(ctx.getImageData(0, 0, canvas.width, canvas.height));
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
