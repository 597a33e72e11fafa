import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderCertificate } from '../../src/certificates/render.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { sampleView } from '../certificates/fixtures/views.js';
import { buildVectorSet, HOLDER, type VectorSet } from '../verifier/fixtures.js';
import { serveVerifier } from '../web/helpers.js';
import { setEnv } from '../helpers/env.js';

let set: VectorSet;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-cli-verify-'));
const file = (name: string) => path.join(dir, name);
let registry: { app: FastifyInstance; url: string; setBundle(b: VectorSet['bundle']): void };

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const restoreEnv = setEnv(env);
  try {
    return { code: await verifyCommand(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    restoreEnv();
  }
}

describe('tanda verify (offline, no database)', () => {
  const payload = (name: string) => set.vectors.find((v) => v.name === name)!.payload;
  beforeAll(async () => {
    set = await buildVectorSet();
    fs.writeFileSync(file('bundle.json'), JSON.stringify(set.bundle));
    fs.writeFileSync(file('stale.json'), JSON.stringify(set.staleBundle));
    fs.writeFileSync(file('certificate.pdf'), await renderCertificate(sampleView('fil', { qrPayload: payload('valid'), holderName: HOLDER })));
    for (const name of ['revoked', 'tampered', 'newer than the data', 'status list out of date', 'provisional AQRF level']) fs.writeFileSync(file(`${name}.txt`), `${payload(name)}\n`);
    registry = await serveVerifier(set.bundle);
  }, 60_000);
  afterAll(async () => {
    await registry?.app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const common = (bundle = 'bundle.json') => ['--bundle', file(bundle), '--authority', set.authority];

  it('reads the QR code of a certificate PDF and exits 0 for VALID, the verdict and its reason first', async () => {
    const r = await run([file('certificate.pdf'), ...common()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('VALID');
    expect(lines[1]).toMatch(/^\s*Genuine: issued by TESDA Test Region/);
    expect(r.out).toContain(HOLDER);
    expect(r.out).toMatch(/PQF 2/);
    expect(r.out).toMatch(/2 \(official\)/);
  }, 60_000);

  it('a provisional AQRF mapping is VALID (exit 0), said beside the level', async () => {
    const r = await run([file('provisional AQRF level.txt'), ...common()]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')[0]).toBe('VALID');
    expect(r.out).toMatch(/AQRF level\s+4 \(provisional/);
  });

  it('exits 1 for a revoked certificate and says why, in the reader\'s language; --json gives the verdict', async () => {
    const human = await run([file('revoked.txt'), ...common(), '--lang', 'id']);
    expect(human.code).toBe(1);
    expect(human.out.trim().split('\n')[0]).toBe('TIDAK SAH');
    expect(human.out).toMatch(/✗ Dicabut oleh penerbit/);
    const json = await run([file('revoked.txt'), ...common(), '--json']);
    expect(json.code).toBe(1);
    const verdict = JSON.parse(json.out) as { verdict: string; claimsConfirmed: boolean; checks: Array<{ code?: string }> };
    expect(verdict).toMatchObject({ verdict: 'INVALID', claimsConfirmed: false });
    expect(verdict.checks.map((c) => c.code)).toContain('revoked');
  });

  it('prints a forged certificate\'s claims only under "NOT confirmed", with no ticks, after the reason', async () => {
    const r = await run([file('tampered.txt'), ...common()]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('INVALID');
    expect(lines[1]).toMatch(/altered or forged/);
    const claims = lines.findIndex((l) => /What this certificate claims \(NOT confirmed\)/.test(l));
    expect(claims).toBeGreaterThan(1);
    expect(lines.findIndex((l) => l.includes('Someone Else Entirely'))).toBeGreaterThan(claims);
    expect(r.out).not.toContain('✓');
    expect(r.out).not.toMatch(/Not revoked as of/);
  });

  it('exits 3 for VALID WITH WARNINGS, distinct from a forgery', async () => {
    const r = await run([file('status list out of date.txt'), ...common()]);
    expect(r.code).toBe(3);
    expect(r.out.trim().split('\n')[0]).toBe('VALID WITH WARNINGS');
    expect(r.out.trim().split('\n')[1]).toMatch(/status information is out of date/);
  });

  it('a certificate newer than the data: CANNOT CHECK YET, exit 2, how to fix it; --update fetches newer data and it is VALID', async () => {
    fs.copyFileSync(file('bundle.json'), file('held.json'));
    const before = await run([file('newer than the data.txt'), ...common('held.json')]);
    expect(before.code).toBe(2);
    expect(before.out.trim().split('\n')[0]).toBe('CANNOT CHECK YET');
    expect(before.err).toMatch(/tanda verify --update/);

    // An update from a registry that has nothing newer keeps the data held.
    const same = await run(['--update', ...common('held.json')], { TANDA_PUBLIC_URL: registry.url });
    expect(same.code).toBe(0);
    expect(same.err).toMatch(/up to date/);

    registry.setBundle(set.newerBundle);
    const after = await run([file('newer than the data.txt'), '--update', ...common('held.json')], { TANDA_PUBLIC_URL: registry.url });
    expect(after.err).toMatch(/Verification data updated/);
    expect(after.code).toBe(0);
    expect(after.out.trim().split('\n')[0]).toBe('VALID');
    expect(JSON.parse(fs.readFileSync(file('held.json'), 'utf8')).serial).toBe(set.newerBundle.serial);

    // An older bundle served later never replaces newer data held.
    registry.setBundle(set.bundle);
    const older = await run(['--update', '--url', registry.url, ...common('held.json')]);
    expect(older.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file('held.json'), 'utf8')).serial).toBe(set.newerBundle.serial);
  });

  it('says when its data is stale and how to update it', async () => {
    const r = await run([file('revoked.txt'), ...common('stale.json')]);
    expect(r.err).toMatch(/out of date \(20 days old.*tanda verify --update/);
  });

  it('refuses verification data from another authority (exit 2), also when fetched with --update', async () => {
    fs.writeFileSync(file('foreign.json'), JSON.stringify(set.foreignBundle));
    const r = await run([file('revoked.txt'), '--bundle', file('foreign.json'), '--authority', set.authority]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/trust_bundle_invalid/);
    registry.setBundle(set.foreignBundle);
    fs.copyFileSync(file('bundle.json'), file('held2.json'));
    const u = await run(['--update', '--url', registry.url, ...common('held2.json')]);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/trust_bundle_invalid/);
    expect(JSON.parse(fs.readFileSync(file('held2.json'), 'utf8')).serial).toBe(set.bundle.serial);
    registry.setBundle(set.bundle);
  });
});
