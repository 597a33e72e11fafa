import { useEffect, useRef, useState } from 'preact/hooks';
import { PAPERS, SECOND_LANGS } from '../../../certificates/view.js';
import type { BatchView, ReadyQualification } from '../../../rpl/certification-batch.js';
import { LANGUAGE_NAMES } from './keys.js';
import { useLoad } from '../load.js';
import { call, errorText, go, query, refusal, said, t, words, type Said } from '../shell.js';
import { CaseFacts, CaseQueue, credentialPath, fireEvent, newKey, refusalText, titleOf, useCaseQueue, useQualification, type OfficeCase } from './common.js';

/**
 * Paper and second language for a certificate, and the links to it: the preview of a moderated case (nothing issued)
 * or the issued credential's PDF to download or open for printing. The server's defaults when nothing is chosen.
 */
function PdfOptions({ path, idPrefix, preview }: { path: string; idPrefix: string; preview?: boolean }) {
  const [paper, setPaper] = useState<string>(PAPERS[0]);
  const [second, setSecond] = useState<string>('');
  const url = `${path}${query({ paper, lang: second })}`;
  return (
    <div class="card">
      {!preview && <h3>{t('office.print.title')}</h3>}
      <div class="filters">
        <div>
          <label for={`${idPrefix}-paper`}>{t('office.print.paper')}</label>
          <select id={`${idPrefix}-paper`} value={paper} onChange={(e) => setPaper((e.currentTarget as HTMLSelectElement).value)}>
            {PAPERS.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </div>
        <div>
          <label for={`${idPrefix}-lang`}>{t('office.print.lang')}</label>
          <select id={`${idPrefix}-lang`} value={second} onChange={(e) => setSecond((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('office.print.langDefault')}</option>
            {SECOND_LANGS.map((l) => <option key={l} value={l}>{LANGUAGE_NAMES[l]}</option>)}
          </select>
        </div>
      </div>
      {preview ? (
        <p>
          <a class="button secondary" id="certificate-preview" href={url} target="_blank" rel="noopener">{t('office.certification.previewOpen')}</a>
        </p>
      ) : (
        <p class="row">
          <a class="button" href={url} download>{t('office.print.download')}</a>
          <a class="button secondary" href={url} target="_blank" rel="noopener">{t('office.print.open')}</a>
        </p>
      )}
    </div>
  );
}

/** Moderated cases of the body: certify one, or many as a batch. */
export function CertificationQueue() {
  const queue = useCaseQueue('moderated');
  const batches = useLoad(() => call<BatchView[]>('GET', '/certification-batches?limit=10'), []);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [by, setBy] = useState<'cases' | 'qualification'>('cases');
  const [qualificationId, setQualificationId] = useState('');
  const [cohortRef, setCohortRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Said | null>(null);
  // One key per intended batch: a second click (or a retry after a lost answer) is the same request, not a second batch.
  const key = useRef(newKey());
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
    key.current = newKey();
  };
  // A batch by qualification takes every moderated case of the body, not only the page shown: its choices are the
  // server's count of them all, asked for only when that kind of batch is picked.
  const ready = useLoad(by === 'qualification' ? () => call<{ qualifications: ReadyQualification[] }>('GET', '/certification-batches/ready') : null, [by]);
  const qualifications = ready.data?.qualifications ?? [];
  const readyOne = qualifications.find((q) => q.qualificationId === qualificationId);
  // What the batch would take as chosen: the qualification's cases, or a typed cohort's (none if it has none).
  const takes = readyOne && (cohortRef.trim() ? (readyOne.cohorts.find((c) => c.cohortRef === cohortRef.trim())?.cases ?? 0) : readyOne.cases);

  const start = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    const body = by === 'cases' ? { caseIds: [...chosen] } : { qualificationId, ...(cohortRef.trim() ? { cohortRef: cohortRef.trim() } : {}) };
    try {
      const batch = await call<BatchView>('POST', '/certification-batches', body, { headers: { 'idempotency-key': key.current } });
      key.current = newKey();
      go(`/certification/batches/${batch.id}`);
    } catch (err) {
      setFailure(refusal(err, refusalText));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>{t('office.certification.title')}</h1>
      <p class="note">{t('office.certification.intro')}</p>
      <CaseQueue queue={queue} caption={t('office.certification.title')} empty={t('office.certification.empty')} href={(c) => `#/certification/${c.id}`} select={{ chosen, toggle }} />

      <form class="card" onSubmit={start}>
        <h2>{t('office.batch.title')}</h2>
        <fieldset>
          <legend>{t('office.batch.which')}</legend>
          <label class="check">
            <input type="radio" name="batch-by" checked={by === 'cases'} onChange={() => { setBy('cases'); key.current = newKey(); }} />
            {t('office.batch.bySelected', { n: chosen.size })}
          </label>
          <label class="check">
            <input type="radio" name="batch-by" checked={by === 'qualification'} onChange={() => { setBy('qualification'); key.current = newKey(); }} />
            {t('office.batch.byQualification')}
          </label>
        </fieldset>
        {by === 'qualification' && (
          <div class="filters">
            <div>
              <label for="batch-qualification">{t('office.case.qualification')}</label>
              <select id="batch-qualification" required value={qualificationId} onChange={(e) => { setQualificationId((e.currentTarget as HTMLSelectElement).value); key.current = newKey(); }}>
                <option value="">{t('office.batch.chooseQualification')}</option>
                {qualifications.map((q) => (
                  <option key={q.qualificationId} value={q.qualificationId}>
                    {titleOf(q.titles ?? undefined, q.code ?? q.qualificationId)} ({q.code ?? q.qualificationId})
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="batch-cohort">{t('office.batch.cohort')}</label>
              <input id="batch-cohort" type="text" list="batch-cohorts" maxLength={200} value={cohortRef} onInput={(e) => { setCohortRef((e.currentTarget as HTMLInputElement).value); key.current = newKey(); }} />
              <datalist id="batch-cohorts">
                {(readyOne?.cohorts ?? []).map((c) => <option key={c.cohortRef} value={c.cohortRef} />)}
              </datalist>
            </div>
          </div>
        )}
        {by === 'qualification' && takes !== undefined && <p class="note" id="batch-takes" role="status">{t('office.batch.takes', { n: takes })}</p>}
        <button type="submit" disabled={busy || (by === 'cases' ? chosen.size === 0 : !qualificationId)}>{t('office.batch.start')}</button>
        {failure && <p class="error" role="alert">{words(failure)}</p>}
      </form>

      <h2>{t('office.batch.recent')}</h2>
      {batches.error ? <p class="error" role="alert">{errorText(batches.error)}</p> : null}
      {batches.data && batches.data.length === 0 && <p>{t('common.none')}</p>}
      {batches.data && batches.data.length > 0 && (
        <ul>
          {batches.data.map((b) => (
            <li key={b.id}>
              <a href={`#/certification/batches/${b.id}`}>{b.createdAt.slice(0, 16).replace('T', ' ')}</a>{' '}
              <span class="note">{t('office.batch.counts', { done: b.done, failed: b.failed, total: b.total })}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One moderated case: preview the certificate, issue it (a second step confirms), then print or download. */
export function CertifyCase({ id }: { id: string }) {
  const loaded = useLoad(() => call<OfficeCase>('GET', `/cases/${encodeURIComponent(id)}`), [id]);
  const c = loaded.data;
  const q = useQualification(c?.qualificationId);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; said: Said } | null>(null);

  if (loaded.error) return <section><h1>{t('office.certification.case')}</h1><p class="error" role="alert">{errorText(loaded.error)}</p><p><a href="#/certification">{t('office.certification.back')}</a></p></section>;
  if (!c) return <section><h1>{t('office.certification.case')}</h1><p>{t('app.loading')}</p></section>;

  const issue = async () => {
    setBusy(true);
    setResult(null);
    const refused = await fireEvent(c, 'certify', '', loaded.reload);
    setResult(refused ? { ok: false, said: refused } : { ok: true, said: said('office.certification.issued') });
    if (!refused) setConfirming(false);
    setBusy(false);
  };

  return (
    <section>
      <p><a href="#/certification">{t('office.certification.back')}</a></p>
      <h1>{t('office.certification.caseOf', { name: c.candidateName })}</h1>
      <CaseFacts c={c} q={q} />
      {result && <p class={result.ok ? 'ok' : 'error'} role={result.ok ? 'status' : 'alert'}>{words(result.said)}</p>}
      {c.state === 'moderated' && (
        <>
          <h2>{t('office.certification.preview')}</h2>
          <p class="note">{t('office.certification.previewNote')}</p>
          <PdfOptions path={`/cases/${encodeURIComponent(c.id)}/certificate-preview.pdf`} idPrefix="preview" preview />
          <h2>{t('office.certification.issue')}</h2>
          {!confirming ? (
            <button type="button" onClick={() => setConfirming(true)}>{t('office.certification.issue')}</button>
          ) : (
            <div class="card" role="group" aria-labelledby="issue-confirm">
              <p id="issue-confirm">{t('office.certification.issueConfirm', { name: c.candidateName })}</p>
              <div class="row">
                <button type="button" disabled={busy} onClick={() => void issue()}>{t('office.certification.issueNow')}</button>
                <button type="button" class="secondary" onClick={() => setConfirming(false)}>{t('common.cancel')}</button>
              </div>
            </div>
          )}
        </>
      )}
      {c.credentialId && (
        <>
          <h2>{t('office.certification.credential')}</h2>
          <dl>
            <dt>{t('office.credential.id')}</dt>
            <dd id="credential-id">{c.credentialId}</dd>
          </dl>
          <PdfOptions path={`/credentials/${credentialPath(c.credentialId)}/certificate.pdf`} idPrefix="print" />
          <p><a href={`#/credentials/${credentialPath(c.credentialId)}`}>{t('office.certification.manage')}</a></p>
        </>
      )}
      {c.state !== 'moderated' && !c.credentialId && <p role="status">{t('office.certification.notModerated')}</p>}
    </section>
  );
}

/** A batch's progress, asked again every second until the worker has handled every case; failures listed. */
export function BatchProgress({ id }: { id: string }) {
  const [batch, setBatch] = useState<BatchView | undefined>(undefined);
  const [error, setError] = useState<Said | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const b = await call<BatchView>('GET', `/certification-batches/${encodeURIComponent(id)}`);
        if (!live) return;
        setBatch(b);
        setError(null);
        if (b.state !== 'completed') timer = setTimeout(() => void poll(), 1000);
      } catch (e) {
        if (!live) return;
        setError(refusal(e));
        // A dropped connection is not the end of the batch: keep asking, more slowly.
        timer = setTimeout(() => void poll(), 5000);
      }
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [id]);

  const handled = batch ? batch.done + batch.failed : 0;
  const failures = batch?.items?.filter((i) => i.state === 'failed') ?? [];
  return (
    <section>
      <p><a href="#/certification">{t('office.certification.back')}</a></p>
      <h1>{t('office.batch.progressTitle')}</h1>
      {error && <p class="error" role="alert">{words(error)}</p>}
      {!batch && !error && <p>{t('app.loading')}</p>}
      {batch && (
        <>
          <label for="batch-progress">{t('office.batch.progress')}</label>
          <progress id="batch-progress" max={batch.total} value={handled}>{`${handled}/${batch.total}`}</progress>
          <p role="status" id="batch-status">
            {batch.state === 'completed' ? t('office.batch.completed', { done: batch.done, failed: batch.failed, total: batch.total }) : t('office.batch.running', { handled, total: batch.total })}
          </p>
          {failures.length > 0 && (
            <>
              <h2>{t('office.batch.failures')}</h2>
              <ul id="batch-failures">
                {failures.map((f) => (
                  <li key={f.caseId}>
                    <a href={`#/certification/${f.caseId}`}>{f.caseId.slice(0, 8)}</a>: {f.error ? `${f.error.code} — ${f.error.message}` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
          {batch.items && batch.items.some((i) => i.credentialId) && (
            <>
              <h2>{t('office.batch.issuedList')}</h2>
              <ul>
                {batch.items.filter((i) => i.credentialId).map((i) => (
                  <li key={i.caseId}>
                    <a href={`#/certification/${i.caseId}`}>{i.caseId.slice(0, 8)}</a>{' · '}
                    <a href={`/credentials/${credentialPath(i.credentialId!)}/certificate.pdf`} download>{t('office.print.downloadShort')}</a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
