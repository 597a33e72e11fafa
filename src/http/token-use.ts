import type { FastifyBaseLogger } from 'fastify';
import { recordTokenUse } from '../auth/tokens.js';
import type { Db } from '../db/database.js';

declare module 'fastify' {
  interface FastifyInstance {
    tokenUses: TokenUseRecorder;
  }
}

/**
 * Writes API tokens' uses down beside the requests that make them, not in them: a request never waits for the write
 * nor fails with it (a failed write is logged and the next use tries again). The writes still running are kept so
 * the app's close can wait for them before the database is closed.
 */
export class TokenUseRecorder {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly db: Db) {}

  record(tokenId: string, now: Date, log: FastifyBaseLogger): void {
    const write: Promise<void> = this.db
      .writeUnlessBusy((executor) => recordTokenUse(executor, tokenId, now))
      .then(
        () => undefined,
        (err: unknown) => log.warn({ err, tokenId }, 'could not write down an API token\'s use'),
      )
      .finally(() => this.running.delete(write));
    this.running.add(write);
  }

  /** Resolves when the writes started so far are done (they never reject). */
  async settled(): Promise<void> {
    await Promise.all(this.running);
  }
}
