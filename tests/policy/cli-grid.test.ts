import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAward } from '../../src/awards/award-service.js';
import { certificatesCommand, CERTIFICATES_HELP } from '../../src/cli/certificates.js';
import { deploymentCommand, DEPLOYMENT_HELP } from '../../src/cli/deployment.js';
import { issuersCommand, ISSUERS_HELP } from '../../src/cli/issuers.js';
import { compromiseKeyCommand, rotateKeyCommand } from '../../src/cli/keys.js';
import { main } from '../../src/cli/main.js';
import { outboxCommand, OUTBOX_HELP } from '../../src/cli/outbox.js';
import { registryCommand, REGISTRY_HELP } from '../../src/cli/registry.js';
import { rplCommand, RPL_HELP } from '../../src/cli/rpl.js';
import { statusCommand, STATUS_HELP } from '../../src/cli/status.js';
import { tokensCommand, TOKENS_HELP } from '../../src/cli/tokens.js';
import { backupCommand } from '../../src/cli/backup.js';
import { createApiTokenRow } from '../../src/auth/tokens.js';
import { bundleCommand } from '../../src/cli/verify.js';
import type { Role } from '../../src/db/schema.js';
import { isTandaError } from '../../src/errors.js';
import { createIssuer } from '../../src/issuers/issuers.js';
import { setIssuerProfile } from '../../src/issuers/profile.js';
import type { Services } from '../../src/services.js';
import { captured } from '../helpers/cli.js';
import { withEnv } from '../helpers/env.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { testDialect } from '../helpers/db.js';
import { caseAtState, HOUSEKEEPING, HOUSEKEEPING_UNITS, rplFixture, type RplFixture } from '../rpl/fixtures.js';

/*
 * The access grid of the command line: every database command of `tanda` × every kind of caller — the operator
 * (no --as), and for the commands that act as a named account (`--as`, or `--assessor` for a cohort import) each staff
 * role of the resource's own body, of another body and of none, a returnee's account, disabled staff accounts and an
 * unknown one. Allowed calls exit 0; every other one is refused with the code written here — written by hand, not
 * derived from src/policy. A command (or subcommand) `tanda --help` lists that is missing here fails the first test.
 */

const STAFF: Exclude<Role, 'candidate'>[] = ['admin', 'certifying_officer', 'assessor', 'moderator', 'counsellor'];
const BODIES = ['own', 'other', 'none'] as const;
type StaffWho = `${Exclude<Role, 'candidate'>}@${(typeof BODIES)[number]}`;
/** `disabled:*`: a disabled account of the own body with that role; `unknown`: an address no account has. */
type Who = 'operator' | 'candidate' | 'disabled:certifying_officer' | 'disabled:assessor' | 'unknown' | StaffWho;
const STAFF_WHO: StaffWho[] = STAFF.flatMap((r) => BODIES.map((b) => `${r}@${b}` as StaffWho));
const NAMED: Who[] = [...STAFF_WHO, 'candidate', 'disabled:certifying_officer', 'disabled:assessor', 'unknown'];

const ADMINS: Who[] = ['admin@own', 'admin@other', 'admin@none'];
const OWN_STAFF: Who[] = ['certifying_officer@own', 'assessor@own', 'moderator@own', 'counsellor@own'];
/** Non-admin staff of another body or of none: a body's credentials are not theirs to know of. */
const OUTSIDERS: Who[] = (['certifying_officer', 'assessor', 'moderator', 'counsellor'] as const).flatMap((r) => [`${r}@other`, `${r}@none`] as Who[]);
/** Accounts the command line does not act as: refused with invalid_credentials before any policy question. */
const NOT_STAFF: Who[] = ['candidate', 'disabled:certifying_officer', 'disabled:assessor', 'unknown'];

type Command = (argv: string[], services: Services) => Promise<number>;

