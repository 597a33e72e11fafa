import crypto from 'node:crypto';
import type { ExpressionBuilder } from 'kysely';
import type { Executor } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { CHANNELS, DeliveryError, type Channel, type NotificationTransport, type Outbox, type OutgoingMessage } from '../rpl/notifications.js';

/** pino's shape, without importing it. Nothing here ever passes a recipient, a body or a code to it. */
export interface WorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Work done before each delivery round, off the request path (e.g. turning sign-in requests into codes). */
export type OutboxJob = (now: Date) => Promise<number>;

export interface OutboxWorkerOptions {
  executor: Executor;
  outbox: Outbox;
  transports: readonly NotificationTransport[];
  log: WorkerLog;
  jobs?: readonly OutboxJob[];
  /** Poll period; a wake-up from this process (`outbox.wake()`) runs a round at once. */
  intervalMs?: number;
  /** How long a claim holds. It must exceed the longest send (the SMTP transport times out at 30 s). */
  leaseMs?: number;
  /** Claims per message, the first included; then it is given up. */
  maxAttempts?: number;
  batchSize?: number;
  /** Delay before the next try after the attempt-th failure. */
  backoffMs?: (attempt: number) => number;
  /** Tests move time instead of waiting. */
  clock?: () => Date;
  /** Names this worker in leases (one per process by default). */
  id?: string;
}

export interface RoundResult {
  jobs: number;
  sent: number;
  retrying: number;
  failed: number;
  /** Pending messages no configured transport can carry (e.g. SMS with only SMTP). */
  held: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
/** 30 s, 1 min, 2 min, ... capped at one hour. */
export const defaultBackoff = (attempt: number): number => Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);

const noTransportReason = (channel: string) => `no transport for ${channel}`;

/**
 * What may be stored and logged about a failure: an error code and an SMTP status, never the server's text (it
 * echoes recipients) nor anything else from the message.
 */
export function safeReason(e: unknown): string {
  if (e instanceof DeliveryError) return e.reason;
  const err = e as { code?: unknown; responseCode?: unknown };
  const code = typeof err?.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(err.code) ? err.code : 'delivery_failed';
  return typeof err?.responseCode === 'number' ? `${code} ${err.responseCode}` : code;
}

/**
 * Sends the outbox. Exactly-once marking rests on a lease taken by a conditional UPDATE: a worker sends a message
 * only after its own `UPDATE … WHERE id = ? AND sent_at IS NULL AND (lease_until IS NULL OR lease_until < now)`
 * changed the row, which on PostgreSQL (the row lock re-checks the condition) and SQLite (one writer) only one
 * worker of any number, in any number of instances, can do. It marks the message sent only after the transport
 * accepted it.
 *
 * The one at-least-once window: if the process dies (or loses the database) after the transport accepted a message
 * and before the mark is written, or a send outlives its lease, the message is sent again once the lease expires.
 * Shrinking that window further would need the mail server to deduplicate (SMTP has no such verb).
 */
export class OutboxWorker {
  readonly id: string;
  private readonly executor: Executor;
  private readonly transports: ReadonlyMap<Channel, NotificationTransport>;
  private readonly channels: Channel[];
  private readonly log: WorkerLog;
  private readonly jobs: readonly OutboxJob[];
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly batchSize: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly clock: () => Date;
  private readonly outbox: Outbox;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** The last round found a full batch: more may be due, so the next round starts at once. */
  private moreDue = false;
  private stopped = true;
  private unlisten: (() => void) | undefined;

  constructor(options: OutboxWorkerOptions) {
    this.id = options.id ?? `worker-${crypto.randomUUID()}`;
    this.executor = options.executor;
    this.outbox = options.outbox;
    const byChannel = new Map<Channel, NotificationTransport>();
    // The first transport configured for a channel carries it.
    for (const t of options.transports) for (const c of t.channels) if (!byChannel.has(c)) byChannel.set(c, t);
    this.transports = byChannel;
    this.channels = [...byChannel.keys()];
    this.log = options.log;
    this.jobs = options.jobs ?? [];
    this.intervalMs = options.intervalMs ?? 5_000;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.batchSize = options.batchSize ?? 50;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Polls every intervalMs and on every wake-up until stop(). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unlisten = this.outbox.onWake(() => this.kick());
    this.kick();
  }

