import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApiToken, createUser } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { recordedPublicUrl } from '../src/deployment/public-url.js';
import { createIssuer } from '../src/issuers/issuers.js';
import { createServices } from '../src/services.js';
import { badge } from '../tests/helpers/credentials.js';

/**
 * Two Tanda processes on one fresh PostgreSQL database, as two instances behind a load balancer:
 * - both started at the same moment on the empty database (first start: migrations, public URL, admin, demo data);
 * - BENCH_ISSUANCES (default 500) concurrent VC API issuances through each → every credential and status index
 *   distinct, every credential verified on the other instance;
 * - BENCH_REVOCATIONS (default 20) revoked through the first, one after the other, each timed until the second's
 *   `/credentials/verify` and `/verify/qr` refuse it and its `/status/<list>` serves the re-signed list (polled every
 *   50 ms; the budget is 5 s).
 * BENCH_DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres); a database of its own is
 * created and dropped. Each process keeps its own default public URL (no TANDA_PUBLIC_URL): the deployment records
 * the first one and the other runs under it.
 */
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ISSUANCES = Number(process.env.BENCH_ISSUANCES ?? 500);
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 20);
const VERIFY_CONCURRENCY = 16;
const PROPAGATION_BUDGET_MS = 5000;
const START_TIMEOUT_MS = 180_000;

