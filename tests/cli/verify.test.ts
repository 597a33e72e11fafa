import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderCertificate } from '../../src/certificates/render.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { sampleView } from '../certificates/fixtures/views.js';
import { buildVectorSet, HOLDER, type VectorSet } from '../verifier/fixtures.js';

let set: VectorSet;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-cli-verify-'));
const file = (name: string) => path.join(dir, name);

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await verifyCommand(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('tanda verify (offline, no database)', () => {
  beforeAll(async () => {
    set = await buildVectorSet();
    fs.writeFileSync(file('bundle.json'), JSON.stringify(set.bundle));
    const payload = (name: string) => set.vectors.find((v) => v.name === name)!.payload;
    fs.writeFileSync(file('certificate.pdf'), await renderCertificate(sampleView('fil', { qrPayload: payload('valid'), holderName: HOLDER })));
    fs.writeFileSync(file('revoked.txt'), `${payload('revoked')}\n`);
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const common = () => ['--bundle', file('bundle.json'), '--authority', set.authority];

  it('reads the QR code of a certificate PDF and exits 0 for VALID, with a human report', async () => {
    const r = await run([file('certificate.pdf'), ...common()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\s*VALID$/m);
    expect(r.out).toContain(HOLDER);
    expect(r.out).toMatch(/PQF 2/);
    expect(r.out).toMatch(/2 \(official\)/);
  }, 60_000);

  it('exits 1 for a revoked certificate and says why, in the reader\'s language; --json gives the verdict', async () => {
    const human = await run([file('revoked.txt'), ...common(), '--lang', 'id']);
    expect(human.code).toBe(1);
    expect(human.out).toMatch(/TIDAK SAH/);
    expect(human.out).toMatch(/✗ Dicabut oleh penerbit/);
    const json = await run([file('revoked.txt'), ...common(), '--json']);
    expect(json.code).toBe(1);
    const verdict = JSON.parse(json.out) as { verdict: string; checks: Array<{ code?: string }> };
    expect(verdict.verdict).toBe('INVALID');
    expect(verdict.checks.map((c) => c.code)).toContain('revoked');
  });

  it('refuses verification data from another authority (exit 2)', async () => {
    fs.writeFileSync(file('foreign.json'), JSON.stringify(set.foreignBundle));
    const r = await run([file('revoked.txt'), '--bundle', file('foreign.json'), '--authority', set.authority]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/trust_bundle_invalid/);
  });
});
