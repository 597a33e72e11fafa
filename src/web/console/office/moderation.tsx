import { useState } from 'preact/hooks';
import { useLoad } from '../load.js';
import { call, errorText, said, session, t, words, type Said } from '../shell.js';
import { CaseFacts, CaseQueue, fireEvent, titleOf, useCaseQueue, useQualification, type OfficeCase } from './common.js';
import { METHOD_KEYS, QUALITY_KEYS } from './keys.js';

interface UnitAssessment {
  unitId: string;
  methods: string[];
  evidenceIds: string[];
  quality: { valid: boolean; authentic: boolean; current: boolean; sufficient: boolean };
  decision: 'competent' | 'not_yet_competent';
  notes: string | null;
  assessorId: string;
  assessedOn: string;
  country: string;
}

interface Evidence {
  id: string;
  kind: string;
  title: string;
  description: string | null;
  fileName: string | null;
  contentType: string | null;
}

/** Decided cases of the moderator's body, waiting for a second person's look. */
export function ModerationQueue() {
  const queue = useCaseQueue('decided');
  return (
    <section>
      <h1>{t('office.moderation.title')}</h1>
      <p class="note">{t('office.moderation.intro')}</p>
      <CaseQueue queue={queue} caption={t('office.moderation.title')} empty={t('office.moderation.empty')} href={(c) => `#/moderation/${c.id}`} />
    </section>
  );
}

/**
 * One decided case: the unit decisions and the evidence they rest on, then confirm or return it. Confirm is not
 * offered to the person who assessed it (the server refuses it anyway, and its refusal is shown as it comes).
 */
