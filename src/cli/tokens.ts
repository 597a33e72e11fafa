import { parseArgs } from 'node:util';
import { listApiTokens, revokeApiToken, tokenOwner } from '../auth/tokens.js';
import { TandaError } from '../errors.js';
import { OPERATOR, authorize } from '../policy/policy.js';
import type { Services } from '../services.js';

export const TOKENS_HELP = `usage: tanda tokens <command>
  list [--user USER-ID]   API tokens (all accounts', or one account's): id, account, label, made, expires,
                          last used, state; never a secret (only hashes are stored)
  revoke <token-id>       end a token at once (a new admin token: tanda admin-token)`;

/** `tanda tokens …`: the operator's view of API tokens (staff manage their own over HTTP: GET/POST/DELETE /tokens). */
export async function tokensCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  const db = services.db.kysely;
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: { user: { type: 'string' } } });
    const ownerId = values.user ?? null;
    authorize(OPERATOR, 'read', { kind: 'api_token', ownerId });
    for (const t of await listApiTokens(db, ownerId)) {
      const state = t.revokedAt ? `revoked ${t.revokedAt}` : t.expired ? 'expired' : 'active';
      process.stdout.write(`${t.id}  ${t.userId}  ${JSON.stringify(t.label)}  made ${t.createdAt}  expires ${t.expiresAt ?? 'never'}  last used ${t.lastUsedAt ?? 'never'}  ${state}\n`);
    }
    return 0;
  }
  if (sub === 'revoke' && rest.length === 1) {
    const id = rest[0]!;
    const ownerId = await tokenOwner(db, id);
    if (!ownerId) throw new TandaError('not_found', `no token ${id}`);
    authorize(OPERATOR, 'revoke', { kind: 'api_token', ownerId });
    await revokeApiToken(db, id);
    process.stdout.write(`revoked ${id}\n`);
    return 0;
  }
  process.stderr.write(`${TOKENS_HELP}\n`);
  return sub === undefined || sub === 'help' ? 0 : 2;
}
