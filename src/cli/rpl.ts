import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyAuditChain } from '../rpl/audit.js';
import { COHORT_ENCODINGS, importCohort, type CohortEncoding, type CohortRowReport } from '../rpl/cohort-import.js';
import { OPERATOR, authorize } from '../policy/policy.js';
import { CertificationBatchWorker, createCertificationBatch, getCertificationBatch, type BatchSelection } from '../rpl/certification-batch.js';
import { ORPHAN_GRACE_MS, sweepEvidence } from '../rpl/evidence.js';
import type { Services } from '../services.js';
import { AS_HELP, AS_OPTION, cliActor } from './actor.js';
import { progressBar } from './progress.js';

export const RPL_HELP = `usage: tanda rpl <command>
  import-cohort <file.csv> --issuer ID --qualification ID|CODE --assessor USER-ID|EMAIL --date YYYY-MM-DD
                [--centre ID] [--country CC] [--ref COHORT-REF] [--report out.json] [--encoding ENC]
                 import an assessment day: one candidate and their per-unit decisions per row (each row
                 all-or-nothing); cases land in "decided" for moderation. Safe to run again (after a crash):
                 rows an earlier run imported are skipped, and a candidate with a case for the qualification and
                 day already is reported as a duplicate. ENC: ${COHORT_ENCODINGS.join('|')} (default auto: a
                 byte-order mark, else UTF-8; a file with bytes invalid in it is refused)
  certify-batch  --as OFFICER (--cases FILE | --qualification ID|CODE [--ref COHORT-REF]) [--wait]
                 certify a set of cases as a certification batch: the case ids in FILE (one a line), or every
                 moderated case of the officer's body for the qualification (and cohort). The server's worker
                 certifies them (each case in its own transaction; a batch cut short resumes where it stopped);
                 --wait certifies them here and shows the progress. ${AS_HELP}
  audit-verify   check the audit log's hash chain; exit 1 and name the first broken link if it is broken
  sweep-evidence [--grace-minutes N]
                 remove evidence files no row references and abandoned upload leftovers older than N minutes
                 (default 60; the server also does this every hour)`;

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** The shared progress bar, with each failed row reported on its own line as it happens. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (done: number, total: number, last: CohortRowReport) => void {
  const bar = progressBar('', stream, 'rows');
  return (done, total, last) => {
    if (last.status === 'failed' || last.status === 'duplicate') {
      if (stream.isTTY) stream.write('\n');
      stream.write(`  line ${last.line}: ${last.errors?.join('; ')}\n`);
    }
    bar(done, total);
  };
}

/**
 * Certifies the batch's items in this process (beside any server working on it: items are leased) and shows the
 * progress until the batch is completed. Exit 1 if any case failed.
 */
