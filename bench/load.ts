import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

/*
 * `npm run bench load`: the HTTP verify path under load, against a server in its own process (bench/load-server.ts).
 *  (a) the 38,000-subject credential of issue #16: how fast it is refused, and verify's p99 with and without 20 of
 *      them arriving during steady load;
 *  (b) POST /credentials/verify at 50 connections with 1 and 2 pool workers: throughput, p99, errors, the server's
 *      RSS before/during/after, its event-loop delay (perf_hooks monitorEventLoopDelay) while the pool is full, and
 *      its CPU time per request (whole process, and the main thread alone on Linux).
 *  (c) POST /verify/qr with a certificate's QR text (VALID against the instance's own trust bundle) at 20 connections
 *      with 2 workers: the same figures. Main-thread CPU per request is the one to compare across changes: it is what
 *      the event loop spends on a scan, whatever else shares the machine. `npm run bench load-qr` runs this part alone.
 * TANDA_BENCH_LOAD_SECONDS shortens the 60 s runs for a quick check.
 */

interface Stats {
  rssMb: number;
  cpuMs: number;
  mainThreadCpuMs: number | null;
  lag: { p50: number; p99: number; max: number };
  pool: { size: number; workers: number; running: number; queued: number } | null;
}

interface Server {
  port: number;
  credential: Record<string, unknown>;
  qrPayload: string;
  stats(): Promise<Stats>;
  resetLag(): Promise<void>;
  stop(): Promise<void>;
}

const SECONDS = Number(process.env.TANDA_BENCH_LOAD_SECONDS ?? 60);

async function startServer(workers: number): Promise<Server> {
  const child: ChildProcess = fork(new URL('./load-server.ts', import.meta.url), {
    execArgv: ['--max-semi-space-size=64', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, TANDA_VERIFY_WORKERS: String(workers) },
  });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`load server exited with code ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next<{ port: number; credential: Record<string, unknown>; qrPayload: string }>('ready');
  return {
    port: ready.port,
    credential: ready.credential,
    qrPayload: ready.qrPayload,
    async stats() {
      const reply = next<Stats>('stats');
      child.send({ type: 'stats' });
      return reply;
    },
    async resetLag() {
      const reply = next('reset');
      child.send({ type: 'reset' });
      await reply;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function load(server: Server, connections: number, seconds: number, route: 'credential' | 'qr' = 'credential') {
  return autocannon({
    url: `http://127.0.0.1:${server.port}${route === 'qr' ? '/verify/qr' : '/credentials/verify'}`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(route === 'qr' ? { payload: server.qrPayload } : { verifiableCredential: server.credential }),
  });
}

/**
 * The attack as sent (~0.9 MB, 38,000 credentialSubject entries: refused from its Content-Length), and the
 * same 38,000 entries packed into ~120 KB, which passes every body limit and is parsed before the bounds refuse it.
 */
function hostileBodies(credential: Record<string, unknown>): { asSent: string; compact: string } {
  const body = (credentialSubject: unknown[]) => JSON.stringify({ verifiableCredential: { ...credential, credentialSubject } });
  return {
    asSent: body(Array.from({ length: 38_000 }, (_, i) => ({ id: `urn:x:${String(i).padStart(8, '0')}` }))),
    compact: body(Array.from({ length: 38_000 }, () => ({}))),
  };
}

async function refusals(server: Server, body: string, name: string, out: Record<string, number>): Promise<void> {
  const single: Array<{ ms: number; status: number; code: string }> = [];
  for (let i = 0; i < 10; i++) single.push(await postHostile(server, body));
  const times = single.map((s) => s.ms).sort((a, b) => a - b);
  out[`load.${name}_kb`] = body.length / 1024;
  out[`load.${name}_refused_ms_median`] = times[Math.floor(times.length / 2)]!;
  out[`load.${name}_refused_ms_max`] = times[times.length - 1]!;
  out[`load.${name}_status`] = single[0]!.status;
  process.stdout.write(`38,000 subjects (${name}, ${Math.round(body.length / 1024)} KB): ${single[0]!.status} ${single[0]!.code}\n`);
}

