import { parentPort } from 'node:worker_threads';
import { isTandaError } from '../errors.js';
import { renderCertificate } from './render.js';
import type { CertificateView } from './view.js';

/** One certificate to render; `templatesDir` is a URL's href (URLs do not survive structured cloning). */
export interface RenderJob {
  id: number;
  view: CertificateView;
  templatesDir?: string;
}

/** Errors cross the thread boundary as data: the pool rebuilds a TandaError from its code. */
export type RenderReply =
  | { id: number; ok: true; pdf: ArrayBuffer }
  | { id: number; ok: false; error: { code?: string; message: string } };

const port = parentPort;
if (!port) throw new Error('render-worker.ts runs inside a worker thread started by RenderPool');

port.on('message', (job: RenderJob) => {
  const options = job.templatesDir ? { templatesDir: new URL(job.templatesDir) } : {};
  renderCertificate(job.view, options).then(
    (pdf) => {
      // Buffer.concat may hand back a slice of a shared allocation pool; only a buffer of its own can be transferred.
      const own = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength ? (pdf.buffer as ArrayBuffer) : pdf.buffer.slice(pdf.byteOffset, pdf.byteOffset + pdf.byteLength) as ArrayBuffer;
      const reply: RenderReply = { id: job.id, ok: true, pdf: own };
      port.postMessage(reply, [own]);
    },
    (error: unknown) => {
      const reply: RenderReply = {
        id: job.id,
        ok: false,
        error: isTandaError(error) ? { code: error.code, message: error.message } : { message: error instanceof Error ? error.message : String(error) },
      };
      port.postMessage(reply);
    },
  );
});
