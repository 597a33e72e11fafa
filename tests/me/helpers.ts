import type { LightMyRequestResponse } from 'fastify';
import type { TestContext } from '../helpers/app.js';
import type { RplFixture } from '../rpl/fixtures.js';

/** A browser's cookie jar, as far as these tests need one: name=value pairs from Set-Cookie, sent back as Cookie. */
export class Jar {
  readonly cookies = new Map<string, string>();
  take(res: LightMyRequestResponse): void {
    const set = res.headers['set-cookie'];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      const v = value.join('=');
      if (!v || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), v);
    }
  }
  get header(): { cookie: string } {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }
}

/** Signs a returnee in the way the /me page does: code by the outbox, then the cookie session and its CSRF token. */
export async function browserSignIn(t: TestContext, f: RplFixture, email: string): Promise<{ jar: Jar; csrf: string; setCookie: string[] }> {
  const jar = new Jar();
  const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: email } });
  await f.deliver();
  const res = await t.app.inject({ method: 'POST', url: '/me/session', payload: { challengeId: asked.json().challengeId, code: f.transport.lastCodeFor(email) } });
  if (res.statusCode !== 201) throw new Error(`sign in: ${res.statusCode} ${res.body}`);
  jar.take(res);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const session = await t.app.inject({ method: 'GET', url: '/me/session', headers: jar.header });
  jar.take(session);
  return { jar, csrf: session.json().csrfToken, setCookie };
}
