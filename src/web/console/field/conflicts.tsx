import { useEffect, useState } from 'preact/hooks';
import type { ConflictView } from '../../../console/conflicts.js';
import type { ConflictReason } from '../../../console/sync.js';
import { call, day, errorText, online, t } from '../shell.js';
import { change } from './http.js';
import { shortId } from './model.js';
import { qualificationSlug } from './cases.js';
import { acknowledge, readEvents, recount, revision, vault, type DecisionPayload, type PhotoPayload } from './store.js';
import { refreshConflictCount } from './sync.js';

const REASON_KEYS = {
  case_changed: 'field.reason.case_changed',
  case_reassigned: 'field.reason.case_reassigned',
  unit_judged_by_other: 'field.reason.unit_judged_by_other',
  unit_judged_differently: 'field.reason.unit_judged_differently',
  refused: 'field.reason.refused',
} as const satisfies Record<ConflictReason, string>;

/**
 * The conflict review list: what devices recorded while a case changed on the server (withdrawn, reassigned,
 * decided by someone else). A person applies or discards each; nothing is overwritten without that choice. Below,
 * what the server refused from this device, kept here with the reason.
 */
export function ConflictsScreen() {
  const [list, setList] = useState<ConflictView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [refused, setRefused] = useState<Array<{ id: string; caseId: string; what: string; reason: string; at: string }>>([]);
  const load = async () => {
    setError(null);
    try {
      setList(await call<ConflictView[]>('GET', '/console/conflicts?state=open'));
    } catch (e) {
      setList([]);
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, [online.value]);
  useEffect(() => {
    void readEvents().then((events) =>
      setRefused(
        events
          .filter((e) => e.ack?.status === 'refused')
          .map((e) => ({
            id: e.event.id,
            caseId: e.event.caseId,
            what: e.event.kind === 'photo' ? (e.payload as PhotoPayload).title : `${(e.payload as DecisionPayload).unit.unitId.split('/').pop()} · ${t(`field.decision.${(e.payload as DecisionPayload).unit.decision}`)}`,
            reason: e.ack!.reason ?? '',
            at: e.event.recordedAt,
          })),
      ),
    );
  }, [revision.value, vault.value.unlocked]);

  const resolve = async (c: ConflictView, action: 'apply' | 'discard') => {
    setError(null);
    setMessage(null);
    try {
      await change('POST', `/console/conflicts/${encodeURIComponent(c.id)}/resolution`, { action });
      // This device's copy of the event gets the person's answer too (the log only grows).
      if ((await readEvents({ caseId: c.caseId })).some((e) => e.event.id === c.eventId)) {
        await acknowledge({ eventId: c.eventId, status: action === 'apply' ? 'applied' : 'discarded' });
        await recount();
      }
      setMessage(action === 'apply' ? t('field.conflicts.applied') : t('field.conflicts.discarded'));
      await load();
      await refreshConflictCount();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section>
      <h1>{t('field.conflicts.title')}</h1>
      <p class="note">{t('field.conflicts.note')}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {message && <p class="ok" role="status">{message}</p>}
      {list === null ? (
        <p>{t('app.loading')}</p>
      ) : list.length === 0 ? (
        <p>{t('field.conflicts.none')}</p>
      ) : (
        <ul class="field-conflicts-list">
          {list.map((c) => (
            <li key={c.id} class="card" data-conflict={c.id} data-case={c.caseId}>
              <h2>
                <a href={`#/cases/${encodeURIComponent(c.caseId)}`}>{c.candidateName}</a>
              </h2>
              <dl>
                <dt>{t('field.cases.number')}</dt>
                <dd>{c.cohortRef ?? shortId(c.caseId)}</dd>
                <dt>{t('field.conflicts.unit')}</dt>
                <dd>{qualificationSlug(c.event.unit.unitId)}</dd>
                <dt>{t('field.conflicts.device')}</dt>
                <dd>
                  <span class={`badge ${c.event.unit.decision === 'competent' ? 'competent' : 'nyc'}`}>{t(`field.decision.${c.event.unit.decision}`)}</span>
                  {c.event.unit.notes ? ` — ${c.event.unit.notes}` : ''} ({day(c.event.recordedAt)})
                </dd>
                <dt>{t('field.conflicts.server')}</dt>
                <dd>
                  {c.serverView.case.state ? t(`field.state.${c.serverView.case.state as 'draft'}`) : t('field.conflicts.notYours')}
                  {c.serverView.unit ? ` · ${t(`field.decision.${c.serverView.unit.decision as 'competent'}`)}` : ''}
                </dd>
                <dt>{t('field.conflicts.why')}</dt>
                <dd>{t(REASON_KEYS[c.reason])}{c.serverView.refusal ? ` (${c.serverView.refusal.code})` : ''}</dd>
              </dl>
              <button type="button" onClick={() => void resolve(c, 'apply')}>{t('field.conflicts.apply')}</button>
              <button type="button" class="secondary" onClick={() => void resolve(c, 'discard')}>{t('field.conflicts.discard')}</button>
            </li>
          ))}
        </ul>
      )}
      {refused.length > 0 && (
        <>
          <h2>{t('field.conflicts.refusedTitle')}</h2>
          <ul>
            {refused.map((r) => (
              <li key={r.id}>
                <a href={`#/cases/${encodeURIComponent(r.caseId)}`}>{shortId(r.caseId)}</a> · {r.what} · {day(r.at)} · {r.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
