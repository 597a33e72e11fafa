import { useEffect, useState } from 'preact/hooks';
import { OfflineError } from '../../api.js';
import { countedPage, PAGE_SIZE, Pager, usePages, type Page } from '../pages.js';
import { call, callList, day, errorText, online, query, refusal, said, session, t, words, type Said } from '../shell.js';
import { bundleOfPackage, type OfflineCase } from './data.js';
import { change } from './http.js';
import { ASSESSING, CASE_STATES, shortId, type CaseView } from './model.js';
import { counts, isUnlocked, offlineCaseIds, readPackage, revision, savePackage, vault } from './store.js';
import { Unlock } from './unlock.js';

/** The qualification as the list shows it: the last segment of its catalogue URL (its slug). */
export const qualificationSlug = (id: string): string => id.replace(/\/+$/, '').split('/').pop() ?? id;

interface Filters {
  state: string;
  qualificationId: string;
  centreId: string;
  from: string;
  to: string;
  q: string;
}
const NO_FILTERS: Filters = { state: '', qualificationId: '', centreId: '', from: '', to: '', q: '' };

/**
 * My cases: the assessor's cases with filters (state, qualification, centre, the day opened; name or case number),
 * as cards on a phone and a table on a desktop, and the choice of cases to take offline for an assessment day.
 * With no network it lists the cases kept on this device.
 */
