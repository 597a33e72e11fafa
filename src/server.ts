import { loadConfig } from './config.js';
import { ensureFirstAdmin, openAndMigrate, settlePublicUrl } from './bootstrap.js';
import { seedDemo } from './demo/seed.js';
import { buildApp } from './http/app.js';
import { createOutboxWorker, deliveryNotice, transportsFor } from './outbox/index.js';
import { createServices } from './services.js';

async function main(): Promise<void> {
  const loaded = loadConfig();
  const db = await openAndMigrate(loaded);
  const config = await settlePublicUrl(db, loaded);
  const services = createServices(config, db);
  const admin = await ensureFirstAdmin(db, config);
  const demo = config.seedDemo ? await seedDemo(services) : undefined;

  const app = await buildApp(services, {
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
  });
  const outboxLog = app.log.child({ component: 'outbox' });
  const transports = transportsFor(config.mail, outboxLog);
  const outbox = createOutboxWorker(services, outboxLog, { transports });
  const close = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    // Requests first (they may queue messages), then the round in progress finishes its sends, then the database.
    await app.close();
    await outbox.stop();
    await db.destroy();
    process.exit(0);
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
