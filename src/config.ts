import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TandaError } from './errors.js';

const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  TANDA_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  TANDA_MASTER_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/=_-]{43,88}$' })),
  TANDA_BOOTSTRAP_TOKEN: Type.Optional(Type.String({ minLength: 24 })),
  TANDA_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  TANDA_SEED_DEMO: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'true' }),
  TANDA_EVIDENCE_MAX_BYTES: Type.Integer({ minimum: 1024, default: 10 * 1024 * 1024 }),
  TANDA_APPEAL_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  TANDA_TRUST_PROXY: Type.String({ default: 'false' }),
  TANDA_VERIFY_RATE_LIMIT: Type.Integer({ minimum: 1, default: 60 }),
  TANDA_VERIFY_WORKERS: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
  TANDA_VERIFY_QUEUE: Type.Integer({ minimum: 0, maximum: 100_000, default: 256 }),
  TANDA_VERIFY_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 100_000, default: 512 }),
  TANDA_MAIL_TRANSPORT: Type.Optional(Type.Union([Type.Literal('smtp'), Type.Literal('log'), Type.Literal('none')])),
  TANDA_SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://[^\\s]+$' })),
  TANDA_MAIL_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
  TANDA_WORKERS: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  TANDA_CHANGE_POLL_MS: Type.Integer({ minimum: 100, maximum: 5000, default: 1000 }),
  TANDA_TOKEN_TTL_DAYS: Type.Integer({ minimum: 0, maximum: 3650, default: 90 }),
  TANDA_METRICS_TOKEN: Type.Optional(Type.String({ minLength: 24 })),
  TANDA_SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 25_000 }),
  TANDA_OUTBOX_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5000 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** base64 (or base64url) of 32 bytes; when absent a 0600 key file under dataDir is used. */
  masterKey: string | undefined;
  bootstrapToken: string | undefined;
  /** Where this instance is reachable; used for status list URLs, verify links and did:web documents. */
  publicUrl: string;
  /** TANDA_PUBLIC_URL was set (not the localhost default): bootstrap remembers it for processes started without it. */
  publicUrlConfigured: boolean;
  seedDemo: boolean;
  /** Largest evidence file accepted (bytes). */
  evidenceMaxBytes: number;
  /** Days after a decision within which the candidate may appeal. */
  appealDays: number;
  /** How one-time codes and notices leave: see MailConfig. */
  mail: MailConfig;
  /** How often the outbox worker looks for work (it is also woken at once by this instance's requests). */
  outboxIntervalMs: number;
  logLevel: string;
  /** Server processes on this machine sharing the port (node:cluster); the primary migrates and bootstraps first. */
  workers: number;
  /** How often an instance looks for revocations and key changes made by another instance (docs/scale-out.md). */
  changePollMs: number;
  /**
   * Which X-Forwarded-For hops to believe (fastify's trustProxy): false, true (every hop), a hop count, or the
   * proxies' addresses/CIDR ranges. Without it every client behind a proxy shares the proxy's address and so one
   * rate-limit bucket.
   */
  trustProxy: boolean | number | string[];
  /** Requests per minute one client may make to each unauthenticated verification route. */
  verifyRateLimit: number;
  /** Days an API token made from now on is valid; 0: tokens do not expire. */
  tokenTtlDays: number;
  /** A bearer secret that may read /metrics besides an admin's token (for a Prometheus scraper); unset: admins only. */
  metricsToken: string | undefined;
  /** How long a SIGTERM waits for requests and jobs in flight before the process exits anyway. */
  shutdownGraceMs: number;
  /** Worker threads that verify and sign (the available cores by default); 0 verifies and signs on the main thread. */
  verifyWorkers: number;
  /** Verifications that may wait for a worker; beyond, verification_busy (503 + Retry-After). Signatures never wait. */
  verifyQueue: number;
  /** Requests on the public verification routes being answered at once, all clients together; beyond, verification_busy. */
  verifyConcurrency: number;
}