interface Row {
  command: string;
  run: Command;
  /** How a named caller is given: `--as` (most), `--assessor` (cohort import); none: an operator-only task. */
  asFlag?: '--as' | '--assessor';
  /** Exit 0. */
  ok: Who[];
  /** not_found: outside the caller's reach. */
  hidden?: Who[];
  /** reason_required: an admin, who cannot state a reason on the command line. */
  reason?: Who[];
  /** invalid_credentials (default: NOT_STAFF for an `--as` row). */
  invalid?: Who[];
  /** Another outcome for a caller: an exit code other than 0 (a usage error, a refusal that is not a TandaError), or a
   * refusal the domain makes after the policy allowed the call. */
  special?: Partial<Record<Who, Expected>>;
  /** The command line without the caller (`ok`: whether it should succeed, so a call that changes something gets a
   * fresh resource). Everyone named and not listed above is refused with forbidden. */
  argv: (who: Who, ok: boolean) => Promise<string[]> | string[];
  /** The account id to name for `who` when it is not the shared one (a throwaway body's own staff). */
  account?: (who: Who) => Promise<string | undefined>;
}

let t: TestContext;
let f: RplFixture;
let dir: string;
const accounts = new Map<Who, string>();
let credentialId: string;
const OTHER_BODY = 'cli-grid-other-body';
const unique = () => crypto.randomBytes(4).toString('hex');
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const roleOf = (who: Who): Role => who.replace(/^disabled:/, '').split('@')[0] as Role;

/** A credential of the own body (a fresh one for each call that revokes). */
async function freshCredential(): Promise<string> {
  const officer = { id: accounts.get('certifying_officer@own')!, role: 'certifying_officer' as const, issuerId: t.issuer.id };
  const award = await issueAward(t.services, officer, { issuerId: t.issuer.id, qualificationId: HOUSEKEEPING, achievedUnitIds: HOUSEKEEPING_UNITS, holder: { name: 'Maricel Dela Cruz' } });
  return String(award.credential.id);
}

/** A moderated case of the own body, every unit Competent: one a batch can certify. */
let returneeId: string | undefined;
async function moderatedCase(): Promise<string> {
  returneeId ??= (await f.registerCandidate()).id;
  return caseAtState(t, 'moderated', { candidateId: returneeId, assessorId: accounts.get('assessor@own')!, moderatorId: accounts.get('moderator@own')!, outcome: 'full_qualification' });
}

/** A body made for one key command, so a key it reports or rotates is nobody else's; its own staff are made on demand. */
let throwaway: string;
async function throwawayBody(): Promise<string> {
  throwaway = `cli-grid-${unique()}`;
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: throwaway, name: 'Throwaway Body', country: 'PH', didMethod: 'key' });
  return throwaway;
}
const throwawayStaff = async (who: Who) => (who.endsWith('@own') ? (await t.login(roleOf(who), { issuerId: throwaway })).userId : undefined);

let mappingDay = 0;
const COHORT_HEADER = 'full_name,email,phone,sex,birth_year,country_of_work,sector,years_experience,national_id,consent_purpose,decisions,methods';
const ALL_C = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';

