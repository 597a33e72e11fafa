import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The OpenAPI fuzz (tests/helpers/fuzz.ts) at a larger size: every operation, every kind of caller, malformed,
 * boundary and hostile values; counts requests, 5xx answers, hangs and refusals without a code of the error table,
 * on SQLite and, when TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL too. TANDA_FUZZ_RUNS sets the
 * requests per operation (default 200), TANDA_FUZZ_SEED the seed.
 *
 * Each database runs in a child process: the test helpers read TEST_DATABASE_URL once, when they are loaded.
 */
const HANG_MS = 30_000;
const self = fileURLToPath(import.meta.url);

interface Figures {
  requests: number;
  server_errors: number;
  hangs: number;
  uncoded_4xx: number;
  seconds: number;
}

async function child(): Promise<void> {
  const { createFuzzWorld, fuzzSettings } = await import('../tests/helpers/fuzz-world.js');
  const { sendAll } = await import('../tests/helpers/fuzz.js');
  const { runs, seed } = fuzzSettings(200);
  const world = await createFuzzWorld();
  const requests = await world.generate(seed, runs);
  const started = performance.now();
  const outcome = await sendAll(world.t.app, requests, HANG_MS);
  const seconds = (performance.now() - started) / 1000;
  await world.t.close();
  // What failed goes to stderr, for whoever runs the bench to reproduce with the seed; the figures to stdout.
  for (const f of [...outcome.serverErrors, ...outcome.hangs, ...outcome.uncoded]) process.stderr.write(`${JSON.stringify(f)}\n`);
  const figures: Figures = { requests: outcome.tried, server_errors: outcome.serverErrors.length, hangs: outcome.hangs.length, uncoded_4xx: outcome.uncoded.length, seconds };
  process.stdout.write(JSON.stringify(figures));
}

async function runOn(dialect: 'sqlite' | 'postgres'): Promise<Record<string, number>> {
  const env = { ...process.env };
  if (dialect === 'sqlite') delete env.TEST_DATABASE_URL;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [...process.execArgv, self, '--child'], { env, maxBuffer: 64 * 1024 * 1024 });
  if (stderr.trim()) process.stderr.write(stderr);
  const figures = JSON.parse(stdout.trim().split('\n').pop()!) as Figures;
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [`fuzz_${dialect}_${k}`, v]));
}

export async function benchFuzz(): Promise<Record<string, number>> {
  const figures = await runOn('sqlite');
  if (process.env.TEST_DATABASE_URL) Object.assign(figures, await runOn('postgres'));
  else process.stdout.write('fuzz: PostgreSQL skipped (set TEST_DATABASE_URL to a database to run it there as well)\n');
  return figures;
}

if (process.argv[1] === self && process.argv.includes('--child')) await child();
