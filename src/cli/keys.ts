import { parseArgs } from 'node:util';
import { proofCreated } from '../credentials/signing-key.js';
import { compromiseKey, unrevokedSignedBy } from '../issuers/compromise.js';
import { rotateIssuerKey } from '../issuers/issuers.js';
import { authorize, OPERATOR } from '../policy/policy.js';
import type { Services } from '../services.js';
import { AS_HELP, AS_OPTION, cliActor } from './actor.js';

export const COMPROMISE_HELP = `usage: tanda compromise-key <issuer-id> --reason TEXT [--key VERIFICATION-METHOD] [--as ADMIN]
  Reports a signing key compromised: nothing it signed verifies any more, the body gets a new key, its status lists
  are re-signed, and every credential the key signed is re-issued under the new key (the old ones revoked as
  superseded, returnees told through the outbox). Without --key: the current key, or, if the current key replaced a
  compromised one, that earlier report is resumed. Safe to re-run: finished work is never done twice.
  Done as the operator, or as an admin account (${AS_HELP}); every step is in the audit chain.`;

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

export const ROTATE_HELP = `usage: tanda rotate-key <issuer-id> [--force]
  Makes a new signing key current and retires the old one: its private half is destroyed, and what it signed keeps
  verifying only if its proof is dated (proof.created) before now. Refused while the old key has unrevoked
  credentials with undated proofs (issued before proofs were dated): re-issue them first, or --force to let them fail.`;

/** `tanda rotate-key`: a deployment task of the operator. */
export async function rotateKeyCommand(argv: string[], services: Services): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean' } } });
  const [issuerId] = positionals;
  if (!issuerId || positionals.length > 1) {
    err(ROTATE_HELP);
    return 2;
  }
  authorize(OPERATOR, 'rotate_key', { kind: 'body', issuerId });
  const current = (await services.keys.publicKeys(issuerId)).find((k) => k.status === 'current');
  if (current && !values.force) {
    let undated = 0;
    for await (const c of unrevokedSignedBy(services.db.kysely, issuerId, current.verification_method)) if (!proofCreated(c.document)) undated++;
    if (undated > 0) {
      err(`${undated} unrevoked credential(s) signed by ${current.verification_method} have undated proofs and would stop verifying once it is retired: re-issue them first, or rotate with --force`);
      return 1;
    }
  }
  // The new key's table version is published with the rotation, not at the next certificate (type-tables.ts).
  const vm = await services.db.kysely.transaction().execute(async (tx) => {
    const made = await rotateIssuerKey(tx, services.keys, issuerId);
    await services.publishTypeTables(tx, { issuerIds: [issuerId] });
    return made;
  });
  out(`new current key: ${vm}`);
  return 0;
}

/** `tanda compromise-key`: an operator command, acting for any certifying body (whoever runs it holds the database). */
export async function compromiseKeyCommand(argv: string[], services: Services): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { reason: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean' }, ...AS_OPTION } });
  const [issuerId] = positionals;
  if (values.help) {
    out(COMPROMISE_HELP);
    return 0;
  }
  if (!issuerId || positionals.length > 1 || !values.reason?.trim()) {
    process.stderr.write(`${COMPROMISE_HELP}\n`);
    return 2;
  }
  const actor = await cliActor(services.db.kysely, values.as);
  authorize(actor, 'compromise_key', { kind: 'body', issuerId });
  const result = await compromiseKey(
    { db: services.db, keys: services.keys, status: services.status, outbox: services.rpl.outbox },
    { issuerId, verificationMethod: values.key, reason: values.reason, actor: { by: actor.id, userId: actor.kind === 'operator' ? null : actor.id } },
  );
  out(
    result.newlyReported
      ? `key ${result.verificationMethod} reported compromised; new current key ${result.replacement}; ${result.statusListsResigned} status list(s) re-signed`
      : `key ${result.verificationMethod} was already reported compromised on ${result.reportedAt} (replaced by ${result.replacement}); resuming`,
  );
  out(`re-issued ${result.reissued.length} credential(s), ${result.notified} holder(s) notified`);
  for (const f of result.failed) out(`not re-issued: ${f.credentialId}: ${f.code}: ${f.message}`);
  out(result.completed ? 'complete: every credential the key signed is revoked or replaced' : 'incomplete: run the command again to retry');
  return result.completed ? 0 : 1;
}
