import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { loggerOptions } from '../../src/http/logger.js';
import { createTestContext, type TestContext } from './app.js';

/** An app logging at trace level into memory, for tests that no secret ever reaches the log. */
export interface TraceLoggedApp {
  t: TestContext;
  app: FastifyInstance;
  /** Everything logged so far. */
  log(): string;
  close(): Promise<void>;
}

export async function traceLoggedApp(): Promise<TraceLoggedApp> {
  const t = await createTestContext();
  let log = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  const app = await buildApp(t.services, { logger: loggerOptions('trace', sink) });
  await app.ready();
  return {
    t,
    app,
    log: () => log,
    close: async () => {
      await app.close();
      await t.close();
    },
  };
}
