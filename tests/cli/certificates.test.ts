import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueAward } from '../../src/awards/award-service.js';
import { certificatesCommand } from '../../src/cli/certificates.js';
import { getQualification } from '../../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { actualTextSpans, openPdf } from '../helpers/pdf-inspect.js';

let t: TestContext;
let officer: string;
const ids: string[] = [];

beforeAll(async () => {
  t = await createTestContext();
  officer = (await t.login('certifying_officer')).userId;
  await seedRegistry(t.db.kysely, { issuers: [t.issuer.id] });
  const q = (await getQualification(t.db.kysely, 'https://tanda.example/qualifications/ph-housekeeping-nc2'))!;
  for (const name of ['Ana Reyes', 'Bea Santos', 'Carla Cruz']) {
    const award = await issueAward(t.services, { issuerId: t.issuer.id, qualificationId: q.id, achievedUnitIds: q.units.map((u) => u.unitId), holder: { name } });
    ids.push(String(award.credential.id));
  }
});
afterAll(async () => t.close());

describe('tanda certificates', () => {
  it('batch prints a cohort into one PDF, one page each, reporting progress', async () => {
    const out = path.join(t.dataDir, 'cohort.pdf');
    const progress = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await certificatesCommand(['batch', '--issuer', t.issuer.id, '--out', out, '--as', officer], t.services);
    const said = progress.mock.calls.map((c) => String(c[0])).join('');
    progress.mockRestore();
    stdout.mockRestore();
    expect(code).toBe(0);
    expect(said).toContain('certificates 3/3');
    expect(openPdf(fs.readFileSync(out)).countPages()).toBe(3);
  });

  it('batch to a .zip renders one PDF per certificate on the render pool, in order, reporting progress', async () => {
    const out = path.join(t.dataDir, 'cohort.zip');
    const progress = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await certificatesCommand(['batch', ...ids, '--out', out, '--as', officer], t.services);
    const said = progress.mock.calls.map((c) => String(c[0])).join('');
    progress.mockRestore();
    stdout.mockRestore();
    expect(code).toBe(0);
    expect(said).toContain('certificates 3/3');
    const files = Object.entries(unzipSync(fs.readFileSync(out)));
    expect(files.map(([name]) => name)).toEqual(ids.map((id, i) => `${i + 1}-${id.replace(/^urn:uuid:/, '').toUpperCase()}.pdf`));
    for (const [[, pdf], holder] of files.map((f, i) => [f, ['Ana Reyes', 'Bea Santos', 'Carla Cruz'][i]] as const)) {
      expect(openPdf(pdf).countPages()).toBe(1);
      expect(actualTextSpans(pdf).map((s) => s.text)).toContain(holder);
    }
  });

  it('print writes one certificate; bad input exits non-zero with usage', async () => {
    const out = path.join(t.dataDir, 'one.pdf');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await certificatesCommand(['print', ids[0]!, '--out', out, '--paper', 'Letter', '--as', officer], t.services)).toBe(0);
    expect(await certificatesCommand(['print'], t.services)).toBe(2);
    await expect(certificatesCommand(['print', ids[0]!, '--paper', 'A5', '--as', officer], t.services)).rejects.toThrow(/--paper/);
    stdout.mockRestore();
    stderr.mockRestore();
    expect(fs.readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('prints only as a staff account of the issuing body: the operator and another body\'s staff see no certificate', async () => {
    const out = path.join(t.dataDir, 'refused.pdf');
    const stranger = (await t.login('certifying_officer', { issuerId: null })).userId;
    await expect(certificatesCommand(['print', ids[0]!, '--out', out], t.services)).rejects.toMatchObject({ code: 'not_found' });
    await expect(certificatesCommand(['print', ids[0]!, '--out', out, '--as', stranger], t.services)).rejects.toMatchObject({ code: 'not_found' });
    await expect(certificatesCommand(['batch', ...ids, '--out', out, '--as', stranger], t.services)).rejects.toMatchObject({ code: 'not_found' });
    // Without ids the batch is filtered to the account's body: another body's staff match nothing.
    await expect(certificatesCommand(['batch', '--issuer', t.issuer.id, '--out', out, '--as', stranger], t.services)).rejects.toThrow(/no certificate matches/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
