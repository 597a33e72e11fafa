import cluster from 'node:cluster';
import fs from 'node:fs';
import { loadConfig, type Config } from './config.js';
import { ensureFirstAdmin, openAndMigrate } from './bootstrap.js';
import { checkMasterKey } from './deployment/master-key-check.js';
import { recordedPublicUrl, settlePublicUrl } from './deployment/public-url.js';
import { seedDemo } from './demo/seed.js';
import { buildApp } from './http/app.js';
import { loggerOptions } from './http/logger.js';
import { CertificationBatchWorker } from './rpl/certification-batch.js';
import { sweepEvidence } from './rpl/evidence.js';
import { createOutboxWorker, deliveryNotice, transportsFor } from './outbox/index.js';
import { createServices } from './services.js';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Migrations, the public URL, the first admin and the demo data: once per start, before any request is served. */
async function prepare(loaded: Config) {
  const db = await openAndMigrate(loaded);
  const config = await settlePublicUrl(db, loaded);
  const services = createServices(config, db);
  await checkMasterKey(services);
  // Written synchronously before the admin is committed: an admin exists only if its token was printed.
  const admin = await ensureFirstAdmin(db, config, (token) => fs.writeSync(1, `\n  admin token    ${token}   (shown once: store it now)\n`));
  const demo = config.seedDemo ? await seedDemo(services) : undefined;
  const startLines = [
    ...(admin.created && !config.bootstrapToken ? ['  first admin    created; its API token is printed above (once)'] : []),
    ...(demo ? demo.lines.map((l) => `  ${l}`) : []),
  ];
  return { db, config, services, startLines };
}

/**
 * TANDA_WORKERS > 1: this process prepares the database once, then forks the workers, which share the port
 * (node:cluster hands connections out) and find everything already done. A worker that dies is replaced.
 */
async function primary(loaded: Config): Promise<void> {
  const { db, config, startLines } = await prepare(loaded);
  await db.destroy();
  let stopping = false;
  for (let i = 0; i < config.workers; i++) cluster.fork();
  const served = new Set<number>();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    // One that never got to listen would fail again the same way (configuration, database): stop rather than loop.
    if (!served.has(worker.id)) {
      process.stderr.write(`tanda: worker ${worker.process.pid} failed to start (${signal ?? code}); stopping\n`);
      close('SIGTERM');
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`tanda: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    cluster.fork();
  });
  cluster.on('listening', (worker, address) => {
    served.add(worker.id);
    if (served.size !== config.workers) return;
    const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${address.port}`;
    process.stdout.write(`${['', `Tanda is running: ${config.workers} workers (${config.databaseUrl ? 'postgres' : `sqlite, data in ${config.dataDir}`})`, `  API            ${base}`, ...startLines].join('\n')}\n\n`);
  });
  function close(signal: NodeJS.Signals): void {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
    });
  }
  process.once('SIGINT', () => close('SIGINT'));
  process.once('SIGTERM', () => close('SIGTERM'));
}

async function main(): Promise<void> {
  const loaded = loadConfig();
  if (cluster.isPrimary && loaded.workers > 1) return primary(loaded);
  const { db, config, services, startLines } = await prepare(loaded);

  const app = await buildApp(services, { logger: loggerOptions(config.logLevel) });
  const outboxLog = app.log.child({ component: 'outbox' });
  const transports = transportsFor(config.mail, outboxLog);
  const outbox = createOutboxWorker(services, outboxLog, { transports });
  // Certification batches: resumes whatever a previous process (or another instance) left pending.
  const batches = new CertificationBatchWorker(services.rpl, { log: app.log.child({ component: 'certification-batches' }) });
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
      await batches.stop();
      await sweeping;
      await services.certificates.close();
      await services.changes.stop();
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

  // The verification workers load (libraries, contexts) beside the start instead of in the first requests' time;
  // /ready answers not_ready until they have, /health is not held up.
  void services.credentials.pool?.warmUp();
  await app.listen({ port: config.port, host: config.host });
  outbox.start();
  batches.start();
  // Revocations and key changes made through other instances (or the CLI) reach this one's caches.
  services.changes.onChange(() => {
    recordedPublicUrl(db).then((recorded) => {
      // The URL is fixed for a process's life (it is in every list it signs): an operator's change needs a restart.
      if (recorded && recorded.url !== config.publicUrl) app.log.error({ recorded: recorded.url, running: config.publicUrl }, 'the deployment\'s public URL was changed: restart this instance');
    }, () => undefined);
  });
  services.changes.start(config.changePollMs, (error) => app.log.warn({ err: error }, 'change poll failed'));
  const delivery = deliveryNotice(transports);
  outboxLog[delivery.level]({ transports: transports.map((t) => t.description) }, `notifications: ${delivery.text}`);
  if (cluster.isWorker) return;
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${(app.server.address() as { port: number }).port}`;
  const lines = [
    '',
    `Tanda is running (${db.dialect}${config.databaseUrl ? '' : `, data in ${config.dataDir}`})`,
    `  API            ${base}`,
    `  health         ${base}/health`,
    `  API docs       ${base}/docs  (OpenAPI JSON: ${base}/docs/json)`,
    `  staff console  ${base}/console`,
    `  returnee space ${base}/me`,
    `  verifier       ${base}/verify`,
    `  notifications  ${delivery.text}`,
    ...startLines,
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`tanda: failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