interface Instance {
  port: number;
  base: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function launch(port: number, env: Record<string, string>): Instance {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { port, base: `http://127.0.0.1:${port}`, child, exited, output: () => out };
}

/** Up when /health answers; false when the process exits first. */
async function up(instance: Instance): Promise<boolean> {
  let gone = false;
  void instance.exited.then(() => (gone = true));
  const until = Date.now() + START_TIMEOUT_MS;
  while (!gone && Date.now() < until) {
    try {
      if ((await fetch(`${instance.base}/health`)).ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return false;
}

async function stop(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  instance.child.kill('SIGTERM');
  await Promise.race([instance.exited, sleep(10_000).then(() => instance.child.kill('SIGKILL'))]);
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pooled<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  }));
  return results;
}


const statusCode = (checks: unknown): string | undefined =>
  Array.isArray(checks) ? (checks as Array<{ id?: string; code?: string }>).find((c) => c.id === 'status')?.code : undefined;

export async function benchInstances(): Promise<Record<string, number>> {
  const name = `tanda_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const databaseUrl = Object.assign(new URL(SERVER), { pathname: `/${name}` }).toString();
  const masterKey = crypto.randomBytes(32).toString('base64');
  const dirs = [0, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-bench-inst-')));
  const common = {
    DATABASE_URL: databaseUrl,
    TANDA_MASTER_KEY: masterKey,
    TANDA_MAIL_TRANSPORT: 'none',
    LOG_LEVEL: 'warn',
    TANDA_VERIFY_RATE_LIMIT: '1000000',
  };
  const ports = [3300 + crypto.randomInt(300), 3700 + crypto.randomInt(300)];
  const instances: Instance[] = [];
  const figures: Record<string, number> = {};
  const db = openDatabase({ databaseUrl });
  try {
    // 1. Both at once on the empty database.
    for (const [i, port] of ports.entries()) instances.push(launch(port, { ...common, TANDA_DATA_DIR: dirs[i]! }));
    const started = await Promise.all(instances.map(up));
    figures.instances_started_together_up = started.filter(Boolean).length;
    process.stdout.write(`two instances started together on an empty database: ${started.filter(Boolean).length} of 2 came up\n`);
    for (const [i, ok] of started.entries()) {
      if (ok) continue;
      process.stdout.write(`  instance ${i + 1} failed to start:\n${instances[i]!.output().trim().split('\n').slice(-5).map((l) => `    ${l}`).join('\n')}\n  starting it again alone\n`);
      instances[i] = launch(ports[i]!, { ...common, TANDA_DATA_DIR: dirs[i]! });
      if (!(await up(instances[i]!))) throw new Error(`instance ${i + 1} does not start: ${instances[i]!.output()}`);
    }
    const [a, b] = instances as [Instance, Instance];

    // A certifying body and an officer with an API token, made with the deployment's own master key and URL.
    const recorded = (await recordedPublicUrl(db))!.url;
    process.stdout.write(`deployment public URL: ${recorded} (instance ports ${ports.join(', ')}, neither configured)\n`);
    const services = createServices(loadConfig({ DATABASE_URL: databaseUrl, TANDA_MASTER_KEY: masterKey, TANDA_DATA_DIR: dirs[2]!, TANDA_PUBLIC_URL: recorded }), db);
    const issuer = await createIssuer(db.kysely, services.keys, recorded, { id: 'bench-body', name: 'Bench Certifying Body', country: 'PH', didMethod: 'key' });
    const officer = await createUser(db.kysely, { name: 'Bench Officer', role: 'certifying_officer', issuerId: issuer.id });
    const auth = { authorization: `Bearer ${await createApiToken(db.kysely, officer.id, 'bench')}` };

    // 2. Concurrent issuances through both.
    const t0 = performance.now();
    const issued = await Promise.all(
      Array.from({ length: 2 * ISSUANCES }, (_, n) => post(`${(n % 2 ? b : a).base}/credentials/issue`, { credential: badge(issuer.did, { name: `Bench Holder ${n}` }) }, auth).then((r) => ({ n, ...r }))),
    );
    const issueSeconds = (performance.now() - t0) / 1000;
    const ok = issued.filter((r) => r.status === 201);
    const credentials = ok.map((r) => ({ n: r.n, vc: r.json.verifiableCredential as Record<string, unknown> }));
    const entries = credentials.map((c) => c.vc.credentialStatus as { statusListCredential: string; statusListIndex: string });
    figures.instances_issued = ok.length;
    figures.instances_issue_errors = issued.length - ok.length;
    figures.instances_distinct_credentials = new Set(credentials.map((c) => c.vc.id)).size;
    figures.instances_distinct_status_indices = new Set(entries.map((e) => `${e.statusListCredential}#${e.statusListIndex}`)).size;
    figures.instances_issue_per_s = ok.length / issueSeconds;
    process.stdout.write(`issued ${ok.length} of ${issued.length} concurrently through both in ${issueSeconds.toFixed(1)} s; ${figures.instances_distinct_status_indices} distinct status indices\n`);
    if (ok.length < issued.length) process.stdout.write(`  first failure: ${JSON.stringify(issued.find((r) => r.status !== 201))}\n`);

    // 3. Each verified on the instance that did not issue it.
    const verified = await pooled(credentials, VERIFY_CONCURRENCY, async (c) => (await post(`${(c.n % 2 ? a : b).base}/credentials/verify`, { verifiableCredential: c.vc })).json?.verified === true);
    figures.instances_verified_on_other = verified.filter(Boolean).length;
    process.stdout.write(`verified on the other instance: ${figures.instances_verified_on_other} of ${credentials.length}\n`);

    // 4. Revocations through A, timed until B refuses on both routes. Every instance already holds a trust bundle.
    const victims = credentials.slice(0, REVOCATIONS);
    const payloads = await Promise.all(victims.map(async (c) => (await services.certificates.qrPayload((await services.credentials.find(String(c.vc.id)))!)).payload));
    for (const p of payloads.slice(0, 1)) await post(`${b.base}/verify/qr`, { payload: p });
    const viaVerify: number[] = [];
    const viaQr: number[] = [];
    const viaList: number[] = [];
    const listEtag = async (url: string) => (await fetch(`${b.base}${new URL(url).pathname}`)).headers.get('etag');
    for (const [i, c] of victims.entries()) {
      const listUrl = (c.vc.credentialStatus as { statusListCredential: string }).statusListCredential;
      const etagBefore = await listEtag(listUrl);
      const revoked = await post(`${a.base}/credentials/${encodeURIComponent(String(c.vc.id))}/revoke`, { reason: 'error' }, auth);
      if (revoked.status !== 200) throw new Error(`revocation through the first instance failed: ${JSON.stringify(revoked)}`);
      const at = performance.now();
      let verifyMs: number | undefined;
      let qrMs: number | undefined;
      let listMs: number | undefined;
      while ((verifyMs === undefined || qrMs === undefined || listMs === undefined) && performance.now() - at < 2 * PROPAGATION_BUDGET_MS) {
        if (listMs === undefined && (await listEtag(listUrl)) !== etagBefore) listMs = performance.now() - at;
        if (verifyMs === undefined) {
          const r = await post(`${b.base}/credentials/verify`, { verifiableCredential: c.vc });
          if (r.json?.verified === false && JSON.stringify(r.json).includes('revoked')) verifyMs = performance.now() - at;
        }
        if (qrMs === undefined) {
          const r = await post(`${b.base}/verify/qr`, { payload: payloads[i] });
          if (statusCode(r.json?.checks) === 'revoked') qrMs = performance.now() - at;
        }
        if (verifyMs === undefined || qrMs === undefined || listMs === undefined) await sleep(50);
      }
      viaVerify.push(verifyMs ?? Infinity);
      viaQr.push(qrMs ?? Infinity);
      viaList.push(listMs ?? Infinity);
    }
    const within = (xs: number[]) => xs.filter((x) => x <= PROPAGATION_BUDGET_MS).length;
    const max = (xs: number[]) => Math.max(...xs);
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    Object.assign(figures, {
      instances_revoked: victims.length,
      instances_refused_verify_within_5s: within(viaVerify),
      instances_refused_qr_within_5s: within(viaQr),
      instances_status_list_changed_within_5s: within(viaList),
      instances_propagation_status_list_max_ms: max(viaList),
      instances_propagation_verify_median_ms: median(viaVerify),
      instances_propagation_verify_max_ms: max(viaVerify),
      instances_propagation_qr_median_ms: median(viaQr),
      instances_propagation_qr_max_ms: max(viaQr),
    });
    process.stdout.write(`revoked ${victims.length} through the first; refused by the second within 5 s: /credentials/verify ${within(viaVerify)}, /verify/qr ${within(viaQr)}; its /status list changed: ${within(viaList)}\n`);
    const ms = (xs: number[]) => xs.map((x) => Math.round(x)).join(' ');
    process.stdout.write(`  /credentials/verify ms: ${ms(viaVerify)}\n  /verify/qr ms:          ${ms(viaQr)}\n  /status/<list> ms:      ${ms(viaList)}\n`);
    return figures;
  } finally {
    await Promise.all(instances.map(stop));
    await db.destroy();
    const c = new pg.Client({ connectionString: SERVER });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}
