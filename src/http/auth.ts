import type { FastifyRequest } from 'fastify';
import { authenticateToken, tokenUseDue, type AuthenticatedUser } from '../auth/tokens.js';
import { TandaError } from '../errors.js';
import { isSessionToken, userForSession } from '../rpl/sessions.js';
import type { Services } from '../services.js';
import { isMetricsToken } from './metrics.js';
import type { TokenUseRecorder } from './token-use.js';

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
export function identify(services: Services, tokenUses: TokenUseRecorder) {
  return async (request: FastifyRequest): Promise<void> => {
    // OID4VCI's credential endpoint carries its own access tokens in the same header (src/wallets/offers.ts).
    if (request.routeOptions.config?.ownBearer) return;
    const token = bearer(request);
    if (!token) return;
    if (isMetricsToken(services, token)) {
      request.metricsScraper = true;
      return;
    }
    // Session tokens (web sign-in, returnee codes) and API tokens share the header; the prefix tells them apart.
    if (isSessionToken(token)) {
      request.user = (await userForSession(services.db.kysely, token)) ?? null;
    } else {
      const now = new Date();
      const found = await authenticateToken(services.db.kysely, token, now);
      request.user = found?.user ?? null;
      if (found && tokenUseDue(found.lastUsedAt, now)) tokenUses.record(found.tokenId, now, request.log);
    }
    if (!request.user) throw new TandaError('invalid_credentials', 'the bearer token is unknown, expired or revoked');
  };
}
