import { benchCertificatePipeline } from './certificate-pipeline.js';
import { benchCertificates } from './certificates.js';
import { benchCredentials } from './credentials.js';
import { benchFuzz } from './fuzz.js';
import { benchQr } from './qr.js';
import { benchStatus } from './status.js';
import { benchVerifier } from './verifier.js';

/**
 * `npm run bench`: every benchmark prints its figures as it goes, and the run ends with ONE line of JSON holding
 * every figure (name → number) so runs can be compared mechanically.
 */
type Bench = [name: string, run: () => Promise<Record<string, number>>];

const benches: Bench[] = [
  ['credentials', () => benchCredentials()],
  ['qr', () => benchQr()],
  ['status', () => benchStatus()],
  ['certificates', async () => ({ ...(await benchCertificates()), ...(await benchCertificatePipeline()) })],
  ['verifier', () => benchVerifier()],
  ['fuzz', () => benchFuzz()],
];

const only = process.argv.slice(2);
const all: Record<string, number> = {};
for (const [name, run] of benches) {
  if (only.length && !only.includes(name)) continue;
  const figures = await run();
  for (const [k, v] of Object.entries(figures)) {
    const rounded = Math.round(v * 100) / 100;
    all[k] = rounded;
    process.stdout.write(`${k.padEnd(48)} ${rounded}\n`);
  }
}
process.stdout.write(`${JSON.stringify(all)}\n`);
