import type { Config, MailConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { processSignInRequests } from '../rpl/candidate-login.js';
import { purgeExpiredContactChanges } from '../rpl/contact-changes.js';
import type { NotificationTransport, Outbox } from '../rpl/notifications.js';
import { devLogTransport } from './log-transport.js';
import { smtpTransport } from './smtp-transport.js';
import { OutboxWorker, type OutboxWorkerOptions, type WorkerLog } from './worker.js';

/** The transports the configuration asks for; none at all is a valid (if useless) deployment: messages wait. */
export function transportsFor(mail: MailConfig, log: WorkerLog): NotificationTransport[] {
  switch (mail.transport) {
    case 'smtp':
      return [smtpTransport(mail.smtpUrl as string, mail.from)];
    case 'log':
      return [devLogTransport(log)];
    case 'none':
      return [];
  }
}

/** What start-up says about delivery: clearly, because without a transport no returnee can sign in. */
export function deliveryNotice(transports: readonly NotificationTransport[]): { level: 'info' | 'warn'; text: string } {
  if (!transports.length) {
    return { level: 'warn', text: 'NO TRANSPORT: sign-in codes and notices stay queued and nobody receives them (set TANDA_SMTP_URL)' };
  }
  const text = transports.map((t) => `${t.description} for ${t.channels.join(', ')}`).join('; ');
  const sms = transports.some((t) => t.channels.includes('sms'));
  return { level: transports.some((t) => t.description.startsWith('development')) ? 'warn' : 'info', text: sms ? text : `${text}; SMS stays queued (no SMS gateway)` };
}

/** The outbox worker of this deployment: it also turns queued sign-in requests into codes and drops stale contact changes. */
export function createOutboxWorker(
  deps: { db: Db; rpl: { outbox: Outbox }; config: Pick<Config, 'mail' | 'outboxIntervalMs'> },
  log: WorkerLog,
  options: Partial<OutboxWorkerOptions> = {},
): OutboxWorker {
  return new OutboxWorker({
    executor: deps.db.kysely,
    outbox: deps.rpl.outbox,
    transports: options.transports ?? transportsFor(deps.config.mail, log),
    log,
    intervalMs: deps.config.outboxIntervalMs,
    jobs: [(now) => processSignInRequests(deps.db.kysely, deps.rpl.outbox, now), (now) => purgeExpiredContactChanges(deps.db.kysely, now)],
    ...options,
  });
}

export { OutboxWorker } from './worker.js';
