import { useEffect, useState } from 'preact/hooks';
import { OfflineError } from '../../api.js';
import { day, lang, online, refusal, said, session, t, words, type Said } from '../shell.js';
import type { ConsoleKey } from '../i18n/index.js';
import { loadBundle } from './data.js';
import { evidenceBlob } from './http.js';
import { shortId, titleOf, type CaseBundle, type EvidenceView } from './model.js';
import { offlineCaseIds, revision, vault } from './store.js';
import { localDecisions, localPhotos, type LocalPhoto } from './local.js';
import { Unlock } from './unlock.js';

/** The history's known actions in the console's language; anything newer shows as the server names it. */
const AUDIT_KEYS = {
  'case.created': 'field.audit.case_created',
  'case.transition': 'field.audit.case_transition',
  'case.units_assessed': 'field.audit.case_units_assessed',
  'case.self_assessed': 'field.audit.case_self_assessed',
  'case.imported': 'field.audit.case_imported',
  'evidence.added': 'field.audit.evidence_added',
  'evidence.read': 'field.audit.evidence_read',
  'credential.issue': 'field.audit.credential_issue',
} as const satisfies Record<string, ConsoleKey>;
const auditLabel = (action: string): string => (action in AUDIT_KEYS ? t(AUDIT_KEYS[action as keyof typeof AUDIT_KEYS]) : action);

/** Loads a case (server, else this device) and says why it cannot when it cannot. */
export function useCase(id: string): { bundle: CaseBundle | null; fromDevice: boolean; error: Said | null; locked: boolean; reload: () => void } {
  const [state, setState] = useState<{ bundle: CaseBundle | null; fromDevice: boolean; error: Said | null; locked: boolean }>({ bundle: null, fromDevice: false, error: null, locked: false });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    loadBundle(id)
      .then(({ bundle, offline }) => live && setState({ bundle, fromDevice: offline, error: null, locked: false }))
      .catch(async (e: unknown) => {
        if (!live) return;
        const kept = (await offlineCaseIds()).includes(id);
        if (e instanceof OfflineError && kept && !vault.value.unlocked) setState({ bundle: null, fromDevice: true, error: null, locked: true });
        else setState({ bundle: null, fromDevice: false, error: e instanceof OfflineError ? said('field.case.notOnDevice') : refusal(e), locked: false });
      });
    return () => {
      live = false;
    };
  }, [id, tick, online.value, vault.value.unlocked]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

/** One evidence item: a button that fetches the file (each read is audited) and shows it as an image, a video or a PDF. */
function EvidenceItem({ caseId, item }: { caseId: string; item: EvidenceView }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<Said | null>(null);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const show = async () => {
    setError(null);
    try {
      setUrl(URL.createObjectURL(await evidenceBlob(caseId, item.id)));
    } catch (e) {
      setError(e instanceof OfflineError ? said('field.evidence.offline') : refusal(e));
    }
  };
  const type = item.contentType ?? '';
  const title = item.title || item.fileName || t(`field.kind.${item.kind}`);
  return (
    <li class="field-evidence">
      <p>
        <strong>{title}</strong> · {t(`field.kind.${item.kind}`)} · {day(item.createdAt)}
      </p>
      {item.description && <p class="note">{item.description}</p>}
      {item.sha256 && !url && (
        <button type="button" class="secondary" onClick={() => void show()}>
          {t('field.evidence.show')}
        </button>
      )}
      {url && type.startsWith('image/') && <img class="evidence" src={url} alt={title} />}
      {url && type.startsWith('video/') && <video class="evidence" src={url} controls aria-label={title} />}
      {url && type === 'application/pdf' && <iframe class="evidence" src={url} title={title} />}
      {url && !/^(image|video)\/|^application\/pdf$/.test(type) && (
        <a href={url} download={item.fileName ?? `evidence-${item.id}`}>
          {t('field.evidence.download')}
        </a>
      )}
      {error && <p class="error" role="alert">{words(error)}</p>}
    </li>
  );
}

function PhotoItem({ photo }: { photo: LocalPhoto }) {
  const [url] = useState(() => URL.createObjectURL(photo.blob));
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <li class="field-evidence">
      <p>
        <strong>{photo.title}</strong> · {t(`field.kind.${photo.kind}`)} · <span class="badge">{photo.synced ? t('field.sync.synced') : t('field.sync.waiting')}</span>
      </p>
      <img class="evidence" src={url} alt={photo.title} />
    </li>
  );
}

