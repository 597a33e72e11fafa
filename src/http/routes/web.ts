import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { trustBundleService, type BundleSource } from '../../trust/service.js';
import { ensureWebAssets } from '../../web/build.js';
import { CSS, verifierPage } from '../../web/page.js';

/** The offline web verifier: page, script, service worker, decoder WASM and a single-file download. */
export const webRoutes: FastifyPluginAsync<{ source?: BundleSource }> = async (app, options) => {
  const trust = options.source ?? trustBundleService(app.services);
  const asset = async (name: string) => fs.promises.readFile(path.join((await ensureWebAssets()).dir, name));
  const hidden = { schema: { hide: true } };

  app.get('/verify', hidden, async (_request, reply) => {
    const page = verifierPage({ authority: (await trust.authority()).did });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
  });
  app.get('/verify/app.css', hidden, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CSS));
  app.get('/verify/app.js', hidden, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(await asset('app.js')),
  );
  // pdf.js, loaded by the page only when a PDF is picked (module and its worker).
  for (const name of ['pdf.mjs', 'pdf.worker.mjs'] as const) {
    app.get(`/verify/${name}`, hidden, async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(await asset(name)),
    );
  }
  // Served from /verify/ but allowed to control /verify itself (the page has no trailing slash).
  app.get('/verify/sw.js', hidden, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('service-worker-allowed', '/verify').send(await asset('sw.js')),
  );
  app.get('/verify/zxing_reader.wasm', hidden, async (_request, reply) =>
    reply.type('application/wasm').header('cache-control', 'public, max-age=86400').send(await asset('zxing_reader.wasm')),
  );
  app.get('/verify/offline.html', hidden, async (_request, reply) => {
    const [script, wasm, authority, published] = await Promise.all([asset('app.js'), asset('zxing_reader.wasm'), trust.authority(), trust.current()]);
    const page = verifierPage({
      authority: authority.did,
      script: script.toString('utf8'),
      bundle: published.text,
      wasmBase64: wasm.toString('base64'),
    });
    return reply
      .type('text/html; charset=utf-8')
      .header('content-disposition', 'attachment; filename="tanda-verifier.html"')
      .header('cache-control', 'no-cache')
      .send(page);
  });
};
