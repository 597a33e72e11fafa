import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { RenderPool } from '../../src/certificates/render-pool.js';
import { renderCertificate } from '../../src/certificates/render.js';
import { isTandaError, TandaError } from '../../src/errors.js';
import { actualTextSpans, openPdf } from '../helpers/pdf-inspect.js';
import { sampleView } from './fixtures/views.js';

const pool = new RenderPool({ size: 2 });
afterAll(() => pool.close());

const overflowing = () => {
  const view = sampleView('fil');
  view.units = Array.from({ length: 60 }, (_, i) => ({ code: `U${i}`, title: { en: `Unit number ${i} with a long descriptive title` } }));
  return view;
};

describe('RenderPool', () => {
  it('renders the same certificate text as renderCertificate, for several scripts at once', async () => {
    const views = (['th', 'km', 'my', 'vi'] as const).map((lang) => sampleView(lang));
    const pooled = await Promise.all(views.map((view) => pool.render(view)));
    for (const [i, view] of views.entries()) {
      const direct = await renderCertificate(view);
      expect(openPdf(pooled[i]!).countPages()).toBe(1);
      expect(actualTextSpans(pooled[i]!)).toEqual(actualTextSpans(direct));
      expect(actualTextSpans(pooled[i]!).map((s) => s.text)).toContain(view.holderName.normalize('NFC'));
    }
  });

  it('rejects a failed job with the TandaError code the worker raised, and keeps serving the next jobs', async () => {
    const overflow = await pool.render(overflowing()).catch((e: unknown) => e);
    expect(overflow).toBeInstanceOf(TandaError);
    expect(isTandaError(overflow) && overflow.code).toBe('certificate_layout_overflow');
    const badQr = await pool.render(sampleView('id', { qrPayload: 'vp1-r lowercase' })).catch((e: unknown) => e);
    expect(isTandaError(badQr) && badQr.code).toBe('invalid_qr_payload');
    const pdf = await pool.render(sampleView('id'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('refuses jobs beyond its queue bound instead of queueing without limit', async () => {
    const small = new RenderPool({ size: 1, maxQueue: 1 });
    try {
      const running = small.render(sampleView('id'));
      const queued = small.render(sampleView('th'));
      const refused = await small.render(sampleView('vi')).catch((e: unknown) => e);
      expect(isTandaError(refused) && refused.code).toBe('certificate_render_busy');
      await expect(Promise.all([running, queued])).resolves.toHaveLength(2);
    } finally {
      await small.close();
    }
  });

  it('rejects jobs still waiting when closed, and refuses new ones', async () => {
    const closing = new RenderPool({ size: 1 });
    const pending = closing.render(sampleView('id')).catch((e: unknown) => e);
    await closing.close();
    expect(isTandaError(await pending) && ((await pending) as TandaError).code).toBe('internal');
    await expect(closing.render(sampleView('id'))).rejects.toThrow(/closed/);
  });

  it('lets the process exit after close(), and when left idle without it', async () => {
    const script = fileURLToPath(new URL('./fixtures/render-pool-exit.ts', import.meta.url));
    for (const args of [[], ['--idle']]) {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { timeout: 20_000 });
      expect(stdout.trim()).toBe('%PDF-');
    }
  });
});
