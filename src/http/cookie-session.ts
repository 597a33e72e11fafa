import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TandaError } from '../errors.js';
import { createSession, revokeSession, userForSession } from '../rpl/sessions.js';
import type { Services } from '../services.js';

/**
 * Browser sessions: the same opaque session tokens as `Authorization: Bearer`, carried in an HttpOnly cookie, so a
 * page's script never holds the token. Generic (a console can reuse it with its own cookie name and limits): it only
 * resolves `request.user` exactly as the bearer path does, so every route and the access policy work unchanged.
 *
 * Cookies are sent by the browser on its own, so every state-changing request authenticated by one must carry the
 * anti-forgery token (@fastify/csrf-protection: a secret in its own HttpOnly cookie, the token in `X-CSRF-Token`);
 * SameSite=Strict is the second line.
 */
export interface CookieSessionOptions {
  /** Cookie name, e.g. `tanda_me`. */
  name: string;
  /** Path the cookie is sent to. */
  path?: string;
  /** Absolute lifetime. */
  ttlMinutes: number;
  /** Ends after this long without a request. */
  idleMinutes: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** How `request.user` was established. */
    authVia?: 'bearer' | 'cookie';
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Registers cookies and CSRF once per app (idempotent across several cookie sessions). */
export async function cookieSupport(app: FastifyInstance): Promise<void> {
  if (!app.hasDecorator('parseCookie')) await app.register(cookie);
  if (!app.hasDecorator('csrfProtection')) await app.register(csrf, { cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true }, cookieKey: 'tanda_csrf' });
}

export function cookieSession(services: Services, options: CookieSessionOptions) {
  const path = options.path ?? '/';
  const secure = (request: FastifyRequest) => request.protocol === 'https';
  return {
    options,
    /** onRequest, after the bearer check: a request with no bearer token but this cookie gets its session's user. */
    async identify(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (request.user || request.headers.authorization) return;
      const token = request.cookies?.[options.name];
      if (!token) return;
      const user = await userForSession(services.db.kysely, token);
      if (!user) {
        // Expired or signed out elsewhere: forget the cookie; the caller is anonymous (the page shows sign-in).
        reply.clearCookie(options.name, { path });
        return;
      }
      if (!SAFE.has(request.method)) await checkCsrf(request, reply);
      request.user = user;
      request.authVia = 'cookie';
    },
    /** The lifetime a sign-in step should give the session it creates. */
    limits: { ttlMinutes: options.ttlMinutes, idleMinutes: options.idleMinutes },
    /** Starts a session for `userId` and sets its cookie. */
    async start(request: FastifyRequest, reply: FastifyReply, userId: string): Promise<{ expiresAt: string }> {
      const s = await createSession(services.db.kysely, userId, options.ttlMinutes, { idleMinutes: options.idleMinutes });
      this.set(request, reply, s);
      return { expiresAt: s.expiresAt };
    },
    /** Sets the cookie of a session created elsewhere (e.g. by a one-time code check, in its transaction). */
    set(request: FastifyRequest, reply: FastifyReply, s: { token: string; expiresAt: string }): void {
      reply.setCookie(options.name, s.token, { path, httpOnly: true, secure: secure(request), sameSite: 'strict', expires: new Date(s.expiresAt) });
    },
    /** Revokes the cookie's session and clears it. */
    async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const token = request.cookies?.[options.name];
      if (token) await revokeSession(services.db.kysely, token);
      reply.clearCookie(options.name, { path });
    },
  };
}
export type CookieSession = ReturnType<typeof cookieSession>;

/** @fastify/csrf-protection's check, as a promise that refuses with our error code instead of the plugin's. */
function checkCsrf(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  return new Promise((resolve, reject) => {
    const catcher = { send: () => reject(new TandaError('csrf_failed')) } as unknown as FastifyReply;
    Object.setPrototypeOf(catcher, reply);
    request.server.csrfProtection(request, catcher, () => resolve());
  });
}