export function ModerationCase({ id }: { id: string }) {
  const loaded = useLoad(
    () => Promise.all([
      call<OfficeCase>('GET', `/cases/${encodeURIComponent(id)}`),
      call<UnitAssessment[]>('GET', `/cases/${encodeURIComponent(id)}/assessments`),
      call<Evidence[]>('GET', `/cases/${encodeURIComponent(id)}/evidence`),
    ]),
    [id],
  );
  const c = loaded.data?.[0];
  const q = useQualification(c?.qualificationId);
  const [mode, setMode] = useState<'idle' | 'confirm' | 'return'>('idle');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; said: Said } | null>(null);

  if (loaded.error) return <section><h1>{t('office.moderation.case')}</h1><p class="error" role="alert">{errorText(loaded.error)}</p><p><a href="#/moderation">{t('office.moderation.back')}</a></p></section>;
  if (!loaded.data || !c) return <section><h1>{t('office.moderation.case')}</h1><p>{t('app.loading')}</p></section>;
  const [, units, evidence] = loaded.data;
  const me = session.value?.user.id;
  const ownAssessment = !!me && (c.assessorId === me || units.some((u) => u.assessorId === me));
  const decided = c.state === 'decided';
  const evidenceById = new Map(evidence.map((e) => [e.id, e]));
  const unitTitle = (unitId: string) => {
    const u = q?.units.find((x) => x.unitId === unitId);
    return u ? `${u.code} · ${titleOf(u.titles, u.code)}` : unitId.split('/').pop()!;
  };

  const fire = async (event: 'confirm' | 'return_to_assessor') => {
    setBusy(true);
    setResult(null);
    const refused = await fireEvent(c, event, note, loaded.reload);
    setResult(refused ? { ok: false, said: refused } : { ok: true, said: said(event === 'confirm' ? 'office.moderation.confirmed' : 'office.moderation.returned') });
    if (!refused) {
      setMode('idle');
      setNote('');
    }
    setBusy(false);
  };

  return (
    <section>
      <p><a href="#/moderation">{t('office.moderation.back')}</a></p>
      <h1>{t('office.moderation.caseOf', { name: c.candidateName })}</h1>
      <CaseFacts c={c} q={q} />
      <p>
        {t('office.moderation.summary', { units: units.length, competent: units.filter((u) => u.decision === 'competent').length })}{' '}
        <a href="#moderation-decision" onClick={(e) => { e.preventDefault(); document.getElementById('moderation-decision')?.scrollIntoView(); }}>{t('office.moderation.toDecision')}</a>
      </p>

      <h2>{t('office.moderation.units')}</h2>
      {units.length === 0 && <p>{t('office.moderation.noUnits')}</p>}
      {units.map((u) => (
        <div class="card" key={u.unitId}>
          <h3>{unitTitle(u.unitId)}</h3>
          <p>
            <span class={`badge ${u.decision === 'competent' ? 'competent' : 'nyc'}`}>
              {u.decision === 'competent' ? t('office.decision.competent') : t('office.decision.nyc')}
            </span>{' '}
            <span class="note">{t('office.moderation.assessedOn', { date: u.assessedOn, country: u.country })}</span>
          </p>
          <dl>
            <dt>{t('office.moderation.methods')}</dt>
            <dd>{u.methods.map((m) => (m in METHOD_KEYS ? t(METHOD_KEYS[m as keyof typeof METHOD_KEYS]) : m)).join(', ')}</dd>
            <dt>{t('office.moderation.rules')}</dt>
            <dd>
              {(Object.keys(QUALITY_KEYS) as Array<keyof typeof QUALITY_KEYS>).map((k) => `${t(QUALITY_KEYS[k])}: ${u.quality[k] ? t('common.yes') : t('common.no')}`).join(' · ')}
            </dd>
            <dt>{t('office.moderation.reliedOn')}</dt>
            <dd>{u.evidenceIds.length ? u.evidenceIds.map((e) => evidenceById.get(e)?.title ?? e.slice(0, 8)).join(', ') : t('common.none')}</dd>
            {u.notes && (
              <>
                <dt>{t('office.moderation.notes')}</dt>
                <dd>{u.notes}</dd>
              </>
            )}
          </dl>
        </div>
      ))}

      <h2>{t('office.moderation.evidence')}</h2>
      {evidence.length === 0 ? (
        <p>{t('common.none')}</p>
      ) : (
        <ul>
          {evidence.map((e) => (
            <li key={e.id}>
              {e.fileName ? (
                <a href={`/cases/${encodeURIComponent(c.id)}/evidence/${encodeURIComponent(e.id)}/content`} target="_blank" rel="noopener">{e.title}</a>
              ) : (
                <strong>{e.title}</strong>
              )}
              {e.description && <span class="note"> — {e.description}</span>}
            </li>
          ))}
        </ul>
      )}

      <h2 id="moderation-decision">{t('office.moderation.decision')}</h2>
      {result && <p class={result.ok ? 'ok' : 'error'} role={result.ok ? 'status' : 'alert'}>{words(result.said)}</p>}
      {!decided && <p role="status">{t('office.moderation.notDecided')}</p>}
      {decided && ownAssessment && <p class="note" role="note">{t('office.moderation.ownAssessment')}</p>}
      {decided && mode === 'idle' && (
        <div class="row">
          {!ownAssessment && <button type="button" onClick={() => setMode('confirm')}>{t('office.moderation.confirm')}</button>}
          <button type="button" class="secondary" onClick={() => setMode('return')}>{t('office.moderation.return')}</button>
        </div>
      )}
      {decided && mode !== 'idle' && (
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            void fire(mode === 'confirm' ? 'confirm' : 'return_to_assessor');
          }}
        >
          <h3>{mode === 'confirm' ? t('office.moderation.confirmTitle') : t('office.moderation.returnTitle')}</h3>
          <label for="moderation-note">{mode === 'confirm' ? t('office.moderation.noteOptional') : t('office.moderation.returnReason')}</label>
          <textarea id="moderation-note" maxLength={4000} required={mode === 'return'} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />
          <div class="row">
            <button type="submit" disabled={busy || (mode === 'return' && !note.trim())}>
              {mode === 'confirm' ? t('office.moderation.confirmSubmit') : t('office.moderation.returnSubmit')}
            </button>
            <button type="button" class="secondary" onClick={() => setMode('idle')}>{t('common.cancel')}</button>
          </div>
        </form>
      )}
    </section>
  );
}