async function waitForBatch(services: Services, actor: Awaited<ReturnType<typeof cliActor>>, id: string): Promise<number> {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const worker = new CertificationBatchWorker(services.rpl, { log: quiet, batchId: id });
  const bar = progressBar('', process.stderr, 'cases');
  for (;;) {
    const round = await worker.runOnce();
    const view = await getCertificationBatch(services.rpl, actor, id);
    bar(view.done + view.failed, view.total);
    if (view.state === 'completed') {
      out(`certification batch ${id}: ${view.done} certified, ${view.failed} failed of ${view.total}`);
      for (const item of view.items ?? []) {
        if (item.state === 'failed') out(`  case ${item.caseId}: FAILED ${item.error?.code}: ${item.error?.message}`);
      }
      return view.failed ? 1 : 0;
    }
    // Items another process holds: wait for it (or for its lease to run out).
    if (round.processed === 0) await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `tanda rpl …`: operator commands on the RPL workflow. */
export async function rplCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'import-cohort': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          issuer: { type: 'string' }, qualification: { type: 'string' }, assessor: { type: 'string' }, date: { type: 'string' },
          centre: { type: 'string' }, country: { type: 'string' }, ref: { type: 'string' }, report: { type: 'string' },
          encoding: { type: 'string' },
        },
      });
      const [file] = positionals;
      const encoding = (values.encoding ?? 'auto').toLowerCase().replace(/^utf8$/, 'utf-8');
      if (!file || !values.issuer || !values.qualification || !values.assessor || !values.date || !(COHORT_ENCODINGS as readonly string[]).includes(encoding)) {
        err(RPL_HELP);
        return 2;
      }
      // The decisions are the assessor's: the import is done, and recorded, as theirs (an active staff account).
      const actor = await cliActor(services.db.kysely, values.assessor);
      authorize(actor, 'import', { kind: 'cohort', issuerId: values.issuer });
      const ref = values.ref ?? `${values.date}-${values.centre ?? values.country ?? 'cohort'}`;
      const report = await importCohort(services.rpl, actor, fs.readFileSync(file), {
        issuerId: values.issuer, qualification: values.qualification, assessorId: actor.id, centreId: values.centre ?? null,
        country: values.country ?? null, assessedOn: values.date, cohortRef: ref, encoding: encoding as CohortEncoding,
      }, progressPrinter());
      if (values.report) fs.writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
      const resumed = report.alreadyImported ? `, ${report.alreadyImported} imported by an earlier run` : '';
      const duplicates = report.duplicates ? `, ${report.duplicates} duplicate` : '';
      out(`cohort ${ref}: ${report.imported} imported${resumed}${duplicates}, ${report.failed} failed of ${report.total} row(s)`);
      for (const r of report.rows) {
        if (r.status === 'imported') out(`  line ${r.line}: case ${r.caseId} (${r.outcome}${r.reusedCandidate ? ', existing candidate' : ''})`);
        else if (r.status === 'already_imported') out(`  line ${r.line}: case ${r.caseId} (imported by an earlier run)`);
        else if (r.status === 'duplicate') out(`  line ${r.line}: DUPLICATE of case ${r.caseId}: ${r.errors?.join('; ')}`);
        else out(`  line ${r.line}: FAILED ${r.errors?.join('; ')}`);
      }
      return report.failed ? 1 : 0;
    }
    case 'certify-batch': {
      const { values } = parseArgs({ args: rest, options: { ...AS_OPTION, cases: { type: 'string' }, qualification: { type: 'string' }, ref: { type: 'string' }, wait: { type: 'boolean' } } });
      const actor = await cliActor(services.db.kysely, values.as);
      authorize(actor, 'certify', { kind: 'cohort', issuerId: actor.issuerId });
      if (!values.cases === !values.qualification) {
        err(RPL_HELP);
        return 2;
      }
      const selection: BatchSelection = values.cases
        ? { caseIds: fs.readFileSync(values.cases, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) }
        : { qualificationId: values.qualification!, ...(values.ref ? { cohortRef: values.ref } : {}) };
      const batch = await createCertificationBatch(services.rpl, actor, selection);
      out(`certification batch ${batch.id}: ${batch.total} case(s)`);
      if (!values.wait) {
        out('  the server certifies them in the background; follow it with GET /certification-batches/' + batch.id);
        return 0;
      }
      return waitForBatch(services, actor, batch.id);
    }
    case 'audit-verify': {
      authorize(OPERATOR, 'verify_chain', { kind: 'audit', issuerId: null });
      const result = await verifyAuditChain(services.db.kysely);
      if (result.valid) {
        out(`audit chain intact: ${result.entries} entries`);
        return 0;
      }
      out(`audit chain BROKEN at entry ${result.firstBroken!.seq} (${result.firstBroken!.reason}): ${result.firstBroken!.message}; entries 1-${result.lastValidSeq} check out`);
      return 1;
    }
    case 'sweep-evidence': {
      const { values } = parseArgs({ args: rest, options: { 'grace-minutes': { type: 'string' } } });
      const minutes = values['grace-minutes'] === undefined ? ORPHAN_GRACE_MS / 60_000 : Number(values['grace-minutes']);
      if (!Number.isFinite(minutes) || minutes < 0) {
        err(RPL_HELP);
        return 2;
      }
      authorize(OPERATOR, 'run', { kind: 'deployment' });
      const swept = await sweepEvidence(services.rpl, minutes * 60_000);
      out(`evidence sweep: ${swept.orphansRemoved} orphan file(s), ${swept.stagingRemoved} upload leftover(s) and ${swept.uploadsRemoved} abandoned resumable upload(s) removed`);
      return 0;
    }
    default:
      (sub === undefined || sub === 'help' ? out : err)(RPL_HELP);
      return sub === undefined || sub === 'help' ? 0 : 2;
  }
}
