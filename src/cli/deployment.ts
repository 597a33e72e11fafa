import os from 'node:os';
import { parseArgs } from 'node:util';
import { changePublicUrl, recordedPublicUrl } from '../deployment/public-url.js';
import { OPERATOR, authorize } from '../policy/policy.js';
import type { Services } from '../services.js';

export const DEPLOYMENT_HELP = `usage: tanda deployment <command>
  show                            the deployment's recorded public URL (every instance must run under it)
  set-public-url <url> [--force]  change it (audited). Refused while credentials name the old URL in their status
                                  entry unless --force: printed certificates keep the old URL. Restart every
                                  instance afterwards; one still configured with the old URL refuses to start.`;

/** `tanda deployment …`: facts every instance shares, kept in the database (docs/scale-out.md). */
export async function deploymentCommand(argv: string[], services: Services): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean' } } });
  const [sub, url] = positionals;
  if (sub === 'show' && positionals.length === 1) {
    authorize(OPERATOR, 'run', { kind: 'deployment' });
    const recorded = await recordedPublicUrl(services.db);
    process.stdout.write(recorded ? `${recorded.url}  (recorded ${recorded.recordedAt}, ${recorded.recordedBy})\n` : 'no public URL recorded yet: the first server start records its own\n');
    return 0;
  }
  if (sub === 'set-public-url' && url && positionals.length === 2) {
    authorize(OPERATOR, 'run', { kind: 'deployment' });
    const change = await changePublicUrl(services.db, { to: url, by: `cli:${os.userInfo().username}`, force: values.force === true });
    if (change.from === change.to) {
      process.stdout.write(`the public URL is already ${change.to}\n`);
      return 0;
    }
    if (change.issuedUnderOld) process.stderr.write(`warning: ${change.issuedUnderOld} credential(s) still name ${change.from ?? 'the old URL'}; their status cannot be checked under the new URL\n`);
    process.stdout.write(`public URL ${change.from ?? '(none)'} → ${change.to}; restart every instance with TANDA_PUBLIC_URL=${change.to} or without it\n`);
    return 0;
  }
  process.stderr.write(`${DEPLOYMENT_HELP}\n`);
  return sub === undefined || sub === 'help' ? 0 : 2;
}
