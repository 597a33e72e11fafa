import crypto from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { TandaError } from '../errors.js';
import type { Services } from '../services.js';
import { identify } from './auth.js';
import { TokenUseRecorder } from './token-use.js';
import { cookieSession, cookieSupport } from './cookie-session.js';
import { frameworkErrors, installErrorHandler } from './error-handler.js';
import { registerMetrics } from './metrics.js';
import { tokenRoutes } from './routes/tokens.js';
import { errorResponse } from './error-schema.js';
import { rateLimitStore } from './rate-limit-store.js';
import { installInputGuard } from './input-guard.js';
import { frameworkRoutes } from './routes/frameworks.js';
import { certificateRoutes } from './routes/certificates.js';
import { certificationBatchRoutes } from './routes/certification-batches.js';
import { cohortImportRoutes } from './routes/cohort-imports.js';
import { healthRoutes } from './routes/health.js';
import { issuerRoutes } from './routes/issuers.js';
import { statusRoutes } from './routes/status.js';
import { rplAdminRoutes } from './routes/rpl-admin.js';
import { rplAuthRoutes } from './routes/rpl-auth.js';
import { rplCandidateRoutes } from './routes/rpl-candidates.js';
import { rplCaseRoutes } from './routes/rpl-cases.js';
import { rplEvidenceRoutes } from './routes/rpl-evidence.js';
import { vcApiRoutes } from './routes/vc-api.js';
import { trustRoutes } from './routes/trust.js';
import { walletRoutes } from './routes/wallets.js';
import { webRoutes } from './routes/web.js';
import { meRoutes } from './routes/me.js';
import { consoleRoutes } from './routes/console.js';
import { consoleSyncRoutes } from './routes/console-sync.js';

export const BODY_LIMIT = 1024 * 1024;
/** A returnee's browser session: a working day at most, and half an hour without a request (a shared phone). */
export const ME_SESSION_MINUTES = 12 * 60;
export const ME_IDLE_MINUTES = 30;
/** The staff console's browser session: a working day, ended by 30 minutes away from the desk. */
export const CONSOLE_SESSION_MINUTES = 10 * 60;
export const CONSOLE_IDLE_MINUTES = 30;

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/**
 * One policy for every page, the verifier and the API docs included: scripts and styles only from files on this
 * origin (no inline code anywhere), WebAssembly for the QR decoder, images and camera frames from blob:/data:.
 */
export const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  // The console's evidence viewer shows a PDF the page fetched (GET …/content is an attachment, audited) from a
  // blob: URL in an iframe; default-src alone would refuse blob: frames. No other origin may be framed.
  frameSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  scriptSrcAttr: ["'none'"],
};

/**
 * helmet's headers with our CSP; also registered by tests that serve the verifier routes alone. @fastify/helmet
 * builds helmet's middleware anew for every request (its directives parsed each time, a few per cent of the main
 * thread under verification load); with one configuration and no nonces the headers never change, so they are
 * taken once from the plugin itself, answering a probe on an app of its own, and set on every reply.
 */
export async function securityHeaders(app: FastifyInstance): Promise<void> {
  const probe = Fastify();
  await probe.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CSP } });
  probe.get('/', async () => '');
  const response = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const own = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !own.has(name)));
  if (!headers['content-security-policy']) throw new Error('helmet sent no Content-Security-Policy');
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers);
  });
}

/**
 * Unauthenticated and CPU-heavy (JSON-LD canonicalisation and signature checks per request): limited per client,
 * which behind a proxy needs TANDA_TRUST_PROXY so the client's address is known.
 */
export const VERIFY_ROUTES = new Set(['/credentials/verify', '/presentations/verify', '/verify/qr']);

/**
 * The global bound on the public verification routes (the per-client one is the rate limit): requests being answered
 * at once, all clients together. Beyond it a request is refused at once with verification_busy rather than queued,
 * so a crowd of clients, each within its own rate, cannot pile up work and memory.
 */
