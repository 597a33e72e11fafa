import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { statusCommand } from '../../src/cli/status.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { badge, statusCheck } from './fixtures.js';

let t: TestContext;
let officer: string;

const run = async (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await statusCommand(argv, t.services);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
};

beforeAll(async () => {
  t = await createTestContext();
  officer = (await t.login('certifying_officer')).userId;
});
afterAll(async () => t.close());

describe(`tanda status on ${testDialect}`, () => {
  it('revokes with reason and note as the named officer, audited as them, and shows the history', async () => {
    const v = await t.services.credentials.issue(badge(t.issuer.did), { issuerId: t.issuer.id });
    const id = v.id as string;
    const res = await run('revoke', id, '--reason', 'fraud', '--note', 'assessor reported a forged logbook', '--as', officer);
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(res.out).toMatch(new RegExp(`^revoked ${id} on \\d{4}-.*\\(fraud\\)\\n$`));
    const shown = await run('show', id, '--as', officer);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({
      credentialId: id,
      revocation: { reason: 'fraud', note: 'assessor reported a forged logbook', revokedBy: officer },
    });
    const verdict = await t.services.credentials.verify(v);
    expect(verdict.verified).toBe(false);
    expect(statusCheck(verdict)).toMatchObject({ code: 'revoked' });
    await expect(run('revoke', id, '--reason', 'error', '--as', officer)).rejects.toMatchObject({ code: 'already_revoked' });
  });

  it('acts for a body only as a staff account of that body: the operator and another body\'s officer are refused', async () => {
    const v = await t.services.credentials.issue(badge(t.issuer.did), { issuerId: t.issuer.id });
    const id = v.id as string;
    await expect(run('revoke', id, '--reason', 'fraud')).rejects.toMatchObject({ code: 'not_found' });
    await expect(run('show', id)).rejects.toMatchObject({ code: 'not_found' });
    const stranger = (await t.login('certifying_officer', { issuerId: null })).userId;
    await expect(run('revoke', id, '--reason', 'fraud', '--as', stranger)).rejects.toMatchObject({ code: 'not_found' });
    const moderator = (await t.login('moderator')).userId;
    await expect(run('revoke', id, '--reason', 'fraud', '--as', moderator)).rejects.toMatchObject({ code: 'forbidden' });
    const candidate = (await t.login('candidate')).userId;
    await expect(run('revoke', id, '--reason', 'fraud', '--as', candidate)).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect((await t.services.status.history(id))?.revocation).toBeNull();
  });

  it('refuses a missing or unknown reason with usage (exit 2) and an unknown credential', async () => {
    expect((await run('revoke', 'urn:uuid:x')).code).toBe(2);
    expect((await run('revoke', 'urn:uuid:x', '--reason', 'suspended')).code).toBe(2);
    await expect(run('revoke', 'urn:uuid:00000000-0000-4000-8000-000000000009', '--reason', 'error', '--as', officer)).rejects.toMatchObject({ code: 'not_found' });
    expect((await run('show', 'urn:uuid:nope', '--as', officer)).code).toBe(1);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('refresh')).out).toMatch(/^re-signed 0 status list\(s\)/);
  });
});
