import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listAllQualifications } from '../../src/frameworks/catalogue-repository.js';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { validUntilFor } from '../../src/status/expiry.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { badge, statusCheck } from './fixtures.js';

let t: TestContext;
let officer: { authorization: string };

type Vc = Record<string, unknown> & {
  id: string;
  validFrom: string;
  validUntil?: string;
  credentialStatus: { statusListIndex: string; statusListCredential: string };
  credentialSubject: { identifier: Array<{ identityType: string; identityHash: string }>; achievement: { alignment: Array<{ targetUrl: string }> } };
};

const issueVia = async (credential: Record<string, unknown>, qualificationId: string | null = null): Promise<Vc> =>
  (await t.services.credentials.issue(credential, { issuerId: t.issuer.id, qualificationId })) as unknown as Vc;
const verify = (credential: unknown) => t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: credential } });
const reissue = (id: string, payload: object) => t.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(id)}/reissue`, headers: officer, payload });
const history = (id: string, headers = officer) => t.app.inject({ method: 'GET', url: `/credentials/${encodeURIComponent(id)}/history`, headers });

beforeAll(async () => {
  t = await createTestContext();
  officer = (await t.login('certifying_officer')).headers;
});
afterAll(async () => t.close());

describe('validUntilFor', () => {
  it('adds whole calendar years in UTC, ending 28 February for a 29 February start', () => {
    expect(validUntilFor('2026-03-15T08:30:00Z', 5)).toBe('2031-03-15T08:30:00Z');
    expect(validUntilFor('2024-02-29T00:00:00Z', 1)).toBe('2025-02-28T00:00:00Z');
    expect(validUntilFor('2024-02-29T00:00:00Z', 4)).toBe('2028-02-29T00:00:00Z');
    expect(() => validUntilFor('2026-01-01T00:00:00Z', 0)).toThrow(RangeError);
    expect(() => validUntilFor('not a date', 3)).toThrow(RangeError);
  });
});

describe(`re-issue and expiry on ${testDialect}`, () => {
  it('corrects the name and adds a unit: a new credential, the old one revoked as superseded, both linked', async () => {
    const old = await issueVia(badge(t.issuer.did, { name: 'Siti Rahayu' }));
    const unit = { type: ['Alignment'], targetName: 'Load and unload pallets', targetUrl: 'https://training.example/units/FLS-102' };
    const res = await reissue(old.id, { holderName: 'Siti Rahayu Binti Ahmad', holderNameLatin: null, addAlignments: [unit], note: 'name as on passport' });
    expect(res.statusCode).toBe(201);
    const { verifiableCredential: next, replaced, kind } = res.json() as { verifiableCredential: Vc; replaced: string; kind: string };
    expect(replaced).toBe(old.id);
    expect(kind).toBe('correction');
    expect(next.id).not.toBe(old.id);
    expect(next.credentialSubject.identifier.find((i) => i.identityType === 'name')?.identityHash).toBe('Siti Rahayu Binti Ahmad');
    expect(next.credentialSubject.achievement.alignment.map((a) => a.targetUrl)).toEqual([
      'https://training.example/units/FLS-101',
      unit.targetUrl,
    ]);
    // A correction keeps the validity period; it gets a status entry of its own.
    expect(next.validFrom).toBe(old.validFrom);
    expect(next.credentialStatus.statusListIndex).not.toBe(old.credentialStatus.statusListIndex);

    const oldVerdict = await verify(old);
    expect(oldVerdict.statusCode).toBe(400);
    const check = statusCheck(oldVerdict.json());
    expect(check).toMatchObject({ code: 'revoked', data: { reason: 'superseded' } });
    expect(check?.message).toMatch(/^revoked on .*, replaced by a newer credential$/);
    expect((await verify(next)).statusCode).toBe(200);

    const oldHistory = (await history(old.id)).json();
    expect(oldHistory).toMatchObject({ replacedBy: { id: next.id, kind: 'correction' }, replaces: null, revocation: { reason: 'superseded', note: 'name as on passport' } });
    const nextHistory = (await history(next.id)).json();
    expect(nextHistory).toMatchObject({ replaces: { id: old.id, kind: 'correction' }, replacedBy: null, revocation: null });
    expect(nextHistory.status).toEqual({ statusListCredential: next.credentialStatus.statusListCredential, statusListIndex: next.credentialStatus.statusListIndex });

    const twice = await reissue(old.id, { holderName: 'Someone' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('already_revoked');
  });

  it('refuses an empty or duplicate correction, and another body\'s officer sees nothing', async () => {
    const v = await issueVia(badge(t.issuer.did));
    expect((await reissue(v.id, {})).statusCode).toBe(400);
    const dup = await reissue(v.id, { addAlignments: [{ type: ['Alignment'], targetName: 'x', targetUrl: 'https://training.example/units/FLS-101' }] });
    expect(dup.statusCode).toBe(400);
    expect((await reissue('urn:uuid:00000000-0000-4000-8000-000000000001', { holderName: 'X' })).statusCode).toBe(404);
    const candidate = (await t.login('candidate')).headers;
    expect((await t.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(v.id)}/reissue`, headers: candidate, payload: { holderName: 'X' } })).statusCode).toBe(403);
    expect((await history(v.id, candidate)).statusCode).toBe(404);
    expect((await verify(v)).statusCode).toBe(200);
  });

  it('rolls the whole re-issue back when revoking the original fails', async () => {
    const v = await issueVia(badge(t.issuer.did));
    const count = async () => Number((await t.db.kysely.selectFrom('credentials').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const entries = async () => Number((await t.db.kysely.selectFrom('status_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const [c0, e0] = [await count(), await entries()];
    const spy = vi.spyOn(t.services.status, 'revokeIn').mockRejectedValueOnce(new Error('disk full'));
    const res = await reissue(v.id, { holderName: 'Siti R.' });
    spy.mockRestore();
    expect(res.statusCode).toBe(500);
    expect([await count(), await entries()]).toEqual([c0, e0]);
    expect((await history(v.id)).json()).toMatchObject({ revocation: null, replacedBy: null });
  });

  it('expires by the qualification\'s validity rule, and renewal re-issues with a new period', async () => {
    await seedRegistry(t.db.kysely, { issuers: [t.issuer.id] });
    const q = (await listAllQualifications(t.db.kysely)).find((x) => x.code === 'DEMO-TESDA-HSK-NC2');
    expect(q?.validityYears).toBe(5);
    const validFrom = '2019-06-01T00:00:00Z';
    const old = await issueVia(badge(t.issuer.did, { validFrom, validUntil: validUntilFor(validFrom, q!.validityYears!) }), q!.id);
    expect(old.validUntil).toBe('2024-06-01T00:00:00Z');
    const expired = await verify(old);
    expect(expired.statusCode).toBe(400);
    expect(expired.json().checks.find((c: { id: string }) => c.id === 'validity_period')).toMatchObject({ code: 'expired' });
    expect(statusCheck(expired.json())).toMatchObject({ status: 'pass' });

    const before = Date.now();
    const res = await reissue(old.id, { renew: {} });
    expect(res.statusCode).toBe(201);
    const renewed = res.json().verifiableCredential as Vc;
    expect(res.json().kind).toBe('renewal');
    expect(Date.parse(renewed.validFrom)).toBeGreaterThanOrEqual(before - 1000);
    expect(renewed.validUntil).toBe(validUntilFor(renewed.validFrom, 5));
    expect((await verify(renewed)).statusCode).toBe(200);
    expect(statusCheck((await verify(old)).json())).toMatchObject({ code: 'revoked' });
    expect((await history(renewed.id)).json()).toMatchObject({ replaces: { id: old.id, kind: 'renewal' } });

    const noRule = await issueVia(badge(t.issuer.did));
    const refused = await reissue(noRule.id, { renew: {} });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/validity rule/);
    const explicit = await reissue(noRule.id, { renew: { validityYears: 3 } });
    expect(explicit.statusCode).toBe(201);
    expect(explicit.json().verifiableCredential.validUntil).toBe(validUntilFor(explicit.json().verifiableCredential.validFrom, 3));
  });
});