const GRID: Row[] = [
  // Deployment tasks: the operator's, with no --as.
  {
    command: 'registry import-mapping', run: registryCommand, ok: ['operator'],
    argv: () => ['import-mapping', file(`map-${unique()}.csv`, 'national_level,aqrf_level\n1,1\n'), '--framework', 'my-mqf', '--status', 'provisional', '--source', 'cli grid', '--valid-from', new Date(Date.now() + 86_400_000 * ++mappingDay).toISOString().slice(0, 10), '--id', `cli-grid-${unique()}`],
  },
  {
    command: 'registry import-catalogue', run: registryCommand, ok: ['operator'],
    argv: () => {
      const u = unique().toUpperCase();
      return ['import-catalogue', file(`cat-${u}.json`, JSON.stringify({
        units: [{ code: `GRID-U-${u}`, titles: { en: 'Unit' }, scheme: 'TEST' }],
        qualifications: [{ slug: `grid-q-${u.toLowerCase()}`, code: `GRID-Q-${u}`, titles: { en: 'Grid qualification' }, frameworkId: 'mm-nssa-nsqf', nationalLevel: 1, sector: 'Construction', core: [`GRID-U-${u}`] }],
      })), '--demo'];
    },
  },
  { command: 'registry load-frameworks', run: registryCommand, ok: ['operator'], argv: () => ['load-frameworks'] },
  { command: 'registry snapshot', run: registryCommand, ok: ['operator'], argv: () => ['snapshot'] },
  { command: 'trust-bundle export', run: bundleCommand, ok: ['operator'], argv: () => ['export', path.join(dir, 'bundle.json')] },
  {
    command: 'trust-bundle import', run: bundleCommand, ok: ['operator'],
    argv: async () => {
      const exported = path.join(dir, `bundle-${unique()}.json`);
      await captured(() => bundleCommand(['export', exported], t.services));
      return ['import', exported];
    },
  },
  { command: 'status refresh', run: statusCommand, ok: ['operator'], argv: () => ['refresh'] },
  { command: 'rpl audit-verify', run: rplCommand, ok: ['operator'], argv: () => ['audit-verify'] },
  { command: 'rpl sweep-evidence', run: rplCommand, ok: ['operator'], argv: () => ['sweep-evidence'] },
  { command: 'outbox flush', run: outboxCommand, ok: ['operator'], argv: () => ['flush', '--rounds', '1'] },
  { command: 'rotate-key', run: rotateKeyCommand, ok: ['operator'], argv: async () => [await throwawayBody()] },
  { command: 'admin-token', run: (argv) => adminToken(argv), ok: ['operator'], argv: () => ['admin-token'] },
  { command: 'deployment show', run: deploymentCommand, ok: ['operator'], argv: () => ['show'] },
  // Credentials exist under the URL by now, and none was recorded: only --force records it (to the same URL).
  { command: 'deployment set-public-url', run: deploymentCommand, ok: ['operator'], argv: () => ['set-public-url', t.services.config.publicUrl, '--force'] },
  { command: 'tokens list', run: tokensCommand, ok: ['operator'], argv: () => ['list'] },
  { command: 'tokens revoke', run: tokensCommand, ok: ['operator'], argv: async () => ['revoke', (await createApiTokenRow(t.db.kysely, accounts.get('assessor@own')!, 'cli grid')).id] },
  // Backup copies the embedded SQLite file (on PostgreSQL it refuses and points to pg_dump: a deployment task either way).
  ...(testDialect === 'sqlite'
    ? [{ command: 'backup', run: (argv: string[]) => adminToken(argv), ok: ['operator'] as Who[], argv: () => ['backup', path.join(dir, `backup-${unique()}.db`)] }]
    : [{ command: 'backup', run: backupCommand, ok: [] as Who[], special: { operator: { code: 'invalid_config' } }, argv: () => [path.join(dir, `backup-${unique()}.db`)] }]),
  { command: 'restore', run: (argv) => restoreOnFreshDir(argv), ok: ['operator'], argv: () => [] },

  // Work on a body's credentials, as a named staff account of that body.
  {
    command: 'status revoke', run: statusCommand, asFlag: '--as',
    ok: ['certifying_officer@own'], hidden: ['operator', ...OUTSIDERS],
    argv: async (_who, ok) => ['revoke', ok ? await freshCredential() : credentialId, '--reason', 'error'],
  },
  {
    command: 'status show', run: statusCommand, asFlag: '--as',
    ok: OWN_STAFF, hidden: ['operator', ...OUTSIDERS], reason: ADMINS,
    argv: () => ['show', credentialId],
  },
  {
    command: 'certificates print', run: certificatesCommand, asFlag: '--as',
    ok: OWN_STAFF, hidden: ['operator', ...OUTSIDERS], reason: ADMINS,
    argv: () => ['print', credentialId, '--out', path.join(dir, 'one.pdf')],
  },
  {
    command: 'certificates batch', run: certificatesCommand, asFlag: '--as',
    ok: OWN_STAFF, hidden: ['operator', ...OUTSIDERS], reason: ADMINS,
    argv: () => ['batch', credentialId, '--out', path.join(dir, 'cohort.pdf')],
  },
  { command: 'issuers show-profile', run: issuersCommand, asFlag: '--as', ok: ['operator', ...STAFF_WHO], argv: () => ['show-profile', t.issuer.id] },
  {
    command: 'issuers profile', run: issuersCommand, asFlag: '--as',
    ok: ['operator', ...ADMINS, 'certifying_officer@own'],
    argv: () => ['profile', t.issuer.id, '--signatory-name', 'Grid Signatory', '--signatory-title', 'Director'],
  },
  {
    // Each call reports the key of a fresh body; "own" staff are accounts of that body.
    command: 'compromise-key', run: compromiseKeyCommand, asFlag: '--as',
    ok: ['operator', ...ADMINS],
    argv: async () => [await throwawayBody(), '--reason', 'cli grid'],
    account: throwawayStaff,
  },
  {
    // A batch of the own body's cases: its officers; another body's officer is told the cases do not exist.
    command: 'rpl certify-batch', run: rplCommand, asFlag: '--as',
    ok: ['certifying_officer@own'], hidden: ['certifying_officer@other'],
    argv: async () => ['certify-batch', '--cases', file(`batch-${unique()}.txt`, `${await moderatedCase()}\n`)],
  },
  {
    // The import is done as the assessor it names: their decisions, recorded as theirs.
    command: 'rpl import-cohort', run: rplCommand, asFlag: '--assessor',
    ok: ['assessor@own'],
    // Named through cliActor like every --as: a returnee, a disabled or an unknown account is not acted as.
    invalid: NOT_STAFF,
    special: {
      operator: { exit: 2 }, // no --assessor: usage
    },
    argv: () => {
      const u = unique();
      const csv = `${COHORT_HEADER}\nGrid ${u},grid-${u}@example.org,,female,1988,HK,hotel,7,PSN-${u},RPL and certification,${ALL_C},observation\n`;
      return ['import-cohort', file(`cohort-${u}.csv`, csv), '--issuer', t.issuer.id, '--qualification', HOUSEKEEPING, '--country', 'HK', '--date', '2026-06-22'];
    },
  },
];