async function postHostile(server: Server, body: string): Promise<{ ms: number; status: number; code: string }> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${server.port}/credentials/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = (await res.json()) as { code?: string };
  return { ms: performance.now() - t0, status: res.status, code: json.code ?? '' };
}

async function hostileSection(out: Record<string, number>): Promise<void> {
  const server = await startServer(Math.min(2, Math.max(1, Number(process.env.TANDA_VERIFY_WORKERS ?? 2))));
  try {
    const bodies = hostileBodies(server.credential);
    await load(server, 4, 2);
    await refusals(server, bodies.asSent, 'hostile_as_sent', out);
    await refusals(server, bodies.compact, 'hostile_compact', out);
    const body = bodies.compact;

    const seconds = Math.min(10, SECONDS);
    const baseline = await load(server, 10, seconds);
    out['load.steady_p99_ms'] = baseline.latency.p99;
    out['load.steady_rps'] = baseline.requests.average;
    const during = load(server, 10, seconds);
    await sleep((seconds * 1000) / 3);
    const attacks = await Promise.all(Array.from({ length: 20 }, () => postHostile(server, body)));
    const attacked = await during;
    out['load.under_attack_p99_ms'] = attacked.latency.p99;
    out['load.under_attack_rps'] = attacked.requests.average;
    // The compact form: the costlier one to refuse (it is parsed).
    out['load.attack_refused_4xx'] = attacks.filter((a) => a.status >= 400 && a.status < 500).length;
    out['load.attack_ms_max'] = Math.max(...attacks.map((a) => a.ms));
    out['load.steady_errors'] = baseline.errors + baseline.non2xx + attacked.errors + attacked.non2xx;
  } finally {
    await server.stop();
  }
}

async function throughputSection(out: Record<string, number>, workers: number, route: 'credential' | 'qr' = 'credential'): Promise<void> {
  const server = await startServer(workers);
  const key = route === 'qr' ? `load.qr_w${workers}` : `load.w${workers}`;
  const connections = route === 'qr' ? 20 : 50;
  try {
    if (route === 'qr') {
      const res = await fetch(`http://127.0.0.1:${server.port}/verify/qr`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload: server.qrPayload }) });
      const verdict = ((await res.json()) as { verdict?: string }).verdict;
      if (verdict !== 'VALID') throw new Error(`the bench certificate's QR text is ${verdict ?? res.status}, not VALID`);
    }
    out[`${key}.rss_before_mb`] = (await server.stats()).rssMb;
    await load(server, connections, Math.min(5, SECONDS), route);
    await server.resetLag();
    const start = await server.stats();
    const run = load(server, connections, SECONDS, route);
    await sleep((SECONDS * 1000) / 2);
    const mid = await server.stats();
    const result = await run;
    const end = await server.stats();
    out[`${key}.rps`] = result.requests.average;
    out[`${key}.p50_ms`] = result.latency.p50;
    out[`${key}.p99_ms`] = result.latency.p99;
    out[`${key}.errors`] = result.errors + result.timeouts + result.non2xx;
    out[`${key}.requests`] = result.requests.total;
    out[`${key}.rss_during_mb`] = mid.rssMb;
    out[`${key}.loop_lag_p99_ms`] = end.lag.p99;
    out[`${key}.loop_lag_max_ms`] = end.lag.max;
    out[`${key}.pool_workers`] = mid.pool?.workers ?? 0;
    // CPU per request holds still when other work shares the machine, where req/s and p99 do not: for A/B runs.
    out[`${key}.cpu_ms_per_request`] = (end.cpuMs - start.cpuMs) / result.requests.total;
    if (start.mainThreadCpuMs !== null && end.mainThreadCpuMs !== null) out[`${key}.main_thread_cpu_ms_per_request`] = (end.mainThreadCpuMs - start.mainThreadCpuMs) / result.requests.total;
    await sleep(5000);
    out[`${key}.rss_after_mb`] = (await server.stats()).rssMb;
  } finally {
    await server.stop();
  }
}

export async function benchLoad(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await hostileSection(out);
  for (const workers of [1, 2]) await throughputSection(out, workers);
  await throughputSection(out, 2, 'qr');
  return out;
}

export async function benchLoadQr(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await throughputSection(out, 2, 'qr');
  return out;
}
