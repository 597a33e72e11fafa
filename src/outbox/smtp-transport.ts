import nodemailer from 'nodemailer';
import type { NotificationTransport, OutgoingMessage } from '../rpl/notifications.js';

/** Where the transport sends, for start-up: host and port only (the URL may carry a password). */
export function describeSmtpUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol.replace(/:$/, '')}://${u.hostname}${u.port ? `:${u.port}` : ''}`;
}

/**
 * E-mail over SMTP with nodemailer (`smtp://user:pass@host:587`, `smtps://…:465`; STARTTLS when the server offers
 * it). The timeouts keep every send well inside the outbox lease. nodemailer's own logger stays off: it would log
 * recipients and, at debug, the message.
 */
export function smtpTransport(url: string, from: string): NotificationTransport {
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000, logger: false });
  return {
    channels: ['email'],
    description: `SMTP ${describeSmtpUrl(url)}`,
    async deliver(message: OutgoingMessage) {
      await transporter.sendMail({
        from,
        to: message.recipient,
        subject: message.subject,
        text: message.body,
        // Lets a mail server or an audit join a received message to its outbox row without any content.
        headers: { 'X-Tanda-Notification': message.id },
      });
    },
    close: () => transporter.close(),
  };
}
