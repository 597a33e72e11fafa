import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { PAPERS, SECOND_LANGS, type Paper, type SecondLang } from '../certificates/view.js';
import { authorize } from '../policy/policy.js';
import { credentialScope, whereCredentialInScope } from '../policy/scope.js';
import type { Services } from '../services.js';
import { AS_HELP, AS_OPTION, cliActor } from './actor.js';
import { progressBar } from './progress.js';

export const CERTIFICATES_HELP = `usage: tanda certificates <command>
  print <credential-id> [--out file.pdf] [--paper A4|Letter] [--lang id|fil|th|vi|km|lo|my|ms]
                 one certificate as a PDF
  batch [<credential-id> …] [--issuer ID] [--qualification ID] [--since YYYY-MM-DD] --out cohort.pdf|cohort.zip
                 [--paper …] [--lang …]
                 a cohort with a progress bar: cohort.pdf is one PDF, one page per certificate; cohort.zip holds
                 one PDF per certificate, rendered on every core (faster for large cohorts); without ids, every
                 catalogue award matching the filters
  both: ${AS_HELP}; certificates of that account's certifying body only`;

const options = {
  out: { type: 'string' },
  paper: { type: 'string' },
  lang: { type: 'string' },
  issuer: { type: 'string' },
  qualification: { type: 'string' },
  since: { type: 'string' },
  ...AS_OPTION,
} as const;

function printOptions(values: { paper?: string | undefined; lang?: string | undefined }): { paper?: Paper; lang?: SecondLang } {
  if (values.paper && !(PAPERS as readonly string[]).includes(values.paper)) throw new Error(`--paper must be one of ${PAPERS.join(', ')}`);
  if (values.lang && !(SECOND_LANGS as readonly string[]).includes(values.lang)) throw new Error(`--lang must be one of ${SECOND_LANGS.join(', ')}`);
  return { ...(values.paper ? { paper: values.paper as Paper } : {}), ...(values.lang ? { lang: values.lang as SecondLang } : {}) };
}

/** `tanda certificates …`: print one certificate or a whole cohort from the database. */
export async function certificatesCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options });
  if (sub !== 'print' && sub !== 'batch') {
    process.stderr.write(`${CERTIFICATES_HELP}\n`);
    return 2;
  }
  const actor = await cliActor(services.db.kysely, values.as);
  const printable = async (id: string) => {
    const stored = (await services.credentials.find(id)) ?? (await services.credentials.find(`urn:uuid:${id}`));
    if (!stored) throw new Error(`no credential ${id}`);
    authorize(actor, 'print', { kind: 'credential', issuerId: stored.issuerId, holderUserId: stored.holderUserId });
    return stored;
  };
  switch (sub) {
    case 'print': {
      const [id] = positionals;
      if (!id) break;
      const stored = await printable(id);
      const out = values.out ?? `certificate-${stored.id.replace(/^urn:uuid:/, '')}.pdf`;
      fs.writeFileSync(out, await services.certificates.pdf(stored, printOptions(values)));
      process.stdout.write(`${out}\n`);
      return 0;
    }
    case 'batch': {
      if (!values.out) break;
      let ids = positionals;
      if (ids.length === 0) {
        let query = services.db.kysely
          .selectFrom('awards')
          .innerJoin('credentials', 'credentials.id', 'awards.credential_id')
          .select('awards.credential_id')
          .where(whereCredentialInScope(credentialScope(actor)))
          .orderBy('credentials.holder_name');
        if (values.issuer) query = query.where('credentials.issuer_id', '=', values.issuer);
        if (values.qualification) query = query.where('awards.qualification_id', '=', values.qualification);
        if (values.since) query = query.where('credentials.created_at', '>=', values.since);
        ids = (await query.execute()).map((r) => r.credential_id);
      }
      if (ids.length === 0) throw new Error('no certificate matches');
      for (const id of positionals) await printable(id);
      const batch = { ...printOptions(values), onProgress: progressBar('certificates') };
      if (values.out.toLowerCase().endsWith('.zip')) {
        try {
          fs.writeFileSync(values.out, await services.certificates.batchZip(ids, batch));
        } finally {
          await services.certificates.close();
        }
      } else {
        fs.writeFileSync(values.out, await services.certificates.batchPdf(ids, batch));
      }
      process.stdout.write(`${values.out} (${ids.length} certificates)\n`);
      return 0;
    }
  }
  process.stderr.write(`${CERTIFICATES_HELP}\n`);
  return 2;
}