/** `false`, `true`, a hop count, or a comma-separated list of IP addresses and CIDR ranges. */
export function parseTrustProxy(value: string): boolean | number | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === '') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const entries = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = entries.filter((e) => {
    const [address, bits, extra] = e.split('/');
    if (extra !== undefined || !address || !net.isIP(address)) return true;
    if (bits === undefined) return false;
    return !/^\d+$/.test(bits) || Number(bits) > (net.isIPv4(address) ? 32 : 128);
  });
  if (bad.length || !entries.length) {
    throw new TandaError('invalid_config', `invalid configuration: TANDA_TRUST_PROXY must be false, true, a hop count or a list of IP addresses/CIDR ranges (bad: ${bad.join(', ') || value})`);
  }
  return entries;
}

/**
 * `smtp`: e-mail through TANDA_SMTP_URL (SMS stays queued: no SMS gateway yet). `log`: development only, messages
 * (codes included) are written to the log and sent nowhere. `none`: messages stay queued, nobody receives a code.
 * Unset: `smtp` when TANDA_SMTP_URL is set, otherwise `none` — never `log` by default.
 */
export interface MailConfig {
  transport: 'smtp' | 'log' | 'none';
  smtpUrl: string | undefined;
  from: string;
}

/** Reads and validates the environment once, at startup; nothing else in the code reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw));
  if (!Value.Check(EnvSchema, converted)) {
    const problems = [...Value.Errors(EnvSchema, converted)].map((e) => `${e.path.slice(1) || 'env'}: ${e.message}`);
    throw new TandaError('invalid_config', `invalid configuration: ${problems.join('; ')}`);
  }
  const env2 = converted as Static<typeof EnvSchema>;
  const publicUrl = (env2.TANDA_PUBLIC_URL ?? `http://localhost:${env2.PORT}`).replace(/\/+$/, '');
  return {
    port: env2.PORT,
    host: env2.HOST,
    dataDir: path.resolve(env2.TANDA_DATA_DIR),
    databaseUrl: env2.DATABASE_URL,
    masterKey: env2.TANDA_MASTER_KEY,
    bootstrapToken: env2.TANDA_BOOTSTRAP_TOKEN,
    publicUrl,
    publicUrlConfigured: env2.TANDA_PUBLIC_URL !== undefined,
    seedDemo: env2.TANDA_SEED_DEMO === 'true',
    evidenceMaxBytes: env2.TANDA_EVIDENCE_MAX_BYTES,
    appealDays: env2.TANDA_APPEAL_DAYS,
    mail: mailConfig(env2, publicUrl),
    outboxIntervalMs: env2.TANDA_OUTBOX_INTERVAL_MS,
    logLevel: env2.LOG_LEVEL,
    workers: env2.TANDA_WORKERS,
    changePollMs: env2.TANDA_CHANGE_POLL_MS,
    trustProxy: parseTrustProxy(env2.TANDA_TRUST_PROXY),
    verifyRateLimit: env2.TANDA_VERIFY_RATE_LIMIT,
    tokenTtlDays: env2.TANDA_TOKEN_TTL_DAYS,
    metricsToken: env2.TANDA_METRICS_TOKEN,
    shutdownGraceMs: env2.TANDA_SHUTDOWN_GRACE_MS,
    verifyWorkers: env2.TANDA_VERIFY_WORKERS ?? os.availableParallelism(),
    verifyQueue: env2.TANDA_VERIFY_QUEUE,
    verifyConcurrency: env2.TANDA_VERIFY_CONCURRENCY,
  };
}

function mailConfig(env: Static<typeof EnvSchema>, publicUrl: string): MailConfig {
  const transport = env.TANDA_MAIL_TRANSPORT ?? (env.TANDA_SMTP_URL ? 'smtp' : 'none');
  if (transport === 'smtp' && !env.TANDA_SMTP_URL) throw new TandaError('invalid_config', 'invalid configuration: TANDA_MAIL_TRANSPORT=smtp needs TANDA_SMTP_URL');
  if (transport === 'log' && env.TANDA_SMTP_URL) {
    // `npm start` asks for the log transport unless TANDA_MAIL_TRANSPORT is given: never let it quietly win over SMTP.
    throw new TandaError('invalid_config', 'invalid configuration: TANDA_MAIL_TRANSPORT=log would write sign-in codes to the log although TANDA_SMTP_URL is set; set TANDA_MAIL_TRANSPORT=smtp');
  }
  return { transport, smtpUrl: env.TANDA_SMTP_URL, from: env.TANDA_MAIL_FROM ?? `Tanda <no-reply@${new URL(publicUrl).hostname}>` };
}
