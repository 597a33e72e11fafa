import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import { appendAudit } from '../rpl/audit.js';

export interface RecordedPublicUrl {
  url: string;
  recordedAt: string;
  recordedBy: string;
}

export async function recordedPublicUrl(db: Db): Promise<RecordedPublicUrl | undefined> {
  const row = await db.kysely.selectFrom('deployment').selectAll().where('id', '=', 'deployment').executeTakeFirst();
  return row && { url: row.public_url, recordedAt: row.recorded_at, recordedBy: row.recorded_by };
}

export const normalisePublicUrl = (url: string): string => url.replace(/\/+$/, '');

/**
 * The deployment's public URL is one fact stored with the data: every status list entry, did:web document and
 * printed verify link names it, so two instances (or a server and a CLI) that disagree would sign the shared lists
 * under different URLs and each resolve only its own — a revocation through one would be invisible to the other.
 *
 * The first process that may (the server always; the CLI only when TANDA_PUBLIC_URL is set, so a command run before
 * the first start does not fix `localhost` for good) records its URL. From then on a process configured with the
 * same URL or with none runs under the recorded one, and a process configured with another URL is refused: changing
 * it is `tanda deployment set-public-url`, never a side effect of an environment variable.
 */
export async function settlePublicUrl(db: Db, config: Config, options: { record: boolean } = { record: true }): Promise<Config> {
  let recorded = await recordedPublicUrl(db);
  if (!recorded && (options.record || config.publicUrlConfigured)) {
    // Instances starting together: one insert wins, the others read what it recorded.
    await db.kysely
      .insertInto('deployment')
      .values({ id: 'deployment', public_url: config.publicUrl, recorded_at: nowIso(), recorded_by: 'first start' })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    recorded = await recordedPublicUrl(db);
  }
  if (!recorded || recorded.url === config.publicUrl) return config;
  if (!config.publicUrlConfigured) return { ...config, publicUrl: recorded.url };
  throw new TandaError(
    'invalid_config',
    `TANDA_PUBLIC_URL is ${config.publicUrl}, but this deployment's public URL is ${recorded.url} (recorded ${recorded.recordedAt}, ${recorded.recordedBy}). ` +
      'Every credential\'s status list and every printed certificate names the recorded URL, and all instances must share it. ' +
      `Start this instance with TANDA_PUBLIC_URL=${recorded.url} (or without it), or change the deployment's URL deliberately with ` +
      '`tanda deployment set-public-url <url>` (see docs/scale-out.md).',
  );
}

export interface PublicUrlChange {
  from: string | undefined;
  to: string;
  /** Credentials whose status entry names the old URL. */
  issuedUnderOld: number;
}

/**
 * The operator changes the deployment's public URL. Credentials already issued name the old URL in their status entry
 * and printed certificates carry it in their QR codes and verify links; after the change this deployment answers only
 * under the new one, so their status becomes unknown here unless the old address keeps serving (a redirect at the
 * proxy does not help: the list's id must equal the URL the credential names). Refused while such credentials exist,
 * unless `force` says the operator knows; audited either way.
 */
export async function changePublicUrl(db: Db, input: { to: string; by: string; force: boolean }): Promise<PublicUrlChange> {
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(input.to)) throw new TandaError('validation_failed', 'the public URL must be an http(s) URL');
  const to = normalisePublicUrl(input.to);
  return db.kysely.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('deployment').selectAll().where('id', '=', 'deployment').executeTakeFirst();
    const from = row?.public_url;
    if (from === to) return { from, to, issuedUnderOld: 0 };
    const { n } = await tx.selectFrom('status_entries').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const issuedUnderOld = Number(n);
    if (issuedUnderOld > 0 && !input.force) {
      throw new TandaError(
        'conflict',
        `${issuedUnderOld} credential(s) name ${from ?? 'the old URL'} in their status entry, and printed certificates carry it in their QR codes and verify links; ` +
          'after the change their revocation status could no longer be checked here. Keep the old URL, or repeat with --force if you mean it.',
      );
    }
    const values = { public_url: to, recorded_at: nowIso(), recorded_by: `changed by ${input.by}` };
    if (row) await tx.updateTable('deployment').set(values).where('id', '=', 'deployment').execute();
    else await tx.insertInto('deployment').values({ id: 'deployment', ...values }).execute();
    await appendAudit(tx, db.dialect, { actorId: input.by, action: 'deployment.public_url_changed', data: { from: from ?? null, to, issuedUnderOld, forced: input.force } });
    return { from, to, issuedUnderOld };
  });
}
