import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';

/**
 * Simple images for the demo bodies' profiles, drawn in code so the repository carries no third-party artwork: a
 * round emblem with the body's initials (logo), a double ring with a star (seal) and a pen stroke (signature). They
 * are plainly generic; a real body uploads its own through `PUT /issuers/:id/profile` or `tanda issuers profile`.
 */

const INK = '#1f3a5f';

function emblem(ctx: SKRSContext2D, size: number, initials: string, color: string): void {
  const c = size / 2;
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(c, c, c * 0.94, 0, Math.PI * 2);
  ctx.fill();
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = size * 0.03;
  ctx.beginPath();
  ctx.arc(c, c, c * 0.8, 0, Math.PI * 2);
  ctx.stroke();
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = `bold ${Math.round(size * (initials.length > 2 ? 0.26 : 0.34))}px sans-serif`;
  ctx.fillText(initials, c, c * 1.04);
}

/** A square PNG logo with the body's initials. */
export function demoLogo(initials: string, color = INK, size = 240): Buffer {
  const canvas = createCanvas(size, size);
  emblem(canvas.getContext('2d'), size, initials, color);
  return canvas.toBuffer('image/png');
}

/** A round seal: two rings, a five-pointed star, in a transparent PNG so it can sit over the page like a stamp. */
export function demoSeal(color = '#9a3412', size = 280): Buffer {
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext('2d');
  const c = size / 2;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.globalAlpha = 0.85;
  for (const [r, w] of [
    [0.95, 0.04],
    [0.78, 0.015],
    [0.72, 0.015],
  ] as const) {
    ctx.lineWidth = size * w;
    ctx.beginPath();
    ctx.arc(c, c, c * r, 0, Math.PI * 2);
    ctx.stroke();
  }
  for (let i = 0; i < 24; i++) {
    const a = (i / 24) * Math.PI * 2;
    ctx.beginPath();
    ctx.arc(c + Math.cos(a) * c * 0.865, c + Math.sin(a) * c * 0.865, size * 0.018, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const r = (i % 2 === 0 ? 0.5 : 0.2) * c;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    ctx[i === 0 ? 'moveTo' : 'lineTo'](c + Math.cos(a) * r, c + Math.sin(a) * r);
  }
  ctx.closePath();
  ctx.fill();
  return canvas.toBuffer('image/png');
}

/** A handwritten-looking stroke (a few joined curves), dark blue ink on transparent, 4:1. */
export function demoSignature(seed = 1, width = 480): Buffer {
  const height = Math.round(width / 4);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  let state = seed;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  ctx.strokeStyle = '#14213d';
  ctx.lineWidth = width * 0.008;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  let x = width * 0.06;
  let y = height * 0.6;
  ctx.moveTo(x, y);
  for (let i = 0; i < 7; i++) {
    const nx = x + width * (0.09 + rand() * 0.05);
    const ny = height * (0.35 + rand() * 0.4);
    ctx.bezierCurveTo(x + width * 0.03, height * (0.05 + rand() * 0.2), nx - width * 0.04, height * (0.8 + rand() * 0.15), nx, ny);
    x = nx;
    y = ny;
  }
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(width * 0.1, height * 0.78);
  ctx.quadraticCurveTo(width * 0.5, height * 0.62, width * 0.9, height * 0.74);
  ctx.stroke();
  return canvas.toBuffer('image/png');
}
