import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface OutgoingMessage {
  id: string;
  channel: Channel;
  recipient: string;
  template: string;
  subject: string;
  body: string;
}

/**
 * Delivers messages of some channels (SMTP for e-mail, an SMS gateway, ...). Resolving means the transport accepted
 * the message; throwing leaves it in the outbox for a retry. Implementations live in src/outbox/.
 */
export interface NotificationTransport {
  readonly channels: readonly Channel[];
  /** For start-up and logs: what it is and where it sends, never a secret. */
  readonly description: string;
  deliver(message: OutgoingMessage): Promise<void>;
  close?(): void;
}

/** A failure whose reason is safe to store and log: no recipient, no content, no server banner. */
export class DeliveryError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DeliveryError';
  }
}

export const maskRecipient = (r: string): string => {
  const at = r.indexOf('@');
  if (at > 0) return `${r.slice(0, 1)}***${r.slice(at)}`;
  return r.length > 4 ? `***${r.slice(-3)}` : '***';
};

export interface QueuedMessage extends Omit<OutgoingMessage, 'id'> {
  /** After this the message is pointless (a one-time code): it is given up rather than sent late. */
  expiresAt?: string | null;
}

/**
 * Transactional outbox: a message is written in the same transaction as the change that causes it, and delivered
 * after commit by the outbox worker (src/outbox/worker.ts), never by a request handler. A crash between the two
 * leaves it pending for the worker, never lost or invented.
 */
export class Outbox {
  private readonly listeners = new Set<() => void>();

  async enqueue(tx: Executor, message: QueuedMessage): Promise<string> {
    const id = crypto.randomUUID();
    const { expiresAt, ...rest } = message;
    await tx
      .insertInto('notifications')
      .values({ id, ...rest, created_at: nowIso(), sent_at: null, attempts: 0, last_error: null, available_at: null, lease_owner: null, lease_until: null, failed_at: null, expires_at: expiresAt ?? null })
      .execute();
    return id;
  }

  /** Tells a worker of this process that there is work, so it need not wait for its next poll. Call after commit. */
  wake(): void {
    for (const listener of this.listeners) listener();
  }

  /** A worker listens for wake-ups; returns the function that stops listening. */
  onWake(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
