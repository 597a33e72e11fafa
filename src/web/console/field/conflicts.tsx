import { useEffect, useState } from 'preact/hooks';
import { day, errorText, online, t } from '../shell.js';
import { change } from './http.js';
import { shortId } from './model.js';
import { readEvents, revision, vault, type DecisionPayload, type PhotoPayload } from './store.js';
import { refreshConflictCount } from './sync.js';

/** A conflict as GET /console/conflicts lists it: a device's event the server did not apply because the case changed. */
export interface ConflictView {
  id: string;
  caseId: string;
  eventId: string;
  candidateName?: string;
  reason: string;
  baseVersion: number;
  caseVersion?: number;
  caseState?: string;
  recordedAt: string;
  unit?: { unitId: string; decision: string; notes?: string | null };
}

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
      setList((await change<{ conflicts: ConflictView[] }>('GET', '/console/conflicts')).conflicts);
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
                <a href={`#/cases/${encodeURIComponent(c.caseId)}`}>{c.candidateName ?? shortId(c.caseId)}</a>
              </h2>
              <dl>
                <dt>{t('field.cases.number')}</dt>
                <dd>{shortId(c.caseId)}</dd>
                {c.unit && (
                  <>
                    <dt>{t('field.conflicts.unit')}</dt>
                    <dd>
                      {c.unit.unitId.split('/').pop()} · {t(`field.decision.${c.unit.decision as 'competent'}`)}
                    </dd>
                  </>
                )}
                <dt>{t('field.conflicts.recorded')}</dt>
                <dd>{day(c.recordedAt)}</dd>
                <dt>{t('field.conflicts.why')}</dt>
                <dd>
                  {c.reason}
                  {c.caseState ? ` · ${t(`field.state.${c.caseState as 'draft'}`)}` : ''}
                </dd>
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
