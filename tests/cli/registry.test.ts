import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registryCommand } from '../../src/cli/registry.js';
import { getQualificationByCode } from '../../src/frameworks/catalogue-repository.js';
import { listMappingTables } from '../../src/frameworks/framework-repository.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;
let dir: string;

/** Runs the command and returns its exit code with what it printed. */
async function run(argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
  try {
    const code = await registryCommand(argv, t.services);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const write = (name: string, content: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};

beforeAll(async () => {
  t = await createTestContext();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-registry-cli-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
});

describe(`tanda registry on ${testDialect}`, () => {
  it('loads the frameworks once', async () => {
    expect(await run(['load-frameworks'])).toMatchObject({ code: 0, stdout: 'loaded 12 framework(s)\n' });
    expect((await run(['load-frameworks'])).stdout).toBe('loaded 0 framework(s)\n');
  });

  it('imports a CSV mapping table with metadata from flags', async () => {
    const file = write('pqf.csv', 'national_level,aqrf_level\n1,1\n2,2\n');
    const r = await run(['import-mapping', file, '--framework', 'ph-pqf', '--status', 'provisional', '--source', 'CLI test', '--valid-from', '2099-01-01', '--id', 'ph-pqf-cli']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/imported provisional mapping table ph-pqf-cli for ph-pqf: 2 level\(s\)/);
    expect((await listMappingTables(t.db.kysely)).map((m) => m.id)).toEqual(['ph-pqf-cli']);
  });

  it('prints every row error of a bad file and exits 1', async () => {
    const file = write('bad.json', JSON.stringify({ frameworkId: 'ph-pqf', status: 'official', source: 'x', validFrom: '2099-06-01', entries: [{ nationalLevel: 1, aqrfLevel: 0 }, { nationalLevel: 1, aqrfLevel: 1 }] }));
    const r = await run(['import-mapping', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('file citation: an official table needs the citation');
    expect(r.stderr).toContain('row 1 aqrfLevel: must be an integer from 1 to 8');
    expect(r.stderr).toContain('row 2 nationalLevel: level 1 is mapped twice (first on row 1)');
  });

  it('imports a catalogue JSON, marked demo on request', async () => {
    const file = write('cat.json', JSON.stringify({
      units: [{ code: 'CLI-U1', titles: { en: 'Unit', th: 'หน่วย' }, scheme: 'TEST' }],
      qualifications: [{ slug: 'cli-q1', code: 'CLI-Q1', titles: { en: 'CLI qualification' }, frameworkId: 'mm-nssa-nsqf', nationalLevel: 1, sector: 'Construction', core: ['CLI-U1'] }],
    }));
    expect((await run(['import-catalogue', file, '--demo'])).stdout).toBe('imported 1 qualification(s) and 1 unit(s); 0 already present\n');
    expect(await getQualificationByCode(t.db.kysely, 'CLI-Q1')).toMatchObject({ country: 'MM', demo: true });
  });

  it('prints the snapshot as JSON, and usage for an unknown command', async () => {
    const snap = JSON.parse((await run(['snapshot'])).stdout);
    expect(snap).toMatchObject({ version: 1, frameworks: expect.any(Array), mappingTables: [{ id: 'ph-pqf-cli' }] });
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: tanda registry');
  });
});
