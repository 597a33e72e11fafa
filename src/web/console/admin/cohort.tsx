import { useState } from 'preact/hooks';
import type { AssessmentCentre as Centre } from '../../../frameworks/types.js';
import type { CohortReport, CohortRowReport } from '../../../rpl/cohort-import.js';
import type { ConsoleKey } from '../i18n/index.js';
import { useLoad } from '../load.js';
import { PAGE_SIZE, uncountedPage } from '../pages.js';
import { lang, query, session, t } from '../shell.js';
import { ENCODINGS, templateCsv } from './columns.js';
import { get, send } from './http.js';
import { Problem, Table, textIn } from './ui.js';

interface Qualification {
  id: string;
  code: string;
  titles: Record<string, string>;
  units: Array<{ code: string; kind: 'core' | 'elective' }>;
}

const STATUS: Record<CohortRowReport['status'], ConsoleKey> = {
  imported: 'admin.cohort.status.imported',
  already_imported: 'admin.cohort.status.already',
  duplicate: 'admin.cohort.status.duplicate',
  failed: 'admin.cohort.status.failed',
};
const OUTCOME: Record<string, ConsoleKey> = {
  full_qualification: 'admin.stats.v.full',
  statement_of_attainment: 'admin.stats.v.statement',
  not_yet_competent: 'admin.stats.v.nyc',
};

/** An assessor sends their assessment day's sheet and reads what became of every row. */
export function CohortImportScreen() {
  const me = session.value!;
  const [search, setSearch] = useState('');
  const [qualification, setQualification] = useState('');
  const [report, setReport] = useState<CohortReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // A picker, not a list to page through: the first page of matches, and a word when more match than it holds.
  const quals = useLoad(
    () => get<{ qualifications: Qualification[] }>(`/qualifications${query({ q: search, limit: PAGE_SIZE + 1 })}`).then((r) => uncountedPage(r.qualifications, 0)),
    [search],
  );
  const issuers = useLoad(() => get<{ issuers: Array<{ id: string; assessmentCentres: Centre[] }> }>('/issuers'), []);
  const centres = issuers.data?.issuers.find((i) => i.id === me.body?.id)?.assessmentCentres ?? [];
  const list = quals.data?.items ?? [];
  const chosen = list.find((q) => q.id === qualification) ?? list[0];

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const file = form.get('file');
    setError(null);
    setReport(null);
    if (!(file instanceof File) || file.size === 0) {
      setError(new Error('no file'));
      return;
    }
    setBusy(true);
    try {
      setReport(await sendCohort(form));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>{t('admin.cohort.title')}</h1>
      <p class="note">{t('admin.cohort.intro')}</p>
      <form class="card" onSubmit={submit}>
        <label for="cohort-search">{t('admin.cohort.findQualification')}</label>
        <input
          id="cohort-search"
          type="search"
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
          // Enter narrows the list; it must not send the sheet.
          onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
        />
        {quals.data?.more && <p class="note" id="cohort-more" role="status">{t('admin.cohort.moreQualifications')}</p>}
        <label for="cohort-qualification">{t('admin.cohort.qualification')}</label>
        <select id="cohort-qualification" name="qualification" required aria-describedby={quals.data?.more ? 'cohort-more' : undefined} value={chosen?.id ?? ''} onChange={(e) => setQualification((e.currentTarget as HTMLSelectElement).value)}>
          {list.map((q) => (
            <option key={q.id} value={q.id}>
              {q.code} — {textIn(q.titles, lang.value)}
            </option>
          ))}
        </select>
        <label for="cohort-centre">{t('admin.cohort.centre')}</label>
        <select id="cohort-centre" name="centreId">
          <option value="">{t('admin.cohort.noCentre')}</option>
          {centres.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.city ? `${c.city}, ` : ''}{c.country})
            </option>
          ))}
        </select>
        <label for="cohort-country">{t('admin.cohort.country')}</label>
        <input id="cohort-country" name="country" type="text" pattern="[A-Za-z]{2}" maxLength={2} autocomplete="off" aria-describedby="cohort-country-note" />
        <p class="note" id="cohort-country-note">{t('admin.cohort.countryNote')}</p>
        <label for="cohort-date">{t('admin.cohort.date')}</label>
        <input id="cohort-date" name="date" type="date" required />
        <label for="cohort-ref">{t('admin.cohort.ref')}</label>
        <input id="cohort-ref" name="cohortRef" type="text" maxLength={100} autocomplete="off" />
        <label for="cohort-encoding">{t('admin.cohort.encoding')}</label>
        <select id="cohort-encoding" name="encoding">
          {ENCODINGS.map((x) => (
            <option key={x} value={x}>
              {x === 'auto' ? t('admin.cohort.encodingAuto') : x.toUpperCase()}
            </option>
          ))}
        </select>
        <label for="cohort-file">{t('admin.cohort.file')}</label>
        <input id="cohort-file" name="file" type="file" accept=".csv,text/csv" required />
        <p>
          <button type="submit" disabled={busy}>{busy ? t('admin.cohort.sending') : t('admin.cohort.send')}</button>
          <a class="button secondary" download={`cohort-template-${chosen?.code ?? 'sheet'}.csv`} href={`data:text/csv;charset=utf-8,${encodeURIComponent(templateCsv(chosen))}`}>
            {t('admin.cohort.template')}
          </a>
        </p>
      </form>
      {error instanceof Error && error.message === 'no file' ? <p class="error" role="alert">{t('admin.cohort.noFile')}</p> : <Problem error={error} />}
      {report && <CohortReportView report={report} />}
    </>
  );
}

