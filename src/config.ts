import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
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
  logLevel: string;
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
  return {
    port: env2.PORT,
    host: env2.HOST,
    dataDir: path.resolve(env2.TANDA_DATA_DIR),
    databaseUrl: env2.DATABASE_URL,
    masterKey: env2.TANDA_MASTER_KEY,
    bootstrapToken: env2.TANDA_BOOTSTRAP_TOKEN,
    publicUrl: (env2.TANDA_PUBLIC_URL ?? `http://localhost:${env2.PORT}`).replace(/\/+$/, ''),
    publicUrlConfigured: env2.TANDA_PUBLIC_URL !== undefined,
    seedDemo: env2.TANDA_SEED_DEMO === 'true',
    evidenceMaxBytes: env2.TANDA_EVIDENCE_MAX_BYTES,
    appealDays: env2.TANDA_APPEAL_DAYS,
    logLevel: env2.LOG_LEVEL,
  };
}
