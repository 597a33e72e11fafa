import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
