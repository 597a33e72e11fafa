import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../src/auth/tokens.js';
import { issueAward } from '../../src/awards/award-service.js';
import { openAndMigrate } from '../../src/bootstrap.js';
import { settlePublicUrl } from '../../src/deployment/public-url.js';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { demoLogo, demoSeal, demoSignature } from '../../src/demo/profile-images.js';
import { getQualification } from '../../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { setIssuerProfile } from '../../src/issuers/profile.js';
import { createServices } from '../../src/services.js';
import { captured } from '../helpers/cli.js';
import { setEnv, withEnv } from '../helpers/env.js';
import { actualTextSpans, tagging } from '../helpers/pdf-inspect.js';

/**
 * The deployment runs with TANDA_PUBLIC_URL; an operator later prints a certificate with `tanda certificates print`
 * in a shell without it. The printed verify link must be the deployment's, not http://localhost:3000 (issue 13).
 * The CLI opens its own database from the environment, so this runs on a SQLite file in a temporary data directory.
 */
const PUBLIC_URL = 'https://verify.tesda.example';
let restoreEnv: () => void;
let dataDir: string;
let credentialId: string;
let officerId: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-url-'));
  restoreEnv = setEnv({ DATABASE_URL: undefined, TANDA_PUBLIC_URL: undefined, TANDA_AS: undefined, TANDA_DATA_DIR: dataDir, TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64') });
  // The server's start: configured public URL.
  const loaded = loadConfig({ ...process.env, TANDA_PUBLIC_URL: PUBLIC_URL });
  const db = await openAndMigrate(loaded);
  try {
    const config = await settlePublicUrl(db, loaded);
    const services = createServices(config, db);
    await createIssuer(db.kysely, services.keys, config.publicUrl, { id: 'ph-body', name: 'TESDA Test Region', country: 'PH', didMethod: 'key' });
    await seedRegistry(db.kysely, { issuers: ['ph-body'] });
    await setIssuerProfile(db.kysely, 'ph-body', { signatoryName: 'Rosanna A. Urdaneta', signatoryTitle: 'Regional Director', logo: demoLogo('TT'), seal: demoSeal(), signature: demoSignature(4) }, 'test');
    officerId = (await createUser(db.kysely, { name: 'Officer', role: 'certifying_officer', issuerId: 'ph-body' })).id;
    const q = (await getQualification(db.kysely, 'https://tanda.example/qualifications/ph-housekeeping-nc2'))!;
    const award = await issueAward(services, { id: officerId, role: 'certifying_officer', issuerId: 'ph-body' }, { issuerId: 'ph-body', qualificationId: q.id, achievedUnitIds: q.units.map((u) => u.unitId), holder: { name: 'Ana Reyes' } });
    credentialId = String(award.credential.id);
  } finally {
    await db.destroy();
  }
});
afterAll(() => {
  restoreEnv();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the public URL printed by the CLI', () => {
  it('is the deployment\'s configured URL, also from a shell without TANDA_PUBLIC_URL, with the body\'s profile on the page', async () => {
    expect(process.env.TANDA_PUBLIC_URL).toBeUndefined();
    const out = path.join(dataDir, 'printed.pdf');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['certificates', 'print', credentialId, '--out', out, '--as', officerId]);
    const said = stderr.mock.calls.map((c) => String(c[0])).join('');
    stdout.mockRestore();
    stderr.mockRestore();
    expect(code, said).toBe(0);
    const pdf = fs.readFileSync(out);
    const text = actualTextSpans(pdf).map((s) => s.text);
    expect(text).toContain(`${PUBLIC_URL}/verify`);
    expect(text.join(' ')).not.toContain('localhost');
    expect(text).toEqual(expect.arrayContaining(['Rosanna A. Urdaneta', 'Regional Director']));
    expect(tagging(pdf).figureAlts).toEqual(expect.arrayContaining(['Logo of TESDA Test Region', 'Seal of TESDA Test Region']));
  });

  it('a process started with another TANDA_PUBLIC_URL is refused, naming both URLs; one started without it runs under the recorded one', async () => {
    const loaded = loadConfig({ ...process.env, TANDA_PUBLIC_URL: 'https://moved.example/' });
    const db = await openAndMigrate(loaded);
    try {
      const refused = await settlePublicUrl(db, loaded).then(() => undefined, (e: Error) => e.message);
      expect(refused).toContain('https://moved.example');
      expect(refused).toContain(PUBLIC_URL);
      expect(refused).toContain('tanda deployment set-public-url');
      expect((await settlePublicUrl(db, loadConfig(process.env))).publicUrl).toBe(PUBLIC_URL);
    } finally {
      await db.destroy();
    }
  });

  it('the operator moves the deployment deliberately: refused while credentials name the old URL, then forced; other commands under the old setting are refused', async () => {
    await withEnv({ TANDA_PUBLIC_URL: 'https://moved.example' }, async () => {
      const other = await captured(() => main(['status', 'history', credentialId, '--as', officerId]));
      expect(other.value).toBe(1);
      expect(other.err).toContain(`TANDA_PUBLIC_URL is https://moved.example, but this deployment's public URL is ${PUBLIC_URL}`);
      const refused = await captured(() => main(['deployment', 'set-public-url', 'https://moved.example']));
      expect(refused.value).toBe(1);
      expect(refused.err).toContain(`conflict: 1 credential(s) name ${PUBLIC_URL}`);
      const forced = await captured(() => main(['deployment', 'set-public-url', 'https://moved.example', '--force']));
      expect(forced.value).toBe(0);
      expect(forced.err).toContain('warning: 1 credential(s) still name');
      expect((await captured(() => main(['deployment', 'show']))).out).toMatch(/^https:\/\/moved\.example {2}\(recorded .*, changed by cli:/);
    });
  });
});
