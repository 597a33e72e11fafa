import type { FastifyRequest } from 'fastify';
import { userForToken, type AuthenticatedUser } from '../auth/tokens.js';
import { TandaError } from '../errors.js';
import { isSessionToken, userForSession } from '../rpl/sessions.js';
import type { Services } from '../services.js';
import { isMetricsToken } from './metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthenticatedUser | null;
  }
  interface FastifyContextConfig {
    /** The route reads `Authorization: Bearer` itself (a protocol's own tokens): not a Tanda token or session. */
    ownBearer?: boolean;
  }
}

const bearer = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
};

/** Resolves the caller from `Authorization: Bearer`; leaves `request.user` null for anonymous requests. */
export function identify(services: Services) {
  return async (request: FastifyRequest): Promise<void> => {
    // OID4VCI's credential endpoint carries its own access tokens in the same header (src/wallets/offers.ts).
    if (request.routeOptions.config?.ownBearer) return;
    const token = bearer(request);
    if (token && isMetricsToken(services, token)) {
      request.metricsScraper = true;
      return;
    }
    // Session tokens (web sign-in, returnee codes) and API tokens share the header; the prefix tells them apart.
    const lookup = token && isSessionToken(token) ? userForSession : userForToken;
    request.user = token ? ((await lookup(services.db.kysely, token)) ?? null) : null;
    if (token && !request.user) throw new TandaError('invalid_credentials', 'the bearer token is unknown, expired or revoked');
  };
}
