import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.js';
import { countedPage, PAGE_SIZE, Pager, usePages } from '../pages.js';
import { call, callList, errorText, lang, query, refusal, t, type Said } from '../shell.js';
import { OUTCOME_KEYS, UNMET } from './keys.js';

/** A case as GET /cases and GET /cases/:id give it (the fields the office screens read). */
export interface OfficeCase {
  id: string;
  candidateName: string;
  qualificationId: string;
  issuerId: string;
  state: string;
  version: number;
  round: number;
  assessorId: string | null;
  moderatorId: string | null;
  outcome: 'full_qualification' | 'statement_of_attainment' | 'not_yet_competent' | null;
  decidedAt: string | null;
  moderatedAt: string | null;
  moderationNote: string | null;
  credentialId: string | null;
  cohortRef: string | null;
  allowedEvents: string[];
  updatedAt: string;
}

export interface Qualification {
  id: string;
  code: string;
  titles: Record<string, string>;
  units: Array<{ unitId: string; code: string; titles: Record<string, string>; kind: string }>;
}

/** A qualification's (or unit's) title in the console's language, else English, else the first one it has. */
export const titleOf = (titles: Record<string, string> | undefined, fallback: string): string =>
  titles?.[lang.value] ?? titles?.en ?? Object.values(titles ?? {})[0] ?? fallback;

/** Qualifications are public and change rarely: one request per qualification per page load. */
const qualifications = new Map<string, Promise<Qualification | null>>();
export function qualification(id: string): Promise<Qualification | null> {
  let q = qualifications.get(id);
  if (!q) {
    q = call<Qualification>('GET', `/qualifications/${encodeURIComponent(id)}`).catch(() => null);
    qualifications.set(id, q);
  }
  return q;
}

export function useQualification(id: string | undefined): Qualification | null | undefined {
  const [q, setQ] = useState<Qualification | null | undefined>(undefined);
  useEffect(() => {
    if (id) void qualification(id).then(setQ);
  }, [id]);
  return q;
}

/**
 * Fires a workflow event at the version the screen shows, then reloads the case either way: after a refusal too,
 * since it may come from a change made elsewhere (a stale version). Undefined on success, else the refusal.
 */
export async function fireEvent(c: OfficeCase, event: string, note: string, reload: () => void): Promise<Said | undefined> {
  try {
    await call('POST', `/cases/${encodeURIComponent(c.id)}/transitions`, { event, version: c.version, ...(note.trim() ? { note: note.trim() } : {}) });
    return undefined;
  } catch (e) {
    return refusal(e, refusalText);
  } finally {
    reload();
  }
}

/**
 * A refusal in the words of the server's reason: an unmet precondition (the moderator assessed this case, nothing
 * competent to certify) names the rule; a stale version says someone else changed the case; the rest as usual.
 */
export function refusalText(e: unknown): string {
  if (e instanceof ApiError && e.code === 'precondition_failed') {
    const unmet = (e.details as { unmet?: string[] } | undefined)?.unmet ?? [];
    const known = unmet.filter((u): u is keyof typeof UNMET => u in UNMET);
    if (known.length) return `${t('office.refused')} ${known.map((u) => t(UNMET[u])).join(' ')}`;
    return `${t('office.refused')} ${t('office.unmet.other')}`;
  }
  if (e instanceof ApiError && e.code === 'conflict') return t('office.conflict');
  if (e instanceof ApiError && e.code === 'already_revoked') return t('office.credential.alreadyRevoked');
  if (e instanceof ApiError && e.code === 'not_revocable') return t('office.credential.notRevocable');
  return errorText(e);
}

/** The facts of a case every office screen shows above its actions. */
export function CaseFacts({ c, q }: { c: OfficeCase; q: Qualification | null | undefined }) {
  return (
    <dl>
      <dt>{t('office.case.candidate')}</dt>
      <dd>{c.candidateName}</dd>
      <dt>{t('office.case.qualification')}</dt>
      <dd>{q ? `${titleOf(q.titles, q.code)} (${q.code})` : c.qualificationId}</dd>
      <dt>{t('office.case.id')}</dt>
      <dd>{c.id}</dd>
      {c.outcome && (
        <>
          <dt>{t('office.case.outcome')}</dt>
          <dd>{t(OUTCOME_KEYS[c.outcome])}</dd>
        </>
      )}
      {c.decidedAt && (
        <>
          <dt>{t('office.case.decidedAt')}</dt>
          <dd>{c.decidedAt.slice(0, 10)}</dd>
        </>
      )}
      {c.cohortRef && (
        <>
          <dt>{t('office.case.cohort')}</dt>
          <dd>{c.cohortRef}</dd>
        </>
      )}
    </dl>
  );
}

/** The body's cases in one state, a page at a time, newest change first (the office queues). */
export function useCaseQueue(state: 'decided' | 'moderated' | 'certified') {
  return usePages(async (offset) => {
    const { items, total } = await callList<OfficeCase>(`/cases${query({ state, limit: PAGE_SIZE, offset })}`);
    return countedPage(items, offset, total);
  }, [state]);
}

/** A queue as the office screens show it: loading, its refusal, "nothing waiting", or the page of cases and the pager. */
export function CaseQueue({ queue, caption, empty, href, select }: {
  queue: ReturnType<typeof useCaseQueue>;
  caption: string;
  empty: string;
  href: (c: OfficeCase) => string;
  select?: { chosen: Set<string>; toggle: (id: string) => void };
}) {
  const page = queue.data;
  if (queue.error) return <p class="error" role="alert">{errorText(queue.error)}</p>;
  if (!page) return <p>{t('app.loading')}</p>;
  if (page.total === 0) return <p role="status">{empty}</p>;
  return (
    <>
      <CaseTable cases={page.items} href={href} caption={caption} select={select} />
      <Pager page={page} go={queue.go} list={caption} />
    </>
  );
}

/** A list of cases as a table that fits a phone (the table scrolls inside its own box, never the page). */
export function CaseTable({ cases, href, caption, select }: {
  cases: OfficeCase[];
  href: (c: OfficeCase) => string;
  caption: string;
  select?: { chosen: Set<string>; toggle: (id: string) => void };
}) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {select && <th scope="col">{t('office.batch.pick')}</th>}
            <th scope="col">{t('office.case.candidate')}</th>
            <th scope="col">{t('office.case.qualification')}</th>
            <th scope="col">{t('office.case.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr key={c.id}>
              {select && (
                <td>
                  <label class="check">
                    <input type="checkbox" checked={select.chosen.has(c.id)} onChange={() => select.toggle(c.id)} />
                    <span class="sr-only">{t('office.batch.pickCase', { name: c.candidateName })}</span>
                  </label>
                </td>
              )}
              <td>
                <a href={href(c)}>{c.candidateName}</a>
                <div class="note">{c.id.slice(0, 8)}{c.cohortRef ? ` · ${c.cohortRef}` : ''}</div>
              </td>
              <td><QualificationCode id={c.qualificationId} /></td>
              <td>{c.updatedAt.slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function QualificationCode({ id }: { id: string }) {
  const q = useQualification(id);
  return <>{q ? titleOf(q.titles, q.code) : id.split('/').pop()}</>;
}

/** A fresh Idempotency-Key (the server accepts 1-255 printable characters). */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A credential id as a URL path segment (ids are `urn:uuid:…`; the routes also take the bare UUID). */
export const credentialPath = (id: string): string => encodeURIComponent(id.replace(/^urn:uuid:/, ''));