export function MyCases() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // What the list shows: the filters as last searched, and how many searches so far (searching again with the same
  // filters asks again, from the first page).
  const [search, setSearch] = useState({ filters: NO_FILTERS, n: 0 });
  const [error, setError] = useState<Said | null>(null);
  const [kept, setKept] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [askPassword, setAskPassword] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [message, setMessage] = useState<Said | null>(null);
  const [centres, setCentres] = useState<Array<{ id: string; name: string }>>([]);

  useEffect(() => {
    void offlineCaseIds().then(setKept);
  }, [revision.value]);

  const list = usePages(async (offset): Promise<Page<CaseView> & { fromDevice: boolean }> => {
    const f = search.filters;
    try {
      const { items, total } = await callList<CaseView>(`/cases${query({ ...f, limit: PAGE_SIZE, offset })}`);
      return { ...countedPage(items, offset, total), fromDevice: false };
    } catch (e) {
      if (!(e instanceof OfflineError)) throw e;
      // No network: the day's cases from the device (when unlocked), filtered here, all on one page.
      const ids = await offlineCaseIds();
      const bundles = isUnlocked() ? (await Promise.all(ids.map((id) => readPackage(id)))).filter((b) => b !== undefined) : [];
      const needle = f.q.trim().toLowerCase();
      const kept = bundles
        .map((b) => b.kase)
        .filter((c) => (!f.state || c.state === f.state) && (!needle || c.candidateName.toLowerCase().includes(needle) || c.id.startsWith(needle)));
      return { ...countedPage(kept, 0, kept.length), fromDevice: true };
    }
  }, [search, online.value, vault.value.unlocked]);
  const cases = list.data?.items ?? null;
  const fromDevice = list.data?.fromDevice ?? false;
  useEffect(() => {
    // The assessor's body's centres, for the filter; an older server without the list just offers none.
    const body = session.value?.body?.id;
    void call<{ assessmentCentres: Array<{ id: string; name: string }> }>('GET', `/assessment-centres${body ? `?issuerId=${encodeURIComponent(body)}` : ''}`)
      .then((r) => setCentres(r.assessmentCentres))
      .catch(() => undefined);
  }, []);

  const qualifications = [...new Set((cases ?? []).map((c) => c.qualificationId))];

  // The fields are controlled, so what the person picked must reach `filters` at once: a re-render before the search
  // (a list arriving, the connection changing) would otherwise put the previous choice back.
  const edit = (e: Event) => {
    const field = e.currentTarget as HTMLInputElement | HTMLSelectElement;
    setFilters((f) => ({ ...f, [field.name]: field.value }));
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const f = Object.fromEntries(Object.keys(NO_FILTERS).map((k) => [k, String(form.get(k) ?? '').trim()])) as unknown as Filters;
    setFilters(f);
    setSearch((s) => ({ filters: f, n: s.n + 1 }));
  };

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  const makeOffline = async () => {
    if (!isUnlocked()) return setAskPassword(true);
    const ids = [...selected];
    setMessage(null);
    setError(null);
    setProgress({ done: 0, total: ids.length });
    try {
      // The server records the day (which version of each case, which judgements) and hands over the package.
      const day = await change<{ id: string; cases: OfflineCase[] }>('POST', '/console/offline-days', { caseIds: ids });
      const me = { userId: session.value!.user.id, issuerId: session.value!.body?.id ?? '' };
      let done = 0;
      for (const c of day.cases) {
        await savePackage(bundleOfPackage(c, me));
        setProgress({ done: ++done, total: day.cases.length });
      }
      setSelected(new Set());
      setMessage(said('field.offline.ready', { count: ids.length }));
    } catch (e) {
      setError(refusal(e));
    } finally {
      setProgress(null);
    }
  };

  return (
    <section>
      <h1>{t('field.cases.title')}</h1>
      {fromDevice && <p class="banner offline" role="status">{t('field.cases.fromDevice')}</p>}
      {/* Offline, the day's cases need the key; online, entries left from an earlier session wait for it to be sent. */}
      {vault.value.exists && !vault.value.unlocked && (!online.value || counts.value.pending > 0) && <Unlock />}
      <form class="filters" onSubmit={submit} aria-label={t('field.cases.filters')}>
        <div>
          <label for="f-state">{t('field.cases.state')}</label>
          <select id="f-state" name="state" value={filters.state} onChange={edit}>
            <option value="">{t('field.cases.any')}</option>
            {CASE_STATES.map((s) => <option key={s} value={s}>{t(`field.state.${s}`)}</option>)}
          </select>
        </div>
        <div>
          <label for="f-qualification">{t('field.cases.qualification')}</label>
          <select id="f-qualification" name="qualificationId" value={filters.qualificationId} onChange={edit}>
            <option value="">{t('field.cases.any')}</option>
            {[...new Set([...qualifications, ...(filters.qualificationId ? [filters.qualificationId] : [])])].map((q) => <option key={q} value={q}>{qualificationSlug(q)}</option>)}
          </select>
        </div>
        <div>
          <label for="f-centre">{t('field.cases.centre')}</label>
          <select id="f-centre" name="centreId" value={filters.centreId} onChange={edit}>
            <option value="">{t('field.cases.any')}</option>
            {centres.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </div>
        <div>
          <label for="f-q">{t('field.cases.search')}</label>
          <input id="f-q" name="q" type="search" value={filters.q} onInput={edit} />
        </div>
        <div>
          <label for="f-from">{t('field.cases.from')}</label>
          <input id="f-from" name="from" type="date" value={filters.from} onInput={edit} />
        </div>
        <div>
          <label for="f-to">{t('field.cases.to')}</label>
          <input id="f-to" name="to" type="date" value={filters.to} onInput={edit} />
        </div>
        <div class="field-filter-submit">
          <button type="submit">{t('common.search')}</button>
        </div>
      </form>
      {list.error ? <p class="error" role="alert">{errorText(list.error)}</p> : null}
      {error && <p class="error" role="alert">{words(error)}</p>}
      {message && <p class="ok" role="status">{words(message)}</p>}
      {cases === null ? (
        !list.error && <p>{t('app.loading')}</p>
      ) : cases.length === 0 ? (
        <p>{t('field.cases.none')}</p>
      ) : (
        <table class="field-cases">
          <caption class="sr-only">{t('field.cases.caption', { count: list.data?.total ?? cases.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('field.cases.offline')}</th>
              <th scope="col">{t('field.cases.candidate')}</th>
              <th scope="col">{t('field.cases.number')}</th>
              <th scope="col">{t('field.cases.qualification')}</th>
              <th scope="col">{t('field.cases.state')}</th>
              <th scope="col">{t('field.cases.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((c) => (
              <tr key={c.id} data-case={c.id}>
                <td data-label={t('field.cases.offline')}>
                  {kept.includes(c.id) ? (
                    <span class="badge">{t('field.cases.onDevice')}</span>
                  ) : !ASSESSING.has(c.state) ? (
                    '–'
                  ) : (
                    <label class="check">
                      <input type="checkbox" checked={selected.has(c.id)} disabled={!online.value} onChange={() => toggle(c.id)} />
                      <span class="sr-only">{t('field.cases.select', { name: c.candidateName })}</span>
                    </label>
                  )}
                </td>
                <td data-label={t('field.cases.candidate')}>
                  <a href={`#/cases/${encodeURIComponent(c.id)}`}>{c.candidateName}</a>
                </td>
                <td data-label={t('field.cases.number')}>{shortId(c.id)}</td>
                <td data-label={t('field.cases.qualification')}>{qualificationSlug(c.qualificationId)}</td>
                <td data-label={t('field.cases.state')}>
                  <span class="badge">{t(`field.state.${c.state}`)}</span>
                </td>
                <td data-label={t('field.cases.updated')}>{day(c.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={list.data} go={list.go} list={t('field.cases.title')} />
      {online.value && cases !== null && cases.length > 0 && (
        <div class="card">
          <h2>{t('field.offline.title')}</h2>
          <p class="note">{t('field.offline.note', { count: counts.value.offlineCases })}</p>
          <button type="button" disabled={!selected.size || progress !== null} onClick={() => void makeOffline()}>
            {t('field.offline.make', { count: selected.size })}
          </button>
          {progress && (
            <p role="status">
              <progress max={progress.total} value={progress.done} aria-label={t('field.offline.progress')} /> {progress.done} / {progress.total}
            </p>
          )}
          {askPassword && !vault.value.unlocked && (
            <Unlock
              onDone={() => {
                setAskPassword(false);
                void makeOffline();
              }}
            />
          )}
        </div>
      )}
    </section>
  );
}