/**
 * The sheet to POST /cohort-imports: its bytes as they are (the server decodes them in the declared encoding, as the
 * CLI does), the day's details in the query.
 */
async function sendCohort(form: FormData): Promise<CohortReport> {
  const v = (k: string) => String(form.get(k) ?? '').trim();
  const q = query({ qualification: v('qualification'), date: v('date'), centreId: v('centreId'), country: v('country').toUpperCase(), cohortRef: v('cohortRef'), encoding: v('encoding') === 'auto' ? '' : v('encoding') });
  return send<CohortReport>('POST', `/cohort-imports${q}`, { raw: form.get('file') as File, type: 'text/csv' });
}

export function CohortReportView({ report }: { report: CohortReport }) {
  const nothing = report.failed > 0 && report.imported === 0;
  return (
    <section class="card" aria-labelledby="cohort-report">
      <h2 id="cohort-report">{t('admin.cohort.report')}</h2>
      <p role="status" class={report.failed ? 'error' : 'ok'}>
        {report.failed
          ? nothing
            ? t('admin.cohort.nothingImported', { failed: report.failed, total: report.total })
            : t('admin.cohort.someFailed', { imported: report.imported, failed: report.failed, total: report.total })
          : t('admin.cohort.allImported', { imported: report.imported, total: report.total })}
      </p>
      {report.duplicates + report.alreadyImported > 0 && <p class="note">{t('admin.cohort.duplicatesNote', { n: report.duplicates + report.alreadyImported })}</p>}
      <dl>
        <dt>{t('admin.cohort.ref')}</dt>
        <dd>{report.cohortRef}</dd>
        <dt>{t('admin.cohort.status.imported')}</dt>
        <dd>{report.imported}</dd>
        <dt>{t('admin.cohort.status.already')}</dt>
        <dd>{report.alreadyImported}</dd>
        <dt>{t('admin.cohort.status.duplicate')}</dt>
        <dd>{report.duplicates}</dd>
        <dt>{t('admin.cohort.status.failed')}</dt>
        <dd>{report.failed}</dd>
        {report.encoding && (
          <>
            <dt>{t('admin.cohort.encoding')}</dt>
            <dd>{report.encoding.toUpperCase()}</dd>
          </>
        )}
      </dl>
      <Table
        label={t('admin.cohort.report')}
        class="cohort-rows"
        columns={['admin.line.heading', 'admin.cohort.rowStatus', 'admin.cohort.rowDetail']}
        rows={report.rows}
        rowKey={(r) => r.line}
        rowClass={(r) => (r.status === 'failed' ? 'failed' : undefined)}
        cells={(r) => [
          r.line,
          <span class={`badge ${r.status === 'imported' ? 'competent' : r.status === 'failed' ? 'nyc' : ''}`}>{t(STATUS[r.status])}</span>,
          <>
            {/* A duplicate's sentence is the same on every such row: the note above says it once. */}
            {r.status === 'failed' && r.code && <span class="badge">{r.code}</span>}
            {r.status === 'failed' && r.errors?.length ? (
              <ul class="row-errors">
                {r.errors.map((m, i) => <li key={i}>{m}</li>)}
              </ul>
            ) : null}
            {r.caseId && (
              <span>
                {t(r.status === 'duplicate' ? 'admin.cohort.duplicateOf' : 'admin.cohort.case', { id: r.caseId.slice(0, 8) })}
                {r.outcome && OUTCOME[r.outcome] ? ` · ${t(OUTCOME[r.outcome]!)}` : ''}
                {r.reusedCandidate && r.status === 'imported' ? ` · ${t('admin.cohort.reused')}` : ''}
              </span>
            )}
          </>,
        ]}
      />
    </section>
  );
}