/** A case: the candidate, the self-assessment, the evidence, the unit decisions (with those waiting on this device) and the history. */
export function CaseScreen({ id }: { id: string }) {
  const { bundle, fromDevice, error, locked } = useCase(id);
  const [photos, setPhotos] = useState<LocalPhoto[]>([]);
  const [pendingUnits, setPendingUnits] = useState<Map<string, { decision: string; synced: boolean }>>(new Map());
  useEffect(() => {
    void localPhotos(id).then(setPhotos);
    void localDecisions(id).then((m) => setPendingUnits(new Map([...m].map(([k, v]) => [k, { decision: v.unit.decision, synced: v.synced }]))));
  }, [id, revision.value, vault.value.unlocked]);
  if (locked) return (
    <section>
      <h1>{t('field.case.title')}</h1>
      <Unlock />
    </section>
  );
  if (error) return (
    <section>
      <h1>{t('field.case.title')}</h1>
      <p class="error" role="alert">{words(error)}</p>
    </section>
  );
  if (!bundle) return <p>{t('app.loading')}</p>;
  const { kase, candidate, selfAssessment, evidence, qualification, assessments, history } = bundle;
  const units = qualification?.units ?? [];
  const round = assessments.filter((a) => a.round === kase.round);
  const mayAssess = session.value?.abilities.assess && kase.assessorId === session.value.user.id && ['assessment', 'reassessment'].includes(kase.state);
  return (
    <section>
      <h1>{t('field.case.heading', { name: kase.candidateName })}</h1>
      {fromDevice && <p class="banner offline" role="status">{t('field.case.fromDevice', { day: day(bundle.savedAt) })}</p>}
      <dl>
        <dt>{t('field.cases.number')}</dt>
        <dd>{shortId(kase.id)}</dd>
        <dt>{t('field.cases.qualification')}</dt>
        <dd>{qualification ? `${qualification.code} · ${titleOf(qualification.titles, lang.value)}` : kase.qualificationId}</dd>
        <dt>{t('field.cases.state')}</dt>
        <dd>
          <span class="badge">{t(`field.state.${kase.state}`)}</span>
        </dd>
        <dt>{t('field.case.round')}</dt>
        <dd>{kase.round}</dd>
      </dl>
      {mayAssess && (
        <p>
          <a class="button" href={`#/cases/${encodeURIComponent(kase.id)}/assess`}>{t('field.case.assess')}</a>
        </p>
      )}

      <h2>{t('field.case.candidate')}</h2>
      {candidate ? (
        <dl>
          <dt>{t('field.candidate.name')}</dt>
          <dd>{candidate.fullName}{candidate.nameLatin && candidate.nameLatin !== candidate.fullName ? ` (${candidate.nameLatin})` : ''}</dd>
          <dt>{t('field.candidate.countryOfWork')}</dt>
          <dd>{candidate.countryOfWork ?? '–'}</dd>
          <dt>{t('field.candidate.sector')}</dt>
          <dd>{candidate.sector ?? '–'}</dd>
          <dt>{t('field.candidate.years')}</dt>
          <dd>{candidate.yearsExperience ?? '–'}</dd>
          <dt>{t('field.candidate.language')}</dt>
          <dd>{candidate.preferredLanguage ?? '–'}</dd>
        </dl>
      ) : (
        <p class="note">{fromDevice ? t('field.candidate.offline') : t('field.candidate.hidden')}</p>
      )}

      <h2>{t('field.case.selfAssessment')}</h2>
      {selfAssessment.length ? (
        <ul>
          {selfAssessment.map((s) => {
            const unit = units.find((u) => u.unitId === s.unitId);
            return (
              <li key={s.unitId}>
                {unit ? `${unit.code} · ${titleOf(unit.titles, lang.value)}` : s.unitId}: <strong>{t(`field.self.${s.rating}`)}</strong>
                {s.note ? ` — ${s.note}` : ''}
              </li>
            );
          })}
        </ul>
      ) : (
        <p class="note">{t('field.case.noSelfAssessment')}</p>
      )}

      <h2>{t('field.case.evidence')}</h2>
      {evidence.length || photos.length ? (
        <ul class="field-evidence-list">
          {evidence.map((e) => <EvidenceItem key={e.id} caseId={kase.id} item={e} />)}
          {photos.filter((p) => !p.synced || !evidence.some((e) => e.id === p.evidenceId)).map((p) => <PhotoItem key={p.eventId} photo={p} />)}
        </ul>
      ) : (
        <p class="note">{t('field.case.noEvidence')}</p>
      )}

      <h2>{t('field.case.units')}</h2>
      <ul class="field-units">
        {units.map((u) => {
          const server = round.find((a) => a.unitId === u.unitId);
          const local = pendingUnits.get(u.unitId);
          const decision = local && !local.synced ? local.decision : server?.decision;
          return (
            <li key={u.unitId} data-unit={u.unitId}>
              {u.code} · {titleOf(u.titles, lang.value)} <span class="note">({t(`field.unitKind.${u.kind}`)})</span>{' '}
              {decision ? (
                <span class={`badge ${decision === 'competent' ? 'competent' : 'nyc'}`}>{t(`field.decision.${decision as 'competent'}`)}</span>
              ) : (
                <span class="badge">{t('field.decision.none')}</span>
              )}
              {local && !local.synced && <span class="badge"> {t('field.sync.waiting')}</span>}
            </li>
          );
        })}
      </ul>

      <h2>{t('field.case.history')}</h2>
      {history.length ? (
        <ol class="field-history">
          {history.map((h) => (
            <li key={h.seq}>
              {day(h.at)} · {auditLabel(h.action)}
              {typeof h.data.to === 'string' ? ` → ${t(`field.state.${h.data.to as 'draft'}`)}` : ''}
            </li>
          ))}
        </ol>
      ) : (
        <p class="note">{fromDevice ? t('field.case.historyOnline') : t('field.case.noHistory')}</p>
      )}
    </section>
  );
}
