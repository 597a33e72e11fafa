import { benchCertificatePipeline } from './certificate-pipeline.js';
import { benchCertificates } from './certificates.js';
import { benchConsole } from './console.js';
import { benchCrash } from './crash.js';
import { benchCredentials } from './credentials.js';
import { benchInstances } from './instances.js';
import { benchOperations } from './operations.js';
import { benchLoad, benchLoadQr } from './load.js';
import { benchFuzz } from './fuzz.js';
import { benchQr } from './qr.js';
import { benchStatus } from './status.js';
import { benchMe } from './me.js';
import { benchVerifier } from './verifier.js';
import { benchWallets } from './wallets.js';

/**
 * `npm run bench`: every benchmark prints its figures as it goes, and the run ends with ONE line of JSON holding
 * every figure (name → number) so runs can be compared mechanically.
 */
/** `needs`: 'postgres' runs only when named or with BENCH_DATABASE_URL; 'named' only when named (a part of another). */
type Bench = [name: string, run: () => Promise<Record<string, number>>, needs?: 'postgres' | 'named'];

const benches: Bench[] = [
  ['credentials', () => benchCredentials()],
  ['qr', () => benchQr()],
  ['status', () => benchStatus()],
  ['certificates', async () => ({ ...(await benchCertificates()), ...(await benchCertificatePipeline()) })],
  ['verifier', () => benchVerifier()],
  ['crash', () => benchCrash()],
  ['wallets', () => benchWallets()],
  // Two server processes on a PostgreSQL database of their own: run when named, or when BENCH_DATABASE_URL is set.
  ['instances', () => benchInstances(), 'postgres'],
  ['operations', () => benchOperations()],
  ['me', () => benchMe()],
  ['console', () => benchConsole()],
  ['load', () => benchLoad()],
  // The /verify/qr part of `load` alone, for comparing the main thread's cost per scan across changes.
  ['load-qr', () => benchLoadQr(), 'named'],
  ['fuzz', () => benchFuzz()],
];

const only = process.argv.slice(2);
const all: Record<string, number> = {};
for (const [name, run, needs] of benches) {
  if (only.length ? !only.includes(name) : needs === 'named' || (needs === 'postgres' && !process.env.BENCH_DATABASE_URL)) continue;
  const figures = await run();
  for (const [k, v] of Object.entries(figures)) {
    const rounded = Math.round(v * 100) / 100;
    all[k] = rounded;
    process.stdout.write(`${k.padEnd(48)} ${rounded}\n`);
  }
}
process.stdout.write(`${JSON.stringify(all)}\n`);
