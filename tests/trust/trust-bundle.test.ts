import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledContexts } from '../../src/jsonld/index.js';
import { openTrustBundle } from '../../src/trust/open.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

describe('GET /trust-bundle and POST /verify/qr on a real instance', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('serves a bundle signed by the instance authority, cacheable with an ETag and 304', async () => {
    const { did } = (await ctx.app.inject({ method: 'GET', url: '/trust-bundle/authority' })).json<{ did: string }>();
    expect(did).toMatch(/^did:key:z6Mk/);
    const res = await ctx.app.inject({ method: 'GET', url: '/trust-bundle' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const bundle = await openTrustBundle(res.body, { authority: did, contexts: bundledContexts() });
    expect(bundle.registry.issuers.map((i) => i.id)).toContain('test-body');
    // The authority key signs bundles only: it is not a certifying body.
    expect(bundle.registry.issuers.map((i) => i.did)).not.toContain(did);
    expect(Object.keys(bundle.contexts)).toContain('https://www.w3.org/ns/credentials/v2');
    expect(Date.parse(bundle.validUntil)).toBeGreaterThan(Date.parse(bundle.issued));

    const again = await ctx.app.inject({ method: 'GET', url: '/trust-bundle', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    // Unchanged content keeps its signature and ETag across rebuilds.
    expect((await ctx.app.inject({ method: 'GET', url: '/trust-bundle' })).headers.etag).toBe(etag);
  });

  it('a verifier pinned to another authority refuses it', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/trust-bundle' });
    const other = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    await expect(openTrustBundle(res.body, { authority: other, contexts: bundledContexts() })).rejects.toMatchObject({ code: 'trust_bundle_invalid' });
  });

  it('POST /verify/qr answers with a verdict, INVALID for text that is not a payload', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/verify/qr', payload: { payload: 'HELLO' } });
    expect(res.statusCode).toBe(200);
    const verdict = res.json<{ verdict: string; checks: Array<{ id: string; code?: string; key: string }> }>();
    expect(verdict.verdict).toBe('INVALID');
    expect(verdict.checks[0]).toMatchObject({ id: 'payload', code: 'qr_malformed', key: 'qr_malformed' });
  });

  it('GET /verify serves the page pinned to the authority, and its assets', async () => {
    const { did } = (await ctx.app.inject({ method: 'GET', url: '/trust-bundle/authority' })).json<{ did: string }>();
    const page = await ctx.app.inject({ method: 'GET', url: '/verify' });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain(`<meta name="tanda-authority" content="${did}">`);
    const wasm = await ctx.app.inject({ method: 'GET', url: '/verify/zxing_reader.wasm' });
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(wasm.rawPayload.subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    const sw = await ctx.app.inject({ method: 'GET', url: '/verify/sw.js' });
    expect(sw.headers['service-worker-allowed']).toBe('/verify');
  }, 60_000);
});
