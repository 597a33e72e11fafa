import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

type Callback = Parameters<FastifyRateLimitStore['incr']>[1];
interface RouteLimit {
  routeInfo?: { url?: string };
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
  cache?: number;
}

// The plugin's own in-memory store (a CommonJS file the package ships without types or an export map).
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (continueExceeding?: boolean, exponentialBackoff?: boolean, cache?: number) => FastifyRateLimitStore;

/**
 * Limits that bound guessing or flooding one person must hold however many instances run: with a count per instance,
 * N instances behind a load balancer would allow N times the sign-in attempts or codes sent to one phone. These are
 * counted in the database. The other limits (the public verify routes, the certificate check) protect an instance's
 * CPU; each instance protecting itself is what they are for, and counting them in the database would add a write to
 * every verification.
 */
export const SHARED_LIMIT_ROUTES: ReadonlySet<string> = new Set(['/auth/login', '/auth/candidate/code', '/auth/candidate/verify']);

const PURGE_EVERY_MS = 60_000;

/** Fixed-window counters in `rate_limits`, one atomic upsert per request (SQLite ≥ 3.35 and PostgreSQL alike). */
class DatabaseStore implements FastifyRateLimitStore {
  private lastPurge = 0;

  constructor(
    private readonly db: Db,
    private readonly route: string,
  ) {}

  incr(key: string, callback: Callback, timeWindow: number): void {
    this.count(key, timeWindow).then((r) => callback(null, r), (e: unknown) => callback(e as Error));
  }

  private async count(key: string, timeWindow: number): Promise<{ current: number; ttl: number }> {
    // The key holds an address and, for sign-in, an e-mail or phone number: only its hash is stored.
    const id = crypto.createHash('sha256').update(`${this.route}\n${key}`).digest('base64url');
    const now = Date.now();
    const nowIso = new Date(now).toISOString();
    const ends = new Date(now + timeWindow).toISOString();
    const { rows } = await sql<{ hits: number | string; window_ends_at: string }>`
      insert into rate_limits (key, hits, window_ends_at) values (${id}, 1, ${ends})
      on conflict (key) do update set
        hits = case when rate_limits.window_ends_at <= ${nowIso} then 1 else rate_limits.hits + 1 end,
        window_ends_at = case when rate_limits.window_ends_at <= ${nowIso} then excluded.window_ends_at else rate_limits.window_ends_at end
      returning hits, window_ends_at`.execute(this.db.kysely);
    const row = rows[0]!;
    if (now - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = now;
      await this.db.kysely.deleteFrom('rate_limits').where('window_ends_at', '<', nowIso).execute();
    }
    return { current: Number(row.hits), ttl: Math.max(0, Date.parse(row.window_ends_at) - now) };
  }

  child(): FastifyRateLimitStore {
    return this;
  }
}

/** The store the rate-limit plugin is given: per route, the database for SHARED_LIMIT_ROUTES, memory otherwise. */
export function rateLimitStore(db: Db): FastifyRateLimitStoreCtor {
  return class implements FastifyRateLimitStore {
    private readonly local = new LocalStore();
    incr(...args: Parameters<FastifyRateLimitStore['incr']>): void {
      this.local.incr(...args);
    }
    child(options: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const route = options as unknown as RouteLimit;
      const url = route.routeInfo?.url;
      return url && SHARED_LIMIT_ROUTES.has(url) ? new DatabaseStore(db, url) : new LocalStore(route.continueExceeding, route.exponentialBackoff, route.cache);
    }
  };
}