function verifyConcurrencyGate(app: FastifyInstance, max: number): void {
  let inFlight = 0;
  const counted = new WeakSet<object>();
  app.addHook('onRequest', async (request) => {
    if (!VERIFY_ROUTES.has(request.routeOptions.url ?? '')) return;
    if (inFlight >= max) throw new TandaError('verification_busy');
    inFlight += 1;
    counted.add(request);
  });
  app.addHook('onResponse', async (request) => {
    if (counted.delete(request)) inFlight -= 1;
  });
}

/** A hop count as the function fastify makes of it at run time (its types accept no number). */
function trustProxyOption(value: Services['config']['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

export interface BuildOptions {
  logger?: boolean | object;
}

/** External plugins, then our hooks, then routes; one error handler for all of them. */
export async function buildApp(services: Services, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    genReqId: () => crypto.randomUUID(),
    // Unknown fields are refused, not silently dropped: a typo in a field name must not pass as "not given".
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: trustProxyOption(services.config.trustProxy),
    frameworkErrors,
  });
  app.decorate('services', services);
  app.decorateRequest('user', null);
  installErrorHandler(app);
  installInputGuard(app);
  // Every route's error answers are described by (and serialized through) the one error schema; a route that
  // declares its own schema for a status keeps it (the VC API verify routes extend the error shape with checks).
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ??= {}) as { response?: Record<string, unknown> };
    const response = (schema.response ??= {});
    response['4xx'] ??= errorResponse();
    response['5xx'] ??= errorResponse();
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Tanda API', version: '1.0.0', description: 'Recognition of Prior Learning and verifiable skills credentials' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await securityHeaders(app);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Before the rate-limit plugin: its own onRoute hook reads the limit this one sets.
  app.addHook('onRoute', (route) => {
    if (VERIFY_ROUTES.has(route.url)) route.config = { ...route.config, rateLimit: { max: services.config.verifyRateLimit, timeWindow: '1 minute' } };
  });
  await app.register(rateLimit, { global: false, store: rateLimitStore(services.db) });
  verifyConcurrencyGate(app, services.config.verifyConcurrency);
  // The verification workers stop with the server.
  app.addHook('onClose', () => services.credentials.close());

  // First among the hooks, so a request's measured time includes identifying its caller.
  const metricsRoute = await registerMetrics(app, services);
  await cookieSupport(app);
  const tokenUses = new TokenUseRecorder(services.db);
  app.decorate('tokenUses', tokenUses);
  // Closing waits for the token uses being written down, so the database is not closed under them.
  app.addHook('onClose', () => tokenUses.settled());
  // The returnee space's browser session: a bearer token wins; without one, this cookie may sign the caller in.
  const meSession = cookieSession(services, { name: 'tanda_me', ttlMinutes: ME_SESSION_MINUTES, idleMinutes: ME_IDLE_MINUTES });
  app.addHook('onRequest', identify(services, tokenUses));
  app.addHook('onRequest', (request, reply) => meSession.identify(request, reply));
  const consoleSession = cookieSession(services, { name: 'tanda_console', ttlMinutes: CONSOLE_SESSION_MINUTES, idleMinutes: CONSOLE_IDLE_MINUTES });
  app.addHook('onRequest', (request, reply) => consoleSession.identify(request, reply));
  await metricsRoute();

  await app.register(healthRoutes);
  await app.register(vcApiRoutes);
  await app.register(trustRoutes);
  await app.register(webRoutes);
  await app.register(meRoutes, { session: meSession });
  await app.register(consoleRoutes, { session: consoleSession });
  await app.register(issuerRoutes);
  await app.register(rplAuthRoutes);
  await app.register(rplCandidateRoutes);
  await app.register(rplCaseRoutes);
  await app.register(certificationBatchRoutes);
  await app.register(cohortImportRoutes);
  await app.register(rplEvidenceRoutes);
  await app.register(consoleSyncRoutes);
  await app.register(rplAdminRoutes);
  await app.register(statusRoutes);
  await app.register(certificateRoutes);
  await app.register(frameworkRoutes);
  await app.register(walletRoutes);
  await app.register(tokenRoutes);
  return app;
}
