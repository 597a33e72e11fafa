import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConflictView } from '../../../console/conflicts.js';
import type { ConflictReason } from '../../../console/sync.js';
import type { AssessmentMethod, EvidenceQuality } from '../../../rpl/assessment.js';
import { call, day, lang, online, refusal, said, session, t, words, type Said } from '../shell.js';
import { change } from './http.js';
import { shortId, titleOf } from './model.js';
import { qualificationSlug } from './cases.js';
import { acknowledge, readEvents, recount, revision, vault, type DecisionPayload, type PhotoPayload } from './store.js';
import { refreshConflictCount } from './sync.js';

const REASON_KEYS = {
  case_changed: 'field.reason.case_changed',
  case_reassigned: 'field.reason.case_reassigned',
  unit_judged_by_other: 'field.reason.unit_judged_by_other',
  unit_judged_differently: 'field.reason.unit_judged_differently',
  refused: 'field.reason.refused',
  units_not_applied: 'field.reason.units_not_applied',
} as const satisfies Record<ConflictReason, string>;

/**
 * The conflict review list: what devices recorded while a case changed on the server (withdrawn, reassigned,
 * decided by someone else), for the assessor who sent them and for the body's certifying officers. Each shows who
 * recorded what on the device beside what the server held when it arrived; a person applies or discards it (the
 * buttons are the actions the server's policy lists for this person), and nothing is overwritten without that
 * choice. Below, what the server refused from this device, kept here with the reason.
 */
