import { createOutboxWorker, deliveryNotice, transportsFor } from '../outbox/index.js';
import type { WorkerLog } from '../outbox/worker.js';
import { OPERATOR, authorize } from '../policy/policy.js';
import type { Services } from '../services.js';

export const OUTBOX_HELP = `usage: tanda outbox <command>
  flush [--rounds N]   send what is due now with the configured transport (as the server's worker does; safe to
                       run next to a running server), then print how many were sent, retried, given up and held`;

/** JSON lines on stderr; the worker only ever hands it ids, templates, channels and error codes. */
const stderrLog: WorkerLog = Object.fromEntries(
  (['info', 'warn', 'error'] as const).map((level) => [level, (obj: object, msg: string) => process.stderr.write(`${JSON.stringify({ level, msg, ...obj })}\n`)]),
) as unknown as WorkerLog;

/** `tanda outbox …`: the notification outbox, from the command line. */
export async function outboxCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'flush') {
    process.stderr.write(`${OUTBOX_HELP}\n`);
    return sub === undefined || sub === 'help' ? 0 : 2;
  }
  // Sending the outbox is the deployment's own work, whoever holds the machine: the operator's.
  authorize(OPERATOR, 'run', { kind: 'deployment' });
  const roundsArg = rest[0] === '--rounds' ? Number(rest[1]) : 3;
  if (!Number.isInteger(roundsArg) || roundsArg < 1) throw new Error('--rounds takes a positive integer');
  const transports = transportsFor(services.config.mail, stderrLog);
  process.stderr.write(`notifications: ${deliveryNotice(transports).text}\n`);
  const worker = createOutboxWorker(services, stderrLog, { transports });
  const total = { jobs: 0, sent: 0, retrying: 0, failed: 0, held: 0 };
  try {
    // A round's sign-in requests become messages that the next round sends; stop when a round finds nothing to do.
    for (let i = 0; i < roundsArg; i++) {
      const r = await worker.runOnce();
      total.jobs += r.jobs;
      total.sent += r.sent;
      total.retrying += r.retrying;
      total.failed += r.failed;
      total.held = r.held;
      if (r.jobs + r.sent + r.retrying + r.failed === 0) break;
    }
  } finally {
    await worker.stop();
  }
  process.stdout.write(`${JSON.stringify(total)}\n`);
  return total.failed ? 1 : 0;
}
