import { issueAdminToken, openAndMigrate } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { isTandaError } from '../errors.js';
import { certificatesCommand } from './certificates.js';
import { deploymentCommand } from './deployment.js';
import { settlePublicUrl } from '../deployment/public-url.js';
import { compromiseKeyCommand, rotateKeyCommand } from './keys.js';
import { outboxCommand } from './outbox.js';
import { issuersCommand } from './issuers.js';
import { registryCommand } from './registry.js';
import { rplCommand } from './rpl.js';
import { statusCommand } from './status.js';
import { tokensCommand } from './tokens.js';
import { BACKUP_HELP, RESTORE_HELP, backupCommand, restoreCommand } from './backup.js';
import { bundleCommand, verifyCommand } from './verify.js';
import { createServices, type Services } from '../services.js';
import { OPERATOR, authorize } from '../policy/policy.js';

type Command = (argv: string[], services: Services) => Promise<number>;

/** Subcommands that work on the database; each module exports its own `xxxCommand(argv, services)`. */
const DB_COMMANDS: Record<string, { help: string; run: Command }> = {
  registry: {
    help: 'registry <command>                frameworks, AQRF mapping tables, catalogue imports (tanda registry help)',
    run: registryCommand,
  },
  status: {
    help: 'status <command>                  revoke a credential, show its history, re-sign lists (tanda status help)',
    run: statusCommand,
  },
  rpl: {
    help: 'rpl <command>                     cohort import from CSV, audit chain check (tanda rpl help)',
    run: rplCommand,
  },
  outbox: {
    help: 'outbox flush                      send due notifications now (the server\'s worker does this on its own)',
    run: outboxCommand,
  },
  'trust-bundle': {
    help: 'trust-bundle export|import        the signed data offline verifiers use (tanda trust-bundle help)',
    run: bundleCommand,
  },
  certificates: {
    help: 'certificates <command>            print a certificate or a cohort into one PDF (tanda certificates help)',
    run: certificatesCommand,
  },
  issuers: {
    help: 'issuers <command>                 a certifying body\'s certificate profile: signatory, logo, seal (tanda issuers help)',
    run: issuersCommand,
  },
  deployment: {
    help: 'deployment show|set-public-url    the public URL every instance shares (tanda deployment help)',
    run: deploymentCommand,
  },
  'rotate-key': {
    help: 'rotate-key <issuer-id> [--force]  make a new signing key current (the old one verifies what it signed before)',
    run: rotateKeyCommand,
  },
  'compromise-key': {
    help: 'compromise-key <issuer-id> --reason TEXT [--key VM]  report a key stolen: refuse all it signed, re-issue under a new key',
    run: compromiseKeyCommand,
  },
  tokens: {
    help: 'tokens list|revoke                API tokens of every account: list them, revoke one (tanda tokens help)',
    run: tokensCommand,
  },
  backup: {
    help: BACKUP_HELP,
    run: backupCommand,
  },
  'admin-token': {
    help: 'admin-token                       print a new admin API token (creating the first admin if there is none)',
    run: async (_argv, services) => {
      authorize(OPERATOR, 'run', { kind: 'deployment' });
      // Printed before it is committed: a token that is stored was shown (see issueAdminToken).
      const result = await issueAdminToken(services.db, services.config, (token) => process.stdout.write(`${token}\n`));
      process.stderr.write(result.created ? 'created the first admin: store its token now\n' : 'a new token for the admin: store it now (tanda tokens list|revoke for old ones)\n');
      return 0;
    },
  },
};

function usage(): string {
  return ['usage: tanda <command> [options]', '', '  verify <file> [--bundle path] [--json] [--update]  verify a certificate offline (PDF, image, QR text, credential JSON); exit 0 VALID, 3 VALID WITH WARNINGS, 1 INVALID, 2 could not check', ...Object.values(DB_COMMANDS).map((c) => `  ${c.help}`), `  ${RESTORE_HELP}`].join('\n');
}

async function runRestore(argv: string[]): Promise<number> {
  try {
    return await restoreCommand(argv);
  } catch (e) {
    process.stderr.write(`tanda restore: ${isTandaError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    return 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // Offline: no database, no configuration beyond the data directory where `trust-bundle import` keeps its files.
  if (name === 'verify') return verifyCommand(rest);
  // Replaces the database file, so it must not have it open.
  if (name === 'restore') return runRestore(rest);
  const command = name ? DB_COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`${usage()}\n`);
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  const config = loadConfig();
  const db = await openAndMigrate(config);
  try {
    // The command that changes the recorded URL must run under a configuration that disagrees with it.
    const settled = name === 'deployment' ? config : await settlePublicUrl(db, config, { record: false });
    return await command.run(rest, createServices(settled, db));
  } catch (e) {
    process.stderr.write(`tanda ${name}: ${isTandaError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}