export function ConflictsScreen() {
  const [list, setList] = useState<ConflictView[] | null>(null);
  const [error, setError] = useState<Said | null>(null);
  const [message, setMessage] = useState<Said | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [refused, setRefused] = useState<Array<{ id: string; caseId: string; what: string; reason: string; at: string }>>([]);
  const load = async () => {
    setError(null);
    try {
      setList(await call<ConflictView[]>('GET', '/console/conflicts?state=open'));
    } catch (e) {
      setList([]);
      setError(refusal(e));
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
            what:
              e.event.kind === 'photo'
                ? (e.payload as PhotoPayload).title
                : e.event.kind === 'case_decision'
                  ? t('field.decide.title')
                  : `${(e.payload as DecisionPayload).unit.unitId.split('/').pop()} · ${t(`field.decision.${(e.payload as DecisionPayload).unit.decision}`)}`,
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
      await change('POST', `/console/conflicts/${encodeURIComponent(c.id)}/resolution`, { action, note: notes[c.id]?.trim() || null });
      // This device's copy of the event gets the person's answer too (the log only grows).
      if ((await readEvents({ caseId: c.caseId })).some((e) => e.event.id === c.eventId)) {
        await acknowledge({ eventId: c.eventId, status: action === 'apply' ? 'applied' : 'discarded' });
        await recount();
      }
      setMessage(said(action === 'apply' ? 'field.conflicts.applied' : 'field.conflicts.discarded'));
      await load();
      await refreshConflictCount();
    } catch (e) {
      setError(refusal(e));
    }
  };

  return (
    <section>
      <h1>{t('field.conflicts.title')}</h1>
      <p class="note">{t('field.conflicts.note')}</p>
      {error && <p class="error" role="alert">{words(error)}</p>}
      {message && <p class="ok" role="status">{words(message)}</p>}
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
                <dt>{t('field.cases.qualification')}</dt>
                <dd>{c.qualification ? `${c.qualification.code} · ${titleOf(c.qualification.titles, lang.value)}` : c.event.type === 'unit_decision' ? qualificationSlug(c.event.unit.unitId) : '—'}</dd>
                <dt>{t('field.conflicts.unit')}</dt>
                <dd>{c.event.type === 'case_decision' ? t('field.conflicts.wholeCase') : c.unit ? `${c.unit.code} · ${titleOf(c.unit.titles, lang.value)}` : qualificationSlug(c.event.unit.unitId)}</dd>
                <dt>{t('role.assessor')}</dt>
                <dd data-assessor>{c.assessorName}</dd>
                <dt>{t('field.conflicts.why')}</dt>
                <dd>{t(REASON_KEYS[c.reason])}{c.serverView.refusal ? ` (${c.serverView.refusal.code})` : ''}</dd>
              </dl>
              <div class="field-conflict-sides">
                <section class="field-conflict-side" data-side="device">
                  <h3>{t('field.conflicts.device')}</h3>
                  {c.event.type === 'unit_decision' ? (
                    <Judgement unit={c.event.unit}>
                      <dt>{t('field.assess.assessedOn')}</dt>
                      <dd>{c.event.assessedOn}</dd>
                      <dt>{t('field.conflicts.recorded')}</dt>
                      <dd>{day(c.event.recordedAt)}</dd>
                    </Judgement>
                  ) : (
                    <dl data-wanted="decide">
                      <dt>{t('field.conflicts.wanted')}</dt>
                      <dd>{t('field.decide.title')} ({t('field.state.decided')})</dd>
                      <dt>{t('field.conflicts.version')}</dt>
                      <dd>{c.event.baseVersion}</dd>
                      <dt>{t('field.conflicts.recorded')}</dt>
                      <dd>{day(c.event.recordedAt)}</dd>
                    </dl>
                  )}
                </section>
                <section class="field-conflict-side" data-side="server">
                  <h3>{t('field.conflicts.server')}</h3>
                  <dl>
                    <dt>{t('field.cases.state')}</dt>
                    <dd>
                      {c.serverView.case.state ? t(`field.state.${c.serverView.case.state as 'draft'}`) : t('field.conflicts.notYours')}
                      {c.serverView.case.round ? ` · ${t('field.case.round')} ${c.serverView.case.round}` : ''}
                    </dd>
                    {c.event.type === 'case_decision' && c.serverView.case.version !== undefined && (
                      <>
                        <dt>{t('field.conflicts.version')}</dt>
                        <dd>{c.serverView.case.version}</dd>
                      </>
                    )}
                  </dl>
                  {c.serverView.decision ? (
                    <DecisionView decision={c.serverView.decision} undecided={c.undecidedUnits ?? []} />
                  ) : c.serverView.unit ? (
                    <>
                      <p>{t('field.conflicts.judgedBy', { name: c.serverJudgedByName ?? shortId(c.serverView.unit.assessorId), day: day(c.serverView.unit.updatedAt) })}</p>
                      <Judgement unit={c.serverView.unit} />
                    </>
                  ) : (
                    c.serverView.case.state && <p>{t('field.conflicts.notJudged')}</p>
                  )}
                </section>
              </div>
              {c.actions.includes('discard') && !c.actions.includes('apply') && (
                // The server offers apply to the entry's own assessor while the case can still take it.
                <p class="note">{t(c.assessorId === session.value?.user.id ? 'field.conflicts.cannotApply' : 'field.conflicts.onlyAssessor')}</p>
              )}
              {c.actions.length > 0 && (
                <>
                  <label for={`note-${c.id}`}>{t('field.conflicts.noteLabel')}</label>
                  <textarea id={`note-${c.id}`} maxLength={4000} value={notes[c.id] ?? ''} onInput={(e) => setNotes({ ...notes, [c.id]: (e.target as HTMLTextAreaElement).value })} />
                  <div class="row">
                    {c.actions.includes('apply') && <button type="button" onClick={() => void resolve(c, 'apply')}>{t('field.conflicts.apply')}</button>}
                    {c.actions.includes('discard') && <button type="button" class="secondary" onClick={() => void resolve(c, 'discard')}>{t('field.conflicts.discard')}</button>}
                  </div>
                </>
              )}
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

/** Where the case's units stood on the server when the device's decision arrived. */
function DecisionView({ decision, undecided }: { decision: NonNullable<ConflictView['serverView']['decision']>; undecided: NonNullable<ConflictView['undecidedUnits']> }) {
  return (
    <>
      <p data-undecided={undecided.length}>
        {undecided.length
          ? t('field.conflicts.undecided', { units: undecided.map((u) => (u.titles ? `${u.code} · ${titleOf(u.titles, lang.value)}` : u.code)).join('; ') })
          : t('field.conflicts.allDecided')}
      </p>
      {decision.unitEventsNotApplied > 0 && <p data-not-applied={decision.unitEventsNotApplied}>{t('field.conflicts.unitsNotApplied', { count: decision.unitEventsNotApplied })}</p>}
    </>
  );
}

/** One judgement of a unit, as the device sent it or as the server held it: decision, methods, rules met, notes. */
function Judgement({ unit, children }: { unit: { decision: string; methods: AssessmentMethod[]; quality: EvidenceQuality; evidenceIds: string[]; notes?: string | null }; children?: ComponentChildren }) {
  const rules = (['valid', 'authentic', 'current', 'sufficient'] as const).filter((r) => unit.quality[r]);
  return (
    <dl>
      <dt>{t('field.assess.decision')}</dt>
      <dd>
        <span class={`badge ${unit.decision === 'competent' ? 'competent' : 'nyc'}`}>{t(`field.decision.${unit.decision as 'competent'}`)}</span>
      </dd>
      <dt>{t('field.assess.methods')}</dt>
      <dd>{unit.methods.map((m) => t(`field.method.${m}`)).join(', ')}</dd>
      <dt>{t('field.assess.rules')}</dt>
      <dd>{rules.length ? rules.map((r) => t(`field.rule.${r}`)).join(', ') : '—'}</dd>
      <dt>{t('field.assess.evidence')}</dt>
      <dd>{unit.evidenceIds.length}</dd>
      {unit.notes && (
        <>
          <dt>{t('field.assess.notes')}</dt>
          <dd>{unit.notes}</dd>
        </>
      )}
      {children}
    </dl>
  );
}
