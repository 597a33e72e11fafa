import os from 'node:os';
import { parseArgs } from 'node:util';
import { OPERATOR } from '../policy/policy.js';
import type { Services } from '../services.js';
import { REVOCATION_REASONS } from '../status/status-service.js';
import type { RevocationReason } from '../status/tables.js';

export const STATUS_HELP = `usage: tanda status <command>
  revoke <credential-id> --reason fraud|error|superseded|other [--note TEXT]
                 revoke a credential (final) and re-sign its status list; audited as cli:<os user>
  show <credential-id>
                 revocation and re-issue history of a credential (JSON)
  refresh        re-sign every status list less than half its TTL from expiry (before publishing a trust bundle)`;

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** `tanda status …`: operator commands, acting for any certifying body (whoever runs them holds the database). */
export async function statusCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'revoke': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { reason: { type: 'string' }, note: { type: 'string' } } });
      const [credentialId] = positionals;
      const reason = values.reason as RevocationReason | undefined;
      if (!credentialId || positionals.length > 1 || !reason || !REVOCATION_REASONS.includes(reason)) {
        err(`tanda status revoke <credential-id> --reason ${REVOCATION_REASONS.join('|')} [--note TEXT]`);
        return 2;
      }
      const actor = { ...OPERATOR, by: `cli:${os.userInfo().username}` };
      const done = await services.status.revoke({ credentialId, actor, reason, note: values.note ?? null });
      out(`revoked ${done.credentialId} on ${done.revokedAt} (${done.reason})`);
      return 0;
    }
    case 'show': {
      const [credentialId] = rest;
      const history = credentialId ? await services.status.history(credentialId) : undefined;
      if (!history) {
        err(credentialId ? `no credential ${credentialId}` : 'tanda status show <credential-id>');
        return credentialId ? 1 : 2;
      }
      out(JSON.stringify(history, null, 2));
      return 0;
    }
    case 'refresh':
      out(`re-signed ${await services.status.refreshStale()} status list(s)`);
      return 0;
    default:
      (sub === undefined || sub === 'help' ? out : err)(STATUS_HELP);
      return sub === undefined || sub === 'help' ? 0 : 2;
  }
}
