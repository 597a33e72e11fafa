import { loadConfig } from './config.js';
import { ensureFirstAdmin, openAndMigrate, settlePublicUrl } from './bootstrap.js';
import { seedDemo } from './demo/seed.js';
import { buildApp } from './http/app.js';
import { loggerOptions } from './http/logger.js';
import { CertificationBatchWorker } from './rpl/certification-batch.js';
import { sweepEvidence } from './rpl/evidence.js';
import { createOutboxWorker, deliveryNotice, transportsFor } from './outbox/index.js';
import { createServices } from './services.js';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

async function main(): Promise<void> {
  const loaded = loadConfig();
  const db = await openAndMigrate(loaded);
  const config = await settlePublicUrl(db, loaded);
  const services = createServices(config, db);
  const admin = await ensureFirstAdmin(db, config);
  const demo = config.seedDemo ? await seedDemo(services) : undefined;

  const app = await buildApp(services, { logger: loggerOptions(config.logLevel) });
  const outboxLog = app.log.child({ component: 'outbox' });
  const transports = transportsFor(config.mail, outboxLog);
  const outbox = createOutboxWorker(services, outboxLog, { transports });
  // Certification batches: resumes whatever a previous process (or another instance) left pending.
  const batches = new CertificationBatchWorker(services.rpl, { log: app.log.child({ component: 'certification-batches' }) });
  // Evidence files without a row (a crash between the file move and the commit) and abandoned upload leftovers.
  const sweep = setInterval(() => {
    sweepEvidence(services.rpl).then(
      (swept) => app.log.info(swept, 'evidence sweep'),
      (error: unknown) => app.log.error({ err: error }, 'evidence sweep failed'),
    );
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  const close = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    clearInterval(sweep);
    // Requests first (they may queue messages), then the round in progress finishes its sends, then the database.
    await app.close();
    await outbox.stop();
    await batches.stop();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  outbox.start();
  batches.start();
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
  if (admin.token && !config.bootstrapToken) {
    lines.push(`  admin token    ${admin.token}   (shown once: store it now)`);
  }
  if (demo) lines.push(...demo.lines.map((l) => `  ${l}`));
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`tanda: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
