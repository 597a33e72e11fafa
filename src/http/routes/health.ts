import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import { pendingMigrations } from '../../db/migrator.js';
import { TandaError } from '../../errors.js';

/** A database that does not answer within this is "not ready", rather than holding the probe open. */
const READY_TIMEOUT_MS = 3000;

const statusOf = (value: string) => ({ type: 'object', properties: { status: { type: 'string', enum: [value] } }, required: ['status'] }) as const;

export const healthRoutes: FastifyPluginAsync = async (app) => {
  // Liveness: the process answers. Touches nothing else, so a slow or lost database never gets a healthy process
  // restarted (that is what /ready is for: take the instance out of the load balancer instead).
  app.get('/health', {
    schema: { tags: ['system'], summary: 'Liveness: the process answers (no database check)', response: { 200: statusOf('ok') } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    schema: {
      tags: ['system'],
      summary: 'Readiness: the database answers, every migration of this version has run and the verification workers have started (503 not_ready otherwise)',
      response: { 200: statusOf('ready') },
    },
  }, async () => {
    const { db, credentials } = app.services;
    if (credentials.pool?.isWarming) throw new TandaError('not_ready', 'the verification workers are still starting');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TandaError('not_ready', 'the database did not answer in time')), READY_TIMEOUT_MS);
    });
    try {
      const pending = await Promise.race([
        (async () => {
          await sql`select 1`.execute(db.kysely);
          return pendingMigrations(db);
        })(),
        timeout,
      ]);
      if (pending.length) throw new TandaError('not_ready', `${pending.length} database migration(s) have not run`);
    } catch (e) {
      throw e instanceof TandaError ? e : new TandaError('not_ready', 'the database is unreachable', { cause: e });
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ready' as const };
  });
};
