import type { NotificationTransport } from '../rpl/notifications.js';

export interface DevLog {
  info(obj: object, msg: string): void;
}

/**
 * Development only, and only when configured (`TANDA_MAIL_TRANSPORT=log`; `npm start` sets it for the demo): writes
 * each message, sign-in codes included, to the log instead of sending it, so the demo returnee can sign in without
 * a mail server. This is the one place a code or a message body ever reaches a log.
 */
export function devLogTransport(log: DevLog): NotificationTransport {
  return {
    channels: ['email', 'sms'],
    description: 'development log transport (messages are written to this log, not sent)',
    async deliver(message) {
      log.info(
        { notificationId: message.id, channel: message.channel, to: message.recipient, subject: message.subject, body: message.body },
        'notification NOT sent (development log transport)',
      );
    },
  };
}
