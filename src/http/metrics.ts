import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import metricsModule from 'fastify-metrics';
import client from 'prom-client';
import { gauge, registry as serviceRegistry } from '../metrics.js';
import { OPERATOR, authorize, type Actor } from '../policy/policy.js';
import type { Services } from '../services.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The bearer was TANDA_METRICS_TOKEN (not an account's token): it may read /metrics, nothing else. */
    metricsScraper?: boolean;
  }
}

/** Whether the bearer is the deployment's metrics token (compared in constant time: it is a secret). */
export function isMetricsToken(services: Services, token: string): boolean {
  const expected = services.config.metricsToken;
  if (!expected) return false;
  const a = crypto.createHash('sha256').update(token).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * Prometheus metrics at GET /metrics, through fastify-metrics: request counts and latencies per route and status
 * (the route's pattern, `/credentials/:id`, never the URL a client sent, so the series stay few and carry no ids),
 * Node's own metrics (event-loop lag, heap, GC), and the service's counters and gauges (src/metrics.ts). Each app gets
 * its own registry for the plugin's metrics (tests build many apps in one process; prom-client's global registry
 * would refuse the second). Reading them is a deployment task the policy decides: an admin, or the scraper holding
 * TANDA_METRICS_TOKEN.
 */
export async function registerMetrics(app: FastifyInstance, services: Services): Promise<() => Promise<void>> {
  const appRegistry = new client.Registry();
  // A CommonJS module with `exports.default`: imported from ESM, the plugin is the default's `default`.
  await app.register(metricsModule.default, {
    endpoint: null,
    defaultMetrics: { enabled: true, register: appRegistry },
    routeMetrics: {
      enabled: { histogram: true, summary: false },
      registeredRoutesOnly: true,
      groupStatusCodes: false,
      routeBlacklist: ['/metrics', '/health', '/ready'],
      // The summary is made even when disabled: it too goes to this app's registry, not prom-client's global one.
      overrides: { histogram: { registers: [appRegistry], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }, summary: { registers: [appRegistry] } },
    },
  });
  gauge('tanda_render_queue', 'Certificates waiting for a free render worker', () => services.certificates.renderQueue);
  const merged = () => client.Registry.merge([appRegistry, serviceRegistry]);
  // The route is declared later (by the returned function), after the hook that identifies the caller.
  return async () => {
  app.get('/metrics', {
    config: { disableMetrics: true },
    logLevel: 'warn',
    schema: {
      tags: ['system'],
      summary: 'Prometheus metrics (an admin token or TANDA_METRICS_TOKEN)',
      security: [{ bearer: [] }],
      response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
    onRequest: async (request: FastifyRequest) => {
      const actor: Actor | null = request.user ?? (request.metricsScraper ? OPERATOR : null);
      authorize(actor, 'read_metrics', { kind: 'deployment' });
    },
  }, async (_request, reply) => {
    const r = merged();
    return reply.type(r.contentType).send(await r.metrics());
  });
  };
}
