import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { rplFixture, type RplFixture } from './fixtures.js';

/* GET /candidates: the returnees a counsellor can find to open a case for, within the body's scope. */

let t: TestContext;
let f: RplFixture;
const OTHER = 'candidate-list-other-body';
let otherCounsellor: { authorization: string };

const names = async (headers: Record<string, string>, query = '') => {
  const res = await t.app.inject({ method: 'GET', url: `/candidates${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return { names: res.json().candidates.map((c: { fullName: string }) => c.fullName), total: res.json().total };
};

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER, name: 'Other Body', country: 'ID', didMethod: 'key' });
  otherCounsellor = (await t.login('counsellor', { issuerId: OTHER })).headers;
  await f.registerCandidate({ fullName: 'Rosa Mendoza', email: 'rosa.m@example.org', phone: '+852 5555 0101' });
  await f.registerCandidate({ fullName: 'Ανна Παππά', nameLatin: 'Anna Pappa' });
  await f.registerCandidate({ fullName: 'Jun_Bautista' });
  const res = await t.app.inject({ method: 'POST', url: '/candidates', headers: otherCounsellor, payload: { fullName: 'Siti Aminah', email: 'siti@example.org', consent: { purpose: 'RPL' } } });
  expect(res.statusCode).toBe(201);
}, 60_000);
afterAll(async () => t.close());

describe(`GET /candidates on ${testDialect}`, () => {
  it('lists the body\'s returnees by name, with the count, and none of another body\'s', async () => {
    expect(await names(f.counsellor)).toEqual({ names: ['Jun_Bautista', 'Rosa Mendoza', 'Ανна Παππά'], total: 3 });
    expect(await names(otherCounsellor)).toEqual({ names: ['Siti Aminah'], total: 1 });
    expect((await names(f.counsellor, '?limit=1&offset=1')).names).toEqual(['Rosa Mendoza']);
  });

  it('finds by part of the name or Latin name, by the start of the e-mail or phone; wildcards are literal', async () => {
    expect((await names(f.counsellor, '?q=mendoza')).names).toEqual(['Rosa Mendoza']);
    expect((await names(f.counsellor, '?q=pappa')).names).toEqual(['Ανна Παππά']);
    expect((await names(f.counsellor, '?q=ROSA.M%40')).names).toEqual(['Rosa Mendoza']);
    expect((await names(f.counsellor, `?q=${encodeURIComponent('+852 5555')}`)).names).toEqual(['Rosa Mendoza']);
    expect((await names(f.counsellor, '?q=_')).names).toEqual(['Jun_Bautista']);
    expect((await names(f.counsellor, '?q=siti')).names).toEqual([]);
  });

  it('gives an admin nothing without a stated reason, and every returnee with one, audited', async () => {
    expect(await names(f.admin)).toEqual({ names: [], total: 0 });
    expect((await names({ ...f.admin, 'x-tanda-access-reason': 'a returnee\'s complaint' }, '?q=siti')).names).toEqual(['Siti Aminah']);
    const entry = await t.db.kysely.selectFrom('audit_log').select(['action', 'data']).where('action', '=', 'access.reasoned').orderBy('seq', 'desc').executeTakeFirst();
    expect(entry?.data).toContain('candidate.list');
  });
});
