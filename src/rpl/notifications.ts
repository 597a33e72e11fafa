import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';

export interface OutgoingMessage {
  id: string;
  channel: 'email' | 'sms';
  recipient: string;
  template: string;
  subject: string;
  body: string;
}

/** The logger shape a transport may use (pino's, without importing it). */
export interface NotificationLog {
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Delivers one message (SMTP, an SMS gateway, ...). Throwing leaves the message in the outbox for a retry. */
export interface NotificationTransport {
  deliver(message: OutgoingMessage, log: NotificationLog): Promise<void>;
}

export const maskRecipient = (r: string): string => {
  const at = r.indexOf('@');
  if (at > 0) return `${r.slice(0, 1)}***${r.slice(at)}`;
  return r.length > 4 ? `***${r.slice(-3)}` : '***';
};

/**
 * The default transport, for a demo or a deployment without a gateway: it logs that a message went out (masked
 * recipient, no content) at info, and the full text at debug, so `LOG_LEVEL=debug` shows a sign-in code on the
 * console while a production info log never holds one.
 */
export const logTransport: NotificationTransport = {
  async deliver(message, log) {
    log.info({ notificationId: message.id, channel: message.channel, to: maskRecipient(message.recipient), template: message.template }, 'notification sent (log transport)');
    log.debug({ notificationId: message.id, to: message.recipient, subject: message.subject, body: message.body }, 'notification content (log transport)');
  },
};

/**
 * Transactional outbox: a message is written in the same transaction as the change that causes it, and
 * delivered after commit. A crash between the two leaves it pending for the next flush, never lost or invented.
 */
export class Outbox {
  constructor(
    private readonly executor: Executor,
    public transport: NotificationTransport = logTransport,
  ) {}

  async enqueue(tx: Executor, message: Omit<OutgoingMessage, 'id'>): Promise<string> {
    const id = crypto.randomUUID();
    await tx
      .insertInto('notifications')
      .values({ id, ...message, created_at: nowIso(), sent_at: null, attempts: 0, last_error: null })
      .execute();
    return id;
  }

  /** Delivers pending messages; delivered ones keep their metadata but lose their body. */
  async flush(log: NotificationLog, limit = 50): Promise<{ sent: number; failed: number }> {
    const pending = await this.executor.selectFrom('notifications').selectAll().where('sent_at', 'is', null).where('attempts', '<', 5).orderBy('created_at').limit(limit).execute();
    let sent = 0;
    let failed = 0;
    for (const row of pending) {
      const message: OutgoingMessage = { id: row.id, channel: row.channel as OutgoingMessage['channel'], recipient: row.recipient, template: row.template, subject: row.subject, body: row.body ?? '' };
      try {
        await this.transport.deliver(message, log);
        await this.executor.updateTable('notifications').set({ sent_at: nowIso(), body: null, attempts: Number(row.attempts) + 1, last_error: null }).where('id', '=', row.id).execute();
        sent++;
      } catch (e) {
        await this.executor.updateTable('notifications').set({ attempts: Number(row.attempts) + 1, last_error: (e as Error).message.slice(0, 500) }).where('id', '=', row.id).execute();
        failed++;
      }
    }
    return { sent, failed };
  }
}
