import { loadConfig } from './config.js';
import fs from 'node:fs';
import { ensureFirstAdmin, openAndMigrate, settlePublicUrl } from './bootstrap.js';
import { seedDemo } from './demo/seed.js';
import { buildApp } from './http/app.js';
import { loggerOptions } from './http/logger.js';
import { sweepEvidence } from './rpl/evidence.js';
import { createOutboxWorker, deliveryNotice, transportsFor } from './outbox/index.js';
import { createServices } from './services.js';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

async function main(): Promise<void> {
  const loaded = loadConfig();
  const db = await openAndMigrate(loaded);
  const config = await settlePublicUrl(db, loaded);
  const services = createServices(config, db);
  // Written synchronously before the admin is committed: an admin exists only if its token was printed.
  const admin = await ensureFirstAdmin(db, config, (token) => fs.writeSync(1, `\n  admin token    ${token}   (shown once: store it now)\n`));
  const demo = config.seedDemo ? await seedDemo(services) : undefined;

  const app = await buildApp(services, { logger: loggerOptions(config.logLevel) });
  const outboxLog = app.log.child({ component: 'outbox' });
  const transports = transportsFor(config.mail, outboxLog);
  const outbox = createOutboxWorker(services, outboxLog, { transports });
  // Evidence files without a row (a crash between the file move and the commit) and abandoned upload leftovers.
  let sweeping: Promise<void> | undefined;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = sweepEvidence(services.rpl).then(
      (swept) => app.log.info(swept, 'evidence sweep'),
      (error: unknown) => app.log.error({ err: error }, 'evidence sweep failed'),
    ).finally(() => (sweeping = undefined));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: draining requests and jobs');
    // A drain that hangs (a client that never finishes its upload) must not keep the process from exiting.
    setTimeout(() => {
      app.log.error({ signal }, 'shutdown grace period over: exiting with work unfinished');
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    clearInterval(sweep);
    try {
      // New connections are refused and requests in flight finish (fastify answers 503 to any that arrive on a
      // kept-alive connection meanwhile); they may queue messages, so the outbox round in progress finishes its
      // sends after them; the evidence sweep and the render pool (only requests feed it) end; the database last.
      await app.close();
      await outbox.stop();
      await sweeping;
      await services.certificates.close();
      await db.destroy();
      app.log.info({ signal }, 'shut down cleanly');
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error, signal }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  outbox.start();
  const delivery = deliveryNotice(transports);
  outboxLog[delivery.level]({ transports: transports.map((t) => t.description) }, `notifications: ${delivery.text}`);
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${(app.server.address() as { port: number }).port}`;
  const lines = [
    '',
    `Tanda is running (${db.dialect}${config.databaseUrl ? '' : `, data in ${config.dataDir}`})`,
    `  API            ${base}`,
    `  health         ${base}/health`,
    `  API docs       ${base}/docs  (OpenAPI JSON: ${base}/docs/json)`,
    `  notifications  ${delivery.text}`,
  ];
  if (admin.created && !config.bootstrapToken) lines.push('  admin token    printed above, when the first admin was created');
  if (demo) lines.push(...demo.lines.map((l) => `  ${l}`));
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`tanda: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