  /** Stops polling and waits for the round in progress, so a graceful shutdown never cuts a send short. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    for (const t of new Set(this.transports.values())) t.close?.();
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.runOnce()
      .then(() => undefined)
      .catch((e: unknown) => {
        this.moreDue = false;
        this.log.error({ worker: this.id, error: (e as Error)?.name, reason: safeReason(e) }, 'outbox round failed');
      })
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again || this.moreDue) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), this.intervalMs);
          this.timer.unref();
        }
      });
  }

  /** One round: the jobs, then every due message once. The CLI's `outbox flush` and the tests call this directly. */
  async runOnce(): Promise<RoundResult> {
    const result: RoundResult = { jobs: 0, sent: 0, retrying: 0, failed: 0, held: 0 };
    for (const job of this.jobs) result.jobs += await job(this.clock());
    await this.expire();
    result.held = await this.hold();
    this.moreDue = false;
    if (!this.channels.length) return result;
    const now = this.clock().toISOString();
    const due = this.executor
      .selectFrom('notifications')
      .select('id')
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .where((eb) => eb.or([eb('available_at', 'is', null), eb('available_at', '<=', now)]))
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .where('channel', 'in', this.channels);
    const batch = await due.orderBy('created_at').limit(this.batchSize).execute();
    this.moreDue = batch.length === this.batchSize;
    for (const { id } of batch) {
      const outcome = await this.deliverOne(id);
      if (outcome) result[outcome]++;
    }
    return result;
  }

  private async claim(id: string): Promise<boolean> {
    const now = this.clock();
    const claimed = await this.executor
      .updateTable('notifications')
      .set((eb) => ({ lease_owner: this.id, lease_until: new Date(now.getTime() + this.leaseMs).toISOString(), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .where((eb) => eb.or([eb('available_at', 'is', null), eb('available_at', '<=', now.toISOString())]))
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString())]))
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  }

  private async deliverOne(id: string): Promise<'sent' | 'retrying' | 'failed' | undefined> {
    if (!(await this.claim(id))) return undefined; // another worker has it
    const row = await this.executor.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const channel = row.channel as Channel;
    const transport = this.transports.get(channel);
    const message: OutgoingMessage = { id: row.id, channel, recipient: row.recipient, template: row.template, subject: row.subject, body: row.body ?? '' };
    const attempt = Number(row.attempts);
    try {
      if (!transport) throw new DeliveryError(noTransportReason(channel));
      await transport.deliver(message);
    } catch (e) {
      const reason = safeReason(e);
      const giveUp = attempt >= this.maxAttempts;
      const now = this.clock();
      await this.executor
        .updateTable('notifications')
        .set({
          lease_owner: null,
          lease_until: null,
          last_error: reason,
          ...(giveUp ? { failed_at: now.toISOString(), body: null } : { available_at: new Date(now.getTime() + this.backoffMs(attempt)).toISOString() }),
        })
        .where('id', '=', id)
        .where('lease_owner', '=', this.id)
        .execute();
      this.log.warn({ worker: this.id, notificationId: id, template: row.template, channel, attempt, reason, gaveUp: giveUp }, giveUp ? 'notification given up' : 'notification will be retried');
      return giveUp ? 'failed' : 'retrying';
    }
    // Sent: marked whoever holds the lease now (if ours ran out mid-send, the message may already have gone twice;
    // marking it stops a third time). The body goes: the outbox keeps that a message went out, not what it said.
    await this.executor
      .updateTable('notifications')
      .set({ sent_at: this.clock().toISOString(), body: null, lease_owner: null, lease_until: null, last_error: null })
      .where('id', '=', id)
      .where('sent_at', 'is', null)
      .execute();
    this.log.info({ worker: this.id, notificationId: id, template: row.template, channel, attempt }, 'notification accepted by the transport');
    return 'sent';
  }

  /** A message past its expiry (a code nobody can use any more) is given up and its body cleared. */
  private async expire(): Promise<void> {
    const now = this.clock().toISOString();
    await this.executor
      .updateTable('notifications')
      .set({ failed_at: now, body: null, last_error: 'expired before delivery', lease_owner: null, lease_until: null })
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('expires_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .execute();
  }

  /**
   * Messages for a channel nothing here can carry stay queued (no pretend delivery), with the reason recorded once;
   * they go out when a worker with such a transport runs.
   */
  private async hold(): Promise<number> {
    let held = 0;
    for (const channel of CHANNELS.filter((c) => !this.transports.has(c))) {
      const reason = noTransportReason(channel);
      const pending = (eb: ExpressionBuilder<Database, 'notifications'>) => eb.and([eb('channel', '=', channel), eb('sent_at', 'is', null), eb('failed_at', 'is', null)]);
      const count = await this.executor.selectFrom('notifications').select((eb) => eb.fn.countAll().as('n')).where(pending).executeTakeFirstOrThrow();
      held += Number(count.n);
      const marked = await this.executor
        .updateTable('notifications')
        .set({ last_error: reason })
        .where(pending)
        .where((eb) => eb.or([eb('last_error', 'is', null), eb('last_error', '<>', reason)]))
        .executeTakeFirst();
      if (Number(marked.numUpdatedRows)) this.log.warn({ worker: this.id, channel, held: Number(marked.numUpdatedRows) }, `notifications stay queued: no transport configured for ${channel}`);
    }
    return held;
  }
}
