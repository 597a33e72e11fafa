import type { Db } from '../db/database.js';

/**
 * How the instances of one deployment learn that another one changed what verification depends on, without a
 * message bus: every revocation, re-issue and key compromise re-signs a status list in its transaction, bumping
 * `status_lists.version`; a key rotation or compromise adds rows to `issuer_keys` / `key_compromises`; an operator's
 * `tanda deployment set-public-url` changes the recorded URL (the server then asks to be restarted). Their sums and
 * counts form a fingerprint that one query over a few small tables reads; an instance that sees it move
 * drops its caches (trust bundle, registry snapshot). Polled every TANDA_CHANGE_POLL_MS (1 s by default), so a change
 * made through one instance reaches every other within that plus one rebuild; the instance that made the change
 * calls `notify()` and does not wait for the poll. Works the same on PostgreSQL and SQLite (several processes on one file).
 */
export class ChangeWatch {
  private last: string | undefined;
  private readonly listeners: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;

  constructor(private readonly db: Db) {}

  /** `listener` runs (synchronously) whenever a change is seen, local or remote. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** This process changed something: every cache hears it now. */
  notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Reads the fingerprint; when it moved since the last look, notifies and answers true. Overlapping calls share one read. */
  check(): Promise<boolean> {
    this.running ??= this.read().finally(() => (this.running = undefined));
    return this.running;
  }

  private async read(): Promise<boolean> {
    const now = await this.fingerprint();
    const moved = this.last !== undefined && now !== this.last;
    this.last = now;
    if (moved) this.notify();
    return moved;
  }

  async fingerprint(): Promise<string> {
    const row = await this.db.kysely
      .selectNoFrom((eb) => [
        eb.selectFrom('status_lists').select(eb.fn.countAll<number | string>().as('n')).as('lists'),
        eb.selectFrom('status_lists').select((inner) => inner.fn.sum<number | string | null>('version').as('v')).as('versions'),
        eb.selectFrom('issuer_keys').select(eb.fn.countAll<number | string>().as('n')).as('keys'),
        eb.selectFrom('key_compromises').select(eb.fn.countAll<number | string>().as('n')).as('compromises'),
        eb.selectFrom('deployment').select('public_url').as('url'),
      ])
      .executeTakeFirstOrThrow();
    return [row.lists, row.versions ?? 0, row.keys, row.compromises, row.url ?? ''].map((v) => String(v)).join(':');
  }

  /** Polls until stop(); a failed poll (database briefly away) is reported and the next one tries again. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    if (this.timer) return;
    void this.check().catch(onError);
    this.timer = setInterval(() => void this.check().catch(onError), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
