import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createUser } from '../src/auth/tokens.js';
import { issueAward } from '../src/awards/award-service.js';
import { openAndMigrate } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { loggerOptions } from '../src/http/logger.js';
import { createIssuer } from '../src/issuers/issuers.js';
import { getQualification } from '../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../src/frameworks/seed.js';
import { createServices } from '../src/services.js';
import { typicalCredential } from './credentials.js';

/*
 * The server under load for bench/load.ts, in its own process so that the load generator's work does not count
 * against the server's event loop. It runs as `npm start` does (info-level request logs to stdout, discarded), on a
 * fresh SQLite file (or DATABASE_URL), with one certifying body that has issued a credential and, accredited in the
 * demo registry, a certificate's award; the parent reads the credential, the award's QR text, the port and, on request,
 * the server's RSS, event-loop delay and pool state over IPC.
 */

const send = (message: object) => process.send!(message);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-load-'));
const config = loadConfig({
  ...process.env,
  PORT: '0',
  TANDA_DATA_DIR: dataDir,
  TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
  TANDA_PUBLIC_URL: 'https://tanda.bench',
  TANDA_SEED_DEMO: 'false',
  TANDA_VERIFY_RATE_LIMIT: '1000000000',
});
const db = await openAndMigrate(config);
const services = createServices(config, db);
const issuer = await createIssuer(db.kysely, services.keys, config.publicUrl, { id: 'bench-body', name: 'Bench Certifying Body', country: 'PH', didMethod: 'key' });
const credential = await services.credentials.issue(typicalCredential(issuer.did), { issuerId: issuer.id, kind: 'award' });
await seedRegistry(db.kysely, { issuers: [issuer.id] });
const officer = await createUser(db.kysely, { name: 'Bench Officer', role: 'certifying_officer', issuerId: issuer.id });
const qualification = (await getQualification(db.kysely, 'https://tanda.example/qualifications/ph-housekeeping-nc2'))!;
const awarded = await issueAward(services, { id: officer.id, role: 'certifying_officer', issuerId: issuer.id }, {
  issuerId: issuer.id,
  qualificationId: qualification.id,
  achievedUnitIds: qualification.units.map((u) => u.unitId),
  holder: { name: 'Maria Clara Dela Cruz Santos Jr' },
});
const { payload: qrPayload } = await services.certificates.qrPayload((await services.credentials.find(String(awarded.credential.id)))!);
// Request logs go to stdout as under `npm start`; the parent discards them.
const app = await buildApp(services, { logger: loggerOptions('info') });
await app.listen({ port: 0, host: '127.0.0.1' });
services.credentials.pool?.warmUp();

/** CPU time of the whole process (main thread, pool workers, GC threads), in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
/** CPU time of the main thread alone, in ms, where Linux tells it (/proc); null elsewhere. */
const mainThreadCpuMs = (): number | null => {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
};

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    const ms = (ns: number) => ns / 1e6;
    send({
      type: 'stats',
      rssMb: process.memoryUsage().rss / 1024 / 1024,
      cpuMs: cpuMs(),
      mainThreadCpuMs: mainThreadCpuMs(),
      lag: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      pool: services.credentials.pool?.stats() ?? null,
    });
  } else if (message.type === 'reset') {
    delay.reset();
    send({ type: 'reset' });
  } else if (message.type === 'stop') {
    void app.close().then(async () => {
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
send({ type: 'ready', port: (app.server.address() as { port: number }).port, credential, qrPayload, workers: config.verifyWorkers });
