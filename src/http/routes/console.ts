import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { consoleAbilities } from '../../policy/abilities.js';
import { revokeUserSessions } from '../../rpl/sessions.js';
import { loginStaff } from '../../rpl/staff.js';
import { ensureWebAssets } from '../../web/build.js';
import { CONSOLE_CSS, consolePage } from '../../web/console/page.js';
import { TandaError } from '../../errors.js';
import type { CookieSession } from '../cookie-session.js';
import { actorOf, signedIn } from '../access.js';
import { STAFF_SIGN_IN_BODY, STAFF_SIGN_IN_RATE_LIMIT } from './rpl-auth.js';

const hidden = { schema: { hide: true } };

/**
 * The staff console: its page and assets, and the browser sign-in with an HttpOnly session cookie (idle and
 * absolute expiry, CSRF on every change, rate-limited like POST /auth/login). Everything else the page does goes
 * to the existing routes, authenticated by the same cookie and judged by the same policy.
 */
export const consoleRoutes: FastifyPluginAsync<{ session: CookieSession }> = async (app, { session }) => {
  const { db } = app.services;
  const asset = async (name: string) => fs.promises.readFile(path.join((await ensureWebAssets()).dir, name));

  app.get('/console', hidden, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(consolePage()));
  app.get('/console/app.css', hidden, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(CONSOLE_CSS));
  app.get('/console/app.js', hidden, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(await asset('console.js')));
  app.get('/console/sw.js', hidden, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('service-worker-allowed', '/console').send(await asset('console-sw.js')),
  );

  app.post<{ Body: { email: string; password: string } }>('/console/session', {
    config: { rateLimit: STAFF_SIGN_IN_RATE_LIMIT },
    schema: {
      tags: ['console'],
      summary: 'Staff sign-in for the console: e-mail and password, answered with an HttpOnly session cookie (idle and absolute expiry)',
      body: STAFF_SIGN_IN_BODY,
    },
  }, async (request, reply) => {
    const s = await loginStaff(db.kysely, request.body.email, request.body.password, session.limits);
    session.set(request, reply, s);
    return reply.status(201).send({ expiresAt: s.expiresAt });
  });

  app.get('/console/session', {
    onRequest: signedIn,
    schema: { tags: ['console'], summary: 'Who is signed in, what the console may offer them (from the access policy), and the anti-forgery token for X-CSRF-Token' },
  }, async (request, reply) => {
    const actor = actorOf(request);
    const abilities = consoleAbilities(actor);
    // Returnees have their own space; a staff console with nothing to show is refused rather than shown empty.
    if (!Object.values(abilities).some(Boolean)) throw new TandaError('forbidden', 'the console is for staff accounts');
    const user = await db.kysely.selectFrom('users').select(['id', 'name', 'email', 'role', 'issuer_id']).where('id', '=', actor.id).executeTakeFirstOrThrow();
    const issuer = user.issuer_id ? await db.kysely.selectFrom('issuers').select(['id', 'name']).where('id', '=', user.issuer_id).executeTakeFirst() : undefined;
    reply.header('cache-control', 'private, no-store');
    return {
      user: { id: user.id, name: user.name, email: user.email, role: user.role },
      body: issuer ? { id: issuer.id, name: issuer.name } : null,
      abilities,
      idleMinutes: session.limits.idleMinutes,
      csrfToken: reply.generateCsrf(),
    };
  });

  app.delete('/console/session', { onRequest: signedIn, schema: { tags: ['console'], summary: 'Sign out: this session ends and its cookie is cleared' } }, async (request, reply) => {
    await session.end(request, reply);
    return reply.status(204).send();
  });

  app.post('/console/session/everywhere', {
    onRequest: signedIn,
    schema: { tags: ['console'], summary: 'Sign out everywhere: every session of this account ends (other browsers and devices too); API tokens stay' },
  }, async (request, reply) => {
    await revokeUserSessions(db.kysely, actorOf(request).id);
    await session.end(request, reply);
    return reply.status(204).send();
  });
};
