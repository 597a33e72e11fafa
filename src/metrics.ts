import client from 'prom-client';

/*
 * The service's own Prometheus metrics, next to the HTTP metrics fastify-metrics keeps per app (src/http/metrics.ts).
 * Process-wide, as Prometheus scrapes per process: one registry, made once per process, so the domain code that
 * counts (issuance, verification) needs no handle passed down. Labels are small fixed sets — never an id, a name or
 * anything a client chooses — so the series stay few and carry no personal data.
 */
export const registry = new client.Registry();

const issued = new client.Counter({
  name: 'tanda_credentials_issued_total',
  help: 'Credentials signed and stored, by kind of issuance',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const verified = new client.Counter({
  name: 'tanda_verifications_total',
  help: 'Credential verifications, by outcome (verified, not_verified, error: the document could not be checked)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const countIssued = (kind: string): void => issued.inc({ kind });
export const countVerified = (outcome: 'verified' | 'not_verified' | 'error'): void => verified.inc({ outcome });

/**
 * A gauge read when scraped: `gauge('tanda_render_queue', help, () => pool.queued)`. Registering a name again replaces
 * the reader (a test builds many apps in one process; the latest one's pool is the live one).
 */
export function gauge(name: string, help: string, read: () => number): void {
  registry.removeSingleMetric(name);
  new client.Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
}
