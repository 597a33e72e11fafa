import type { Executor } from '../db/database.js';
import { TandaError } from '../errors.js';
import { OPERATOR, type Actor } from '../policy/policy.js';

/**
 * Who a CLI command acts as. Whoever runs `tanda` on the deployment's machine holds its database and master key: the
 * policy calls them the operator, who runs deployment tasks (migrations, registry imports, keys, trust bundles).
 * Work on a body's credentials and returnees is done as a named, active staff account (`--as EMAIL|USER-ID`, or
 * TANDA_AS), so the body rules of the policy hold on the command line as they do over HTTP, and the audit chain
 * names a person rather than a machine.
 */
export async function cliActor(executor: Executor, as: string | undefined = process.env.TANDA_AS): Promise<Actor> {
  if (!as) return OPERATOR;
  const user = await executor
    .selectFrom('users')
    .select(['id', 'role', 'issuer_id', 'disabled'])
    .where((eb) => eb.or([eb('id', '=', as), eb('email', '=', as.toLowerCase())]))
    .executeTakeFirst();
  if (!user || Number(user.disabled) || user.role === 'candidate') throw new TandaError('invalid_credentials', `no active staff account ${as}`);
  return { id: user.id, role: user.role, issuerId: user.issuer_id };
}

export const AS_OPTION = { as: { type: 'string' } } as const;
export const AS_HELP = '--as EMAIL|USER-ID (or TANDA_AS): the staff account this is done as';
