import crypto from 'node:crypto';
import path from 'node:path';
import { createApiToken, createUser, tokenExpiry } from '../auth/tokens.js';
import { hashPassword } from '../rpl/passwords.js';
import type { AwardDeps } from '../awards/award-service.js';
import type { CertificateService } from '../certificates/certificate-service.js';
import type { Executor } from '../db/database.js';
import type { Config } from '../config.js';
import { seedRegistry } from '../frameworks/seed.js';
import { writePrivateFile } from '../data-dir.js';
import { withDeploymentLock } from '../db/deployment-lock.js';
import { AUTHORITY_FILE, BUNDLE_FILE } from '../trust/files.js';
import { trustBundleService, type TrustDeps } from '../trust/service.js';
import { createIssuer, findIssuer } from '../issuers/issuers.js';
import { seedCertifiedDemoCase, seedDemoRplCase } from '../rpl/demo.js';
import { setIssuerProfile } from '../issuers/profile.js';
import { demoLogo, demoSeal, demoSignature } from './profile-images.js';
import type { RplContext } from '../rpl/context.js';

/** Demo certifying bodies; clearly named as demo so no one mistakes them for the real agencies. */
export const DEMO_ISSUERS = [
  { id: 'ph-tesda-demo', name: 'TESDA National Capital Region (demo)', country: 'PH', didMethod: 'key' as const },
  { id: 'id-lsp-demo', name: 'LSP Perhotelan Nusantara (demo)', country: 'ID', didMethod: 'key' as const },
];

/** Their certificate profiles: demo signatories and images drawn in code (src/demo/profile-images.ts). */
const DEMO_PROFILES: Record<string, { signatoryName: string; signatoryTitle: string; initials: string; color: string; seal: string; seed: number }> = {
  'ph-tesda-demo': { signatoryName: 'Maria Clara Villanueva (demo)', signatoryTitle: 'Regional Director (demo)', initials: 'TN', color: '#1f3a5f', seal: '#1f3a5f', seed: 3 },
  'id-lsp-demo': { signatoryName: 'Dewi Kartika Sari (demo)', signatoryTitle: 'Ketua LSP · Chair (demo)', initials: 'LP', color: '#7f1d1d', seal: '#9a3412', seed: 11 },
};

/** What seeding needs (a narrow view of the composition root). */
export type DemoDeps = AwardDeps &
  TrustDeps & {
    config: Pick<Config, 'publicUrl' | 'dataDir' | 'masterKey' | 'tokenTtlDays'>;
    certificates: Pick<CertificateService, 'pdf'>;
    rpl: RplContext;
    publishTypeTables(ex?: Executor): Promise<number[]>;
  };

export interface DemoResult {
  lines: string[];
}

/**
 * Seeds a fresh data directory once (marked in `meta`): demo certifying bodies with keys, one staff account per
 * role with an API token printed once, and whatever the domain modules add. A second start changes nothing.
 */
export async function seedDemo(services: DemoDeps): Promise<DemoResult> {
  const { db, keys, config } = services;
  const seededBefore = await db.kysely.selectFrom('meta').select('value').where('key', '=', 'demo_seeded').executeTakeFirst();
  if (seededBefore) return { lines: [`demo data       seeded on ${seededBefore.value}`] };
  const lines: string[] = ['demo data       (TANDA_SEED_DEMO=false to skip)'];
  // Checked again and seeded under the deployment lock: of instances started together on a fresh database, one seeds.
  const seededOn = await withDeploymentLock(db, async (tx) => {
    const done = await tx.selectFrom('meta').select('value').where('key', '=', 'demo_seeded').executeTakeFirst();
    if (done) return done.value;
    for (const issuer of DEMO_ISSUERS) {
      if (!(await findIssuer(tx, issuer.id))) await createIssuer(tx, keys, config.publicUrl, issuer);
      const p = DEMO_PROFILES[issuer.id]!;
      await setIssuerProfile(
        tx,
        issuer.id,
        { signatoryName: p.signatoryName, signatoryTitle: p.signatoryTitle, logo: demoLogo(p.initials, p.color), seal: demoSeal(p.seal), signature: demoSignature(p.seed) },
        'demo-seed',
      );
    }
    const staff = [
      { name: 'Maria Santos (demo certifying officer)', role: 'certifying_officer' as const, issuerId: 'ph-tesda-demo', email: 'maria.santos@tesda-demo.example' },
      { name: 'Jose Reyes (demo assessor)', role: 'assessor' as const, issuerId: 'ph-tesda-demo', email: 'jose.reyes@tesda-demo.example' },
      { name: 'Ana Cruz (demo moderator)', role: 'moderator' as const, issuerId: 'ph-tesda-demo', email: 'ana.cruz@tesda-demo.example' },
    ];
    for (const s of staff) {
      // A password of its own for the staff console, random and shown once like the token: a demo that is left
      // running somewhere reachable has no well-known password to guess.
      const password = crypto.randomBytes(9).toString('base64url');
      const user = await createUser(tx, { ...s, passwordHash: await hashPassword(password) });
      const token = await createApiToken(tx, user.id, 'demo', { expiresAt: tokenExpiry(config.tokenTtlDays) });
      lines.push(`  ${s.role.padEnd(20)} token ${token}`, `  ${''.padEnd(20)} console ${s.email} / ${password}`);
    }
    await seedRegistry(tx, { issuers: DEMO_ISSUERS.map((i) => i.id) });
    await services.publishTypeTables(tx);
    await tx.insertInto('meta').values({ key: 'demo_seeded', value: new Date().toISOString() }).execute();
    return undefined;
  });
  if (seededOn) return { lines: [`demo data       seeded on ${seededOn}`] };
  const rplLines = (await seedDemoRplCase(services.rpl)).lines;
  const certificate = await issueDemoCertificate(services);
  lines.push(`demo certificate ${certificate}`);
  lines.push(...rplLines);
  return { lines };
}

/**
 * A returnee's certificate, issued and printed on first start so a newcomer holds a real one within a minute. It is
 * the award of a demo case certified through the workflow: no credential of the catalogue is issued any other way.
 */
async function issueDemoCertificate(services: DemoDeps): Promise<string> {
  const award = await seedCertifiedDemoCase(services.rpl);
  const stored = await services.credentials.find(award.credentialId);
  if (!stored) throw new Error('demo credential was not stored');
  const file = path.join(services.config.dataDir, 'certificates', 'demo-certificate.pdf');
  writePrivateFile(file, await services.certificates.pdf(stored));
  // This instance's own verification data, so `tanda verify` on the demo certificate works offline right away.
  const { text, bundle } = await trustBundleService(services).current();
  writePrivateFile(path.join(services.config.dataDir, BUNDLE_FILE), text);
  writePrivateFile(path.join(services.config.dataDir, AUTHORITY_FILE), `${bundle.authority}\n`);
  return file;
}