/** A backup of a deployment of its own, restored into another fresh data dir through `main`. */
let backupFile: string;
const backupKey = crypto.randomBytes(32).toString('base64');
async function restoreOnFreshDir(argv: string[]): Promise<number> {
  if (!backupFile) {
    backupFile = path.join(dir, `grid-${unique()}.backup`);
    if ((await adminToken(['backup', backupFile], backupKey)) !== 0) throw new Error('no backup to restore');
  }
  return adminToken(['restore', ...argv, backupFile], backupKey);
}

/** `admin-token` is defined inside main.ts: run it through `main`, on a deployment of its own (a fresh SQLite data dir). */
async function adminToken(argv: string[], masterKey = crypto.randomBytes(32).toString('base64')): Promise<number> {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-cli-grid-'));
  try {
    return await withEnv({ DATABASE_URL: undefined, TANDA_AS: undefined, TANDA_DATA_DIR: data, TANDA_MASTER_KEY: masterKey, TANDA_PUBLIC_URL: 'https://tanda.test' }, () => main(argv));
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
}

type Expected = { exit: number } | { code: string };
function expected(row: Row, who: Who): Expected {
  if (row.ok.includes(who)) return { exit: 0 };
  const special = row.special?.[who];
  if (special) return special;
  if ((row.invalid ?? (row.asFlag === '--as' ? NOT_STAFF : [])).includes(who)) return { code: 'invalid_credentials' };
  if (row.hidden?.includes(who)) return { code: 'not_found' };
  if (row.reason?.includes(who)) return { code: 'reason_required' };
  return { code: 'forbidden' };
}
const show = (e: Expected) => ('exit' in e ? `exit ${e.exit}` : e.code);

/** Every database command and subcommand `tanda` offers, from its own usage texts. */
async function offeredCommands(): Promise<string[]> {
  const top = (await captured(() => main(['--help']))).err;
  const names = [...top.matchAll(/^ {2}([a-z][a-z-]*) /gm)].map((m) => m[1]!).filter((n) => n !== 'verify');
  const subsOf = (help: string) => [...help.matchAll(/^ {2}([a-z][a-z-]*)(?=\s|$)/gm)].map((m) => m[1]!);
  const bundleUsage = (await captured(() => bundleCommand(['help'], t.services))).err;
  const SUBCOMMANDS: Record<string, string[]> = {
    registry: subsOf(REGISTRY_HELP),
    status: subsOf(STATUS_HELP),
    rpl: subsOf(RPL_HELP),
    outbox: subsOf(OUTBOX_HELP),
    deployment: subsOf(DEPLOYMENT_HELP),
    certificates: subsOf(CERTIFICATES_HELP),
    issuers: subsOf(ISSUERS_HELP),
    tokens: subsOf(TOKENS_HELP),
    'trust-bundle': [...bundleUsage.matchAll(/tanda trust-bundle ([a-z-]+)/g)].map((m) => m[1]!),
  };
  return names.flatMap((n) => (SUBCOMMANDS[n] ? SUBCOMMANDS[n].map((s) => `${n} ${s}`) : [n])).sort();
}

beforeAll(async () => {
  t = await createTestContext();
  f = await rplFixture(t);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-cli-grid-'));
  await createIssuer(t.db.kysely, t.services.keys, t.services.config.publicUrl, { id: OTHER_BODY, name: 'Other Body', country: 'ID', didMethod: 'key' });
  await setIssuerProfile(t.db.kysely, t.issuer.id, { signatoryName: 'Own Signatory', signatoryTitle: 'Chair' }, 'cli-grid');
  for (const role of STAFF) {
    for (const body of BODIES) {
      const issuerId = body === 'own' ? t.issuer.id : body === 'other' ? OTHER_BODY : null;
      accounts.set(`${role}@${body}`, (await t.login(role, { issuerId })).userId);
    }
  }
  accounts.set('candidate', (await f.registerCandidate()).userId);
  for (const role of ['certifying_officer', 'assessor'] as const) {
    const id = (await t.login(role)).userId;
    await t.db.kysely.updateTable('users').set({ disabled: 1 }).where('id', '=', id).execute();
    accounts.set(`disabled:${role}`, id);
  }
  accounts.set('unknown', 'nobody@example.org');
  credentialId = await freshCredential();
}, 120_000);
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
});

describe(`the command-line access grid on ${testDialect}`, () => {
  it('has a row for every database command tanda offers, and none for a command it does not', async () => {
    const offered = await offeredCommands();
    expect(offered.length).toBeGreaterThan(15);
    expect(GRID.map((r) => r.command).sort()).toEqual(offered);
  });

  it.each(GRID.map((r) => [r.command, r] as const))('%s', async (command, row) => {
    const callers: Who[] = row.asFlag ? ['operator', ...NAMED] : ['operator'];
    const wrong: string[] = [];
    for (const who of callers) {
      const want = expected(row, who);
      const argv = await row.argv(who, 'exit' in want && want.exit === 0);
      if (who !== 'operator') argv.push(row.asFlag!, (await row.account?.(who)) ?? accounts.get(who)!);
      let got: Expected;
      try {
        got = { exit: (await captured(() => row.run(argv, t.services))).value };
      } catch (e) {
        got = isTandaError(e) ? { code: e.code } : { code: `(not a TandaError) ${(e as Error).message}` };
      }
      if (show(got) !== show(want)) wrong.push(`${command} as ${who}: wanted ${show(want)}, got ${show(got)}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
