import { parseArgs } from 'node:util';
import { OPERATOR, authorize } from '../policy/policy.js';
import type { Services } from '../services.js';
import { AS_HELP, AS_OPTION, cliActor } from './actor.js';
import { REVOCATION_REASONS } from '../status/status-service.js';
import type { RevocationReason } from '../status/tables.js';

export const STATUS_HELP = `usage: tanda status <command>
  revoke <credential-id> --reason fraud|error|superseded|other [--note TEXT] --as OFFICER
                 revoke a credential (final) and re-sign its status list; audited as that officer
  show <credential-id> --as STAFF
                 revocation and re-issue history of a credential (JSON)
  (${AS_HELP})
  refresh        re-sign every status list less than half its TTL from expiry (before publishing a trust bundle)`;

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** `tanda status …`: revocation and history as a staff account of the issuing body; list refresh as the operator. */
export async function statusCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'revoke': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { reason: { type: 'string' }, note: { type: 'string' }, ...AS_OPTION } });
      const [credentialId] = positionals;
      const reason = values.reason as RevocationReason | undefined;
      if (!credentialId || positionals.length > 1 || !reason || !REVOCATION_REASONS.includes(reason)) {
        err(`tanda status revoke <credential-id> --reason ${REVOCATION_REASONS.join('|')} [--note TEXT]`);
        return 2;
      }
      const actor = await cliActor(services.db.kysely, values.as);
      const stored = await services.status.findCredential(credentialId);
      authorize(actor, 'revoke', { kind: 'credential', issuerId: stored?.issuerId ?? '', holderUserId: stored?.holderUserId ?? null });
      const done = await services.status.revoke({ credentialId, actor: { issuerId: actor.issuerId, by: actor.id, userId: actor.id }, reason, note: values.note ?? null });
      out(`revoked ${done.credentialId} on ${done.revokedAt} (${done.reason})`);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: AS_OPTION });
      const [credentialId] = positionals;
      const actor = await cliActor(services.db.kysely, values.as);
      const stored = credentialId ? await services.status.findCredential(credentialId) : undefined;
      if (stored) authorize(actor, 'history', { kind: 'credential', issuerId: stored.issuerId, holderUserId: stored.holderUserId });
      const history = stored ? await services.status.history(stored.id) : undefined;
      if (!history) {
        err(credentialId ? `no credential ${credentialId}` : 'tanda status show <credential-id>');
        return credentialId ? 1 : 2;
      }
      out(JSON.stringify(history, null, 2));
      return 0;
    }
    case 'refresh':
      authorize(OPERATOR, 'run', { kind: 'deployment' });
      out(`re-signed ${await services.status.refreshStale()} status list(s)`);
      return 0;
    default:
      (sub === undefined || sub === 'help' ? out : err)(STATUS_HELP);
      return sub === undefined || sub === 'help' ? 0 : 2;
  }
}
