import helmet from '@fastify/helmet';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { CSP, securityHeaders } from '../../src/http/app.js';

describe('security headers set once from @fastify/helmet', () => {
  it('are the headers the plugin itself sends, on a route and on a 404, CSP included', async () => {
    const withPlugin = Fastify();
    await withPlugin.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CSP } });
    const ours = Fastify();
    await securityHeaders(ours);
    for (const app of [withPlugin, ours]) app.get('/page', async () => 'x');
    const headersOf = async (app: typeof ours, url: string) => {
      const { date: _date, ...headers } = (await app.inject({ method: 'GET', url })).headers;
      return headers;
    };
    for (const url of ['/page', '/missing']) {
      const expected = await headersOf(withPlugin, url);
      expect(expected['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(await headersOf(ours, url)).toEqual(expected);
    }
    await withPlugin.close();
    await ours.close();
  });
});
