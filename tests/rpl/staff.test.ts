import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createStaffUser } from '../../src/rpl/staff.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';

/* Staff accounts for the console's registry admin screen: the list, deactivation and the assessors of a body. */

let t: TestContext;
let admin: { userId: string; headers: { authorization: string } };
const OTHER = 'staff-other-body';
const PASSWORD = 'a long enough secret';

beforeAll(async () => {
  t = await createTestContext();
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER, name: 'Other Body', country: 'ID', didMethod: 'key' });
  admin = await t.login('admin', { issuerId: null });
});
afterAll(async () => t.close());

const signIn = (email: string) => t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: PASSWORD } });

describe(`staff accounts on ${testDialect}`, () => {
  it('lists a body\'s staff for an admin, by name, without password hashes; filters by role; counts all', async () => {
    await createStaffUser(t.db.kysely, { name: 'Zed Assessor', email: 'zed@own.example', role: 'assessor', issuerId: t.issuer.id, password: PASSWORD });
    await createStaffUser(t.db.kysely, { name: 'Amy Moderator', email: 'amy@own.example', role: 'moderator', issuerId: t.issuer.id, password: PASSWORD });
    await createStaffUser(t.db.kysely, { name: 'Bob Elsewhere', email: 'bob@other.example', role: 'assessor', issuerId: OTHER, password: PASSWORD });
    const res = await t.app.inject({ method: 'GET', url: `/staff?issuerId=${t.issuer.id}`, headers: admin.headers });
    expect(res.statusCode).toBe(200);
    const { staff, total } = res.json();
    expect(staff.map((s: { name: string }) => s.name)).toEqual(['Amy Moderator', 'Zed Assessor']);
    expect(total).toBe(2);
    expect(Object.keys(staff[0]).sort()).toEqual(['active', 'createdAt', 'email', 'id', 'issuerId', 'name', 'role']);
    expect(res.body).not.toContain('$argon2');
    const assessors = (await t.app.inject({ method: 'GET', url: `/staff?issuerId=${t.issuer.id}&role=assessor`, headers: admin.headers })).json();
    expect(assessors.staff.map((s: { email: string }) => s.email)).toEqual(['zed@own.example']);
  });

  it('deactivating signs the account out everywhere and refuses its sign-in; reactivating lets it sign in afresh; both audited', async () => {
    const user = await createStaffUser(t.db.kysely, { name: 'Dee Officer', email: 'dee@own.example', role: 'certifying_officer', issuerId: t.issuer.id, password: PASSWORD });
    const session = { authorization: `Bearer ${(await signIn('dee@own.example')).json().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: session })).statusCode).toBe(200);

    const off = await t.app.inject({ method: 'PATCH', url: `/staff/${user.id}`, headers: admin.headers, payload: { active: false } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ id: user.id, active: false });
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: session })).json().code).toBe('invalid_credentials');
    expect((await signIn('dee@own.example')).json().code).toBe('invalid_credentials');
    const listed = (await t.app.inject({ method: 'GET', url: `/staff?issuerId=${t.issuer.id}`, headers: admin.headers })).json();
    expect(listed.staff.some((s: { id: string }) => s.id === user.id)).toBe(false);
    const all = (await t.app.inject({ method: 'GET', url: `/staff?issuerId=${t.issuer.id}&includeInactive=true`, headers: admin.headers })).json();
    expect(all.staff.find((s: { id: string }) => s.id === user.id)).toMatchObject({ active: false });

    const on = await t.app.inject({ method: 'PATCH', url: `/staff/${user.id}`, headers: admin.headers, payload: { active: true } });
    expect(on.json()).toMatchObject({ active: true });
    // The old session stays ended: the account signs in again.
    expect((await t.app.inject({ method: 'GET', url: '/auth/me', headers: session })).statusCode).toBe(401);
    expect((await signIn('dee@own.example')).statusCode).toBe(200);
    const entries = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_id']).where('subject_id', '=', user.id).orderBy('seq').execute();
    expect(entries).toEqual([{ action: 'account.deactivated', actor_id: admin.userId }, { action: 'account.reactivated', actor_id: admin.userId }]);
  });

  it('refuses an admin deactivating their own account, an unknown account and a returnee\'s account', async () => {
    const self = await t.app.inject({ method: 'PATCH', url: `/staff/${admin.userId}`, headers: admin.headers, payload: { active: false } });
    expect([self.statusCode, self.json().code]).toEqual([400, 'validation_failed']);
    const unknown = await t.app.inject({ method: 'PATCH', url: '/staff/no-such-user', headers: admin.headers, payload: { active: false } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'not_found']);
    const returnee = await t.login('candidate');
    const candidate = await t.app.inject({ method: 'PATCH', url: `/staff/${returnee.userId}`, headers: admin.headers, payload: { active: false } });
    expect([candidate.statusCode, candidate.json().code]).toEqual([404, 'not_found']);
  });

  it('lists a body\'s active assessors to its counsellors and officers only; another body\'s staff are refused', async () => {
    const counsellor = await t.login('counsellor');
    const res = await t.app.inject({ method: 'GET', url: `/issuers/${t.issuer.id}/assessors`, headers: counsellor.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().assessors.map((a: { name: string }) => a.name)).toEqual(['Zed Assessor']);
    expect(Object.keys(res.json().assessors[0]).sort()).toEqual(['id', 'name']);
    for (const [role, issuerId] of [['counsellor', OTHER], ['certifying_officer', OTHER], ['moderator', t.issuer.id], ['assessor', t.issuer.id]] as const) {
      const other = await t.login(role, { issuerId });
      const refused = await t.app.inject({ method: 'GET', url: `/issuers/${t.issuer.id}/assessors`, headers: other.headers });
      expect([role, issuerId, refused.statusCode, refused.json().code]).toEqual([role, issuerId, 403, 'forbidden']);
    }
    const staffList = await t.app.inject({ method: 'GET', url: '/staff', headers: counsellor.headers });
    expect([staffList.statusCode, staffList.json().code]).toEqual([403, 'forbidden']);
  });
});

describe(`registry lists on ${testDialect}`, () => {
  it('lists one body\'s accreditations and assessment centres, and no other body\'s', async () => {
    const add = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: admin.headers, payload });
    expect((await add(`/issuers/${t.issuer.id}/accreditations`, { country: 'PH', sectors: ['Tourism'], validFrom: '2026-01-01' })).statusCode).toBe(201);
    expect((await add(`/issuers/${OTHER}/accreditations`, { country: 'ID', sectors: ['Construction'], validFrom: '2026-01-01' })).statusCode).toBe(201);
    expect((await add('/assessment-centres', { issuerId: t.issuer.id, name: 'Riyadh hall', country: 'SA' })).statusCode).toBe(201);
    expect((await add('/assessment-centres', { issuerId: OTHER, name: 'Taipei hall', country: 'TW' })).statusCode).toBe(201);

    const accreditations = (await t.app.inject({ method: 'GET', url: `/issuers/${t.issuer.id}/accreditations` })).json().accreditations;
    expect(accreditations.map((a: { issuerId: string; sectors: string[] }) => [a.issuerId, a.sectors])).toEqual([[t.issuer.id, ['Tourism']]]);
    const centres = (await t.app.inject({ method: 'GET', url: `/assessment-centres?issuerId=${t.issuer.id}` })).json().assessmentCentres;
    expect(centres.map((c: { name: string; country: string }) => [c.name, c.country])).toEqual([['Riyadh hall', 'SA']]);
    const every = (await t.app.inject({ method: 'GET', url: '/assessment-centres' })).json().assessmentCentres;
    expect(every.map((c: { name: string }) => c.name).sort()).toEqual(['Riyadh hall', 'Taipei hall']);
    const missing = await t.app.inject({ method: 'GET', url: '/issuers/no-such-body/accreditations' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'not_found']);
  });
});
