import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLogo, demoSeal, demoSignature } from '../../src/demo/profile-images.js';
import { checkProfileImage, getIssuerProfile, PROFILE_IMAGE_MAX_BYTES } from '../../src/issuers/profile.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
  await createIssuer(t.db.kysely, t.services.keys, 'https://tanda.test', { id: 'other-body', name: 'Other Body', country: 'ID', didMethod: 'key' });
});
afterAll(async () => t.close());

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function jpeg(width = 200, height = 120): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#2563eb';
  ctx.fillRect(0, 0, width, height);
  return canvas.toBuffer('image/jpeg');
}

/** A 1×1 GIF: a real image, but not a format certificates accept. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

describe('profile images are checked by content', () => {
  it('accepts PNG and JPEG, reporting format and size', async () => {
    expect(await checkProfileImage('logo', demoLogo('TB'))).toMatchObject({ type: 'image/png', width: 240, height: 240 });
    expect(await checkProfileImage('seal', jpeg())).toMatchObject({ type: 'image/jpeg', width: 200, height: 120 });
  });

  it.each([
    ['a GIF', GIF, 'invalid_image'],
    ['text named .png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'invalid_image'],
    ['a truncated PNG', demoSeal().subarray(0, 200), 'invalid_image'],
    ['a 16 px icon', (() => { const c = createCanvas(16, 16); c.getContext('2d').fillRect(0, 0, 16, 16); return c.toBuffer('image/png'); })(), 'invalid_image'],
    ['an empty file', Buffer.alloc(0), 'invalid_image'],
    ['an image over the size limit', Buffer.concat([demoLogo('TB'), Buffer.alloc(PROFILE_IMAGE_MAX_BYTES)]), 'image_too_large'],
  ])('refuses %s', async (_label, bytes, code) => {
    await expect(checkProfileImage('logo', new Uint8Array(bytes))).rejects.toMatchObject({ name: 'TandaError', code });
  });
});

describe('PUT /issuers/:id/profile', () => {
  const body = () => ({ signatoryName: 'Rosanna A. Urdaneta', signatoryTitle: 'Director General', logo: b64(demoLogo('TB')), seal: b64(jpeg()), signature: b64(demoSignature(2)) });

  it('an admin sets a profile; GET shows names and image formats; the stored bytes are the uploaded ones', async () => {
    const { headers } = await t.login('admin');
    const put = await t.app.inject({ method: 'PUT', url: `/issuers/${t.issuer.id}/profile`, headers, payload: body() });
    expect(put.statusCode, put.body).toBe(200);
    const got = await t.app.inject({ method: 'GET', url: `/issuers/${t.issuer.id}/profile` });
    expect(got.json()).toMatchObject({
      signatoryName: 'Rosanna A. Urdaneta',
      signatoryTitle: 'Director General',
      images: { logo: { type: 'image/png', width: 240 }, seal: { type: 'image/jpeg', width: 200 }, signature: { type: 'image/png' } },
    });
    const stored = await getIssuerProfile(t.db.kysely, t.issuer.id);
    expect(Buffer.from(stored!.images.logo!)).toEqual(demoLogo('TB'));
  });

  it('an absent image keeps the stored one; null removes it', async () => {
    const { headers } = await t.login('admin');
    const res = await t.app.inject({ method: 'PUT', url: `/issuers/${t.issuer.id}/profile`, headers, payload: { signatoryName: 'R. Urdaneta', signatoryTitle: 'Director General', seal: null } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().images).toMatchObject({ logo: { type: 'image/png' }, seal: null, signature: { type: 'image/png' } });
  });

  it('a certifying officer sets their own body\'s profile, not another body\'s', async () => {
    const { headers } = await t.login('certifying_officer');
    const own = await t.app.inject({ method: 'PUT', url: `/issuers/${t.issuer.id}/profile`, headers, payload: body() });
    expect(own.statusCode, own.body).toBe(200);
    const other = await t.app.inject({ method: 'PUT', url: '/issuers/other-body/profile', headers, payload: body() });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('forbidden');
    expect(await getIssuerProfile(t.db.kysely, 'other-body')).toBeUndefined();
  });

  it('refuses an assessor, an anonymous caller, a disguised file and an oversized image with stable codes', async () => {
    const assessor = await t.login('assessor');
    expect((await t.app.inject({ method: 'PUT', url: `/issuers/${t.issuer.id}/profile`, headers: assessor.headers, payload: body() })).json().code).toBe('forbidden');
    expect((await t.app.inject({ method: 'PUT', url: `/issuers/${t.issuer.id}/profile`, payload: body() })).json().code).toBe('unauthenticated');
    const { headers } = await t.login('admin');
    const gif = await t.app.inject({ method: 'PUT', url: `/issuers/${t.issuer.id}/profile`, headers, payload: { ...body(), logo: b64(GIF) } });
    expect([gif.statusCode, gif.json().code]).toEqual([422, 'invalid_image']);
    const big = await t.app.inject({
      method: 'PUT',
      url: `/issuers/${t.issuer.id}/profile`,
      headers,
      payload: { ...body(), seal: b64(Buffer.concat([demoSeal(), Buffer.alloc(PROFILE_IMAGE_MAX_BYTES)])) },
    });
    expect([big.statusCode, big.json().code]).toEqual([413, 'image_too_large']);
    // Nothing of a refused request was stored.
    expect((await getIssuerProfile(t.db.kysely, t.issuer.id))!.signatoryName).toBe('Rosanna A. Urdaneta');
  });

  it('a body without a profile answers 404; an unknown body 404 for an admin', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/issuers/other-body/profile' })).statusCode).toBe(404);
    const { headers } = await t.login('admin');
    const res = await t.app.inject({ method: 'PUT', url: '/issuers/no-such-body/profile', headers, payload: body() });
    expect([res.statusCode, res.json().code]).toEqual([404, 'not_found']);
  });
});
