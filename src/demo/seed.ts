import fs from 'node:fs';
import path from 'node:path';
import { createApiToken, createUser } from '../auth/tokens.js';
import { issueAward, type AwardDeps } from '../awards/award-service.js';
import type { CertificateService } from '../certificates/certificate-service.js';
import type { Config } from '../config.js';
import { getQualification } from '../frameworks/catalogue-repository.js';
import { seedRegistry } from '../frameworks/seed.js';
import { AUTHORITY_FILE, BUNDLE_FILE } from '../trust/files.js';
import { trustBundleService, type TrustDeps } from '../trust/service.js';
import { createIssuer, findIssuer } from '../issuers/issuers.js';
import { seedDemoRplCase } from '../rpl/demo.js';
import type { Actor } from '../policy/policy.js';
import type { RplContext } from '../rpl/context.js';

/** Demo certifying bodies; clearly named as demo so no one mistakes them for the real agencies. */
export const DEMO_ISSUERS = [
  { id: 'ph-tesda-demo', name: 'TESDA National Capital Region (demo)', country: 'PH', didMethod: 'key' as const },
  { id: 'id-lsp-demo', name: 'LSP Perhotelan Nusantara (demo)', country: 'ID', didMethod: 'key' as const },
];

/** What seeding needs (a narrow view of the composition root). */
export type DemoDeps = AwardDeps &
  TrustDeps & {
    config: Pick<Config, 'publicUrl' | 'dataDir' | 'masterKey'>;
    certificates: Pick<CertificateService, 'pdf'>;
    rpl: RplContext;
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
  const done = await db.kysely.selectFrom('meta').select('value').where('key', '=', 'demo_seeded').executeTakeFirst();
  if (done) return { lines: [`demo data       seeded on ${done.value}`] };

  const lines: string[] = ['demo data       (TANDA_SEED_DEMO=false to skip)'];
  let officer: Actor | undefined;
  await db.kysely.transaction().execute(async (tx) => {
    for (const issuer of DEMO_ISSUERS) {
      if (!(await findIssuer(tx, issuer.id))) await createIssuer(tx, keys, config.publicUrl, issuer);
    }
    // The first is the certifying officer the demo certificate is issued as.
    const staff = [
      { name: 'Maria Santos (demo certifying officer)', role: 'certifying_officer' as const, issuerId: 'ph-tesda-demo' },
      { name: 'Jose Reyes (demo assessor)', role: 'assessor' as const, issuerId: 'ph-tesda-demo' },
      { name: 'Ana Cruz (demo moderator)', role: 'moderator' as const, issuerId: 'ph-tesda-demo' },
    ];
    for (const s of staff) {
      const user = await createUser(tx, s);
      officer ??= { id: user.id, role: s.role, issuerId: s.issuerId };
      const token = await createApiToken(tx, user.id, 'demo');
      lines.push(`  ${s.role.padEnd(20)} token ${token}`);
    }
    await seedRegistry(tx, { issuers: DEMO_ISSUERS.map((i) => i.id) });
    await tx.insertInto('meta').values({ key: 'demo_seeded', value: new Date().toISOString() }).execute();
  });
  // The demo certificate is issued as the demo body's certifying officer, like any other.
  const certificate = await issueDemoCertificate(services, officer!);
  lines.push(`demo certificate ${certificate}`);
  lines.push(...(await seedDemoRplCase(services.rpl)).lines);
  return { lines };
}

/** A returnee's certificate, issued and printed on first start so a newcomer holds a real one within a minute. */
async function issueDemoCertificate(services: DemoDeps, officer: Actor): Promise<string> {
  const qualification = await getQualification(services.db.kysely, 'https://tanda.example/qualifications/ph-housekeeping-nc2');
  if (!qualification) throw new Error('demo catalogue is missing the Housekeeping NC II qualification');
  const award = await issueAward(services, officer, {
    issuerId: 'ph-tesda-demo',
    qualificationId: qualification.id,
    achievedUnitIds: qualification.units.filter((u) => u.kind === 'core').map((u) => u.unitId),
    holder: { name: 'Maricel Dela Cruz Santos' },
    assessment: { centre: 'Overseas Assessment, Migrant Workers Office Hong Kong (demo)', country: 'HK' },
  });
  const stored = await services.credentials.find(String(award.credential.id));
  if (!stored) throw new Error('demo credential was not stored');
  const file = path.join(services.config.dataDir, 'certificates', 'demo-certificate.pdf');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await services.certificates.pdf(stored));
  // This instance's own verification data, so `tanda verify` on the demo certificate works offline right away.
  const { text, bundle } = await trustBundleService(services).current();
  fs.writeFileSync(path.join(services.config.dataDir, BUNDLE_FILE), text);
  fs.writeFileSync(path.join(services.config.dataDir, AUTHORITY_FILE), `${bundle.authority}\n`);
  return file;
}
