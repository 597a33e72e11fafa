import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { seedDemoRplCase } from '../../src/rpl/demo.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

let t: TestContext;

beforeAll(async () => {
  t = await createTestContext();
  await seedRegistry(t.db.kysely, { issuers: [t.issuer.id] });
});
afterAll(async () => t.close());

describe(`demo RPL case on ${testDialect}`, () => {
  it('reaches moderated through the real workflow, and a certifying officer can issue from it', async () => {
    await t.login('assessor');
    await t.login('moderator');
    const officer = (await t.login('certifying_officer')).headers;
    const demo = await seedDemoRplCase(t.services.rpl, t.issuer.id);
    const kase = await t.app.inject({ method: 'GET', url: `/cases/${demo.caseId}`, headers: officer });
    expect(kase.json()).toMatchObject({ state: 'moderated', outcome: 'full_qualification', version: demo.version, allowedEvents: ['certify', 'refer_gap_training'] });
    expect(demo.lines.join('\n')).toContain(`"version":${demo.version}`);
    const certified = await t.app.inject({ method: 'POST', url: `/cases/${demo.caseId}/transitions`, headers: officer, payload: { event: 'certify', version: demo.version } });
    expect(certified.json()).toMatchObject({ state: 'certified' });
    const vc = (await t.services.credentials.find(certified.json().credentialId))!.document;
    expect((await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: vc } })).json().verified).toBe(true);
  });

  it('prints the demo certificate from a case certified through the workflow, a registry award in the audit chain', async () => {
    // A fresh instance, as on a first start (the case above already registered the demo returnee's e-mail).
    const fresh = await createTestContext();
    onTestFinished(() => fresh.close());
    const { lines } = await seedDemo(fresh.services);
    const credential = await fresh.db.kysely.selectFrom('credentials').innerJoin('rpl_cases', 'rpl_cases.credential_id', 'credentials.id').select(['credentials.id', 'credentials.document', 'rpl_cases.state', 'rpl_cases.issuer_id']).where('credentials.holder_name', '=', 'Maricel Dela Cruz Santos').executeTakeFirstOrThrow();
    expect(credential).toMatchObject({ state: 'certified', issuer_id: 'ph-tesda-demo' });
    expect(lines.join('\n')).toContain('demo-certificate.pdf');
    const audit = await fresh.db.kysely.selectFrom('audit_log').select(['action', 'data']).where('subject_id', '=', credential.id).execute();
    expect(audit.map((a) => JSON.parse(a.data).event ?? a.action)).toEqual(['credential.issue', 'certify']);
    const verified = await fresh.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: JSON.parse(credential.document) } });
    expect(verified.json().checks.find((c: { id: string }) => c.id === 'registry_award')).toMatchObject({ status: 'pass' });
  });

  it('prints each demo staff account\'s console sign-in once, with a random password that opens the console', async () => {
    const fresh = await createTestContext();
    onTestFinished(() => fresh.close());
    const { lines } = await seedDemo(fresh.services);
    const signIns = lines.map((l) => /console (\S+@\S+) \/ (\S+)$/.exec(l)).filter((m) => m !== null);
    expect(signIns.map((m) => m[1])).toEqual(['maria.santos@tesda-demo.example', 'jose.reyes@tesda-demo.example', 'ana.cruz@tesda-demo.example']);
    expect(new Set(signIns.map((m) => m[2])).size).toBe(3);
    for (const [, email, password] of signIns) {
      const res = await fresh.app.inject({ method: 'POST', url: '/console/session', payload: { email, password } });
      expect([email, res.statusCode]).toEqual([email, 201]);
    }
    // A second start prints no password again.
    expect((await seedDemo(fresh.services)).lines.join('\n')).not.toMatch(/console \S+@/);
  });
});
