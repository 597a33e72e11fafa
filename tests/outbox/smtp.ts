import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
  /** The outbox row id the transport puts in X-Tanda-Notification. */
  notificationId: string | undefined;
}

/**
 * A real SMTP server on loopback (the smtp-server package) that records what it accepts and can refuse: `refuse()`
 * is asked for every message; a true answer makes it reply 451 (try again later), as a busy mail server does.
 */
export async function startSmtpServer(refuse: () => boolean = () => false) {
  const received: ReceivedMail[] = [];
  let refused = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse()) {
          refused++;
          return callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, notificationId: /^X-Tanda-Notification: (\S+)/im.exec(raw)?.[1] });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refusedCount: () => refused,
    /** The 6-digit code in the last message to `to`. */
    codeFor(to: string): string {
      const mail = [...received].reverse().find((m) => m.to.includes(to));
      const code = mail?.raw.match(/code is (\d{6})/)?.[1];
      if (!code) throw new Error(`no code mailed to ${to}`);
      return code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
