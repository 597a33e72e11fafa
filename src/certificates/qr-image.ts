import QRCode from 'qrcode';
import { TandaError } from '../errors.js';

/**
 * The certificate QR: one symbol at error correction M (readable with a scuffed or creased corner), the payload as a
 * single alphanumeric segment (vpqr's Base45 text uses exactly the QR alphanumeric alphabet, 5.5 bits a character
 * instead of 8), and the 4-module quiet zone the QR standard requires. The PDF, PNG and SVG all come from the same
 * module matrix.
 */

export const QR_ERROR_CORRECTION = 'M';
export const QR_QUIET_ZONE = 4;

const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]+$/;

export interface QrMatrix {
  version: number;
  /** Modules per side, without the quiet zone. */
  size: number;
  isDark(row: number, col: number): boolean;
}

function segments(payload: string): QRCode.QRCodeSegment[] {
  if (!ALPHANUMERIC.test(payload)) {
    throw new TandaError('invalid_qr_payload', 'The QR payload must be non-empty QR alphanumeric text (0-9 A-Z $%*+-./: and space)');
  }
  return [{ data: payload, mode: 'alphanumeric' }];
}

export function qrMatrix(payload: string): QrMatrix {
  const code = QRCode.create(segments(payload), { errorCorrectionLevel: QR_ERROR_CORRECTION });
  const { modules } = code;
  return { version: code.version, size: modules.size, isDark: (row, col) => modules.get(row, col) === 1 };
}

/** Dark modules of each row merged into horizontal runs: far fewer rectangles to draw than single modules. */
export function darkRuns(matrix: QrMatrix): Array<{ row: number; col: number; length: number }> {
  const runs: Array<{ row: number; col: number; length: number }> = [];
  for (let row = 0; row < matrix.size; row++) {
    let col = 0;
    while (col < matrix.size) {
      if (!matrix.isDark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < matrix.size && matrix.isDark(row, col)) col++;
      runs.push({ row, col: start, length: col - start });
    }
  }
  return runs;
}

/** PNG for `GET /credentials/:id/qr.png`; `scale` is pixels per module. */
export function qrPng(payload: string, scale = 8): Promise<Buffer> {
  return QRCode.toBuffer(segments(payload), {
    type: 'png',
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    margin: QR_QUIET_ZONE,
    scale,
  });
}

/** SVG for `GET /credentials/:id/qr.svg`, in module units so it scales to any print size without blur. */
export function qrSvg(payload: string): string {
  const matrix = qrMatrix(payload);
  const side = matrix.size + 2 * QR_QUIET_ZONE;
  const path = darkRuns(matrix)
    .map((r) => `M${r.col + QR_QUIET_ZONE} ${r.row + QR_QUIET_ZONE}h${r.length}v1h-${r.length}z`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges" ` +
    `role="img" aria-label="QR code of a Tanda credential">` +
    `<rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}
