import { useEffect, useState } from 'preact/hooks';
import { call, go, lang, online, refusal, said, session, t, words, type Said } from '../shell.js';
import { useCase } from './case.js';
import { change, uploadEvidence } from './http.js';
import { localCaseDecision, localDecisions, localPhotos, type LocalPhoto } from './local.js';
import { ASSESSING, ASSESSMENT_METHODS, EVIDENCE_KINDS, QUALITY_RULES, decidePreconditionsMet, titleOf, type AssessmentMethod, type CaseBundle, type EvidenceView, type UnitDecisionInput } from './model.js';
import { isUnlocked, offlineCaseIds, recordCaseDecision, recordDecision, recordPhoto, revision } from './store.js';
import { syncNow } from './sync.js';
import { Unlock } from './unlock.js';

type Draft = Omit<UnitDecisionInput, 'decision'> & { decision: UnitDecisionInput['decision'] | '' };
const blank = (unitId: string): Draft => ({ unitId, methods: [], evidenceIds: [], quality: { valid: false, authentic: false, current: false, sufficient: false }, decision: '', notes: null });
const today = () => new Date().toISOString().slice(0, 10);
const same = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b);
type Centre = { id: string; name: string; country: string };
const CENTRES = 'tanda-console-centres:';
/** The centre and country of the assessor's last save: a day abroad is one hall, case after case. */
const WHERE = 'tanda-console-field-where';
const lastWhere = (): { centreId?: string; country?: string } => {
  try {
    const w = JSON.parse(localStorage.getItem(WHERE) ?? '{}') as { centreId?: unknown; country?: unknown };
    return { ...(typeof w.centreId === 'string' ? { centreId: w.centreId } : {}), ...(typeof w.country === 'string' && w.country ? { country: w.country } : {}) };
  } catch {
    return {};
  }
};

/**
 * The assessment form: per unit of the qualification, the methods, the evidence relied on, the four rules of
 * evidence, Competent / Not Yet Competent and notes; where and when; photos straight from the device camera. A case of
 * the offline day is recorded on the device as events (and sent when there is a connection), its decision too
 * once every core unit has one on the device; any other case goes to the server at once.
 */
export function AssessScreen({ id }: { id: string }) {
  const { bundle, error, locked, reload } = useCase(id);
  if (locked) return (
    <section>
      <h1>{t('field.assess.title')}</h1>
      <Unlock />
    </section>
  );
  if (error) return (
    <section>
      <h1>{t('field.assess.title')}</h1>
      <p class="error" role="alert">{words(error)}</p>
    </section>
  );
  if (!bundle) return <p>{t('app.loading')}</p>;
  return <AssessForm bundle={bundle} reload={reload} />;
}

function AssessForm({ bundle, reload }: { bundle: CaseBundle; reload: () => void }) {
  const { kase, qualification, assessments, candidate } = bundle;
  const units = qualification?.units ?? [];
  const [kept, setKept] = useState(false);
  const [drafts, setDrafts] = useState<Map<string, Draft>>(new Map());
  const [saved, setSaved] = useState<Map<string, Draft>>(new Map());
  const [where, setWhere] = useState(() => ({ assessedOn: today(), centreId: '', country: candidate?.countryOfWork ?? '', ...lastWhere() }));
  const [centres, setCentres] = useState<Centre[]>(() => JSON.parse(localStorage.getItem(`${CENTRES}${kase.issuerId}`) ?? '[]') as Centre[]);
  const [photos, setPhotos] = useState<LocalPhoto[]>([]);
  const [evidence, setEvidence] = useState<EvidenceView[]>(bundle.evidence);
  const [message, setMessage] = useState<Said | null>(null);
  const [error, setError] = useState<Said | null>(null);
  const [busy, setBusy] = useState(false);
  /** The decision recorded on this device, standing (waiting to sync, applied, or a conflict). */
  const [deviceDecision, setDeviceDecision] = useState<Awaited<ReturnType<typeof localCaseDecision>>>(undefined);

  useEffect(() => {
    void (async () => {
      const isKept = (await offlineCaseIds()).includes(kase.id);
      setKept(isKept);
      const local = isKept ? await localDecisions(kase.id) : new Map();
      const current = new Map<string, Draft>();
      for (const u of units) {
        const l = local.get(u.unitId);
        const s = assessments.find((a) => a.round === kase.round && a.unitId === u.unitId);
        const from = l?.unit ?? s;
        current.set(u.unitId, from ? { unitId: u.unitId, methods: [...from.methods], evidenceIds: [...from.evidenceIds], quality: { ...from.quality }, decision: from.decision, notes: from.notes ?? null } : blank(u.unitId));
        if (l) setWhere({ assessedOn: l.assessedOn, centreId: l.centreId ?? '', country: l.country ?? '' });
      }
      setSaved(current);
      setDrafts(new Map([...current].map(([k, v]) => [k, structuredClone(v)])));
    })();
  }, [bundle]);
  useEffect(() => {
    void localPhotos(kase.id).then(setPhotos);
    void localCaseDecision(kase.id).then(setDeviceDecision);
  }, [revision.value]);
  useEffect(() => {
    // Public registry data, kept for the next offline day (no candidate's data in it).
    void call<{ assessmentCentres: Centre[] }>('GET', `/assessment-centres?issuerId=${encodeURIComponent(kase.issuerId)}`)
      .then((r) => {
        setCentres(r.assessmentCentres);
        localStorage.setItem(`${CENTRES}${kase.issuerId}`, JSON.stringify(r.assessmentCentres.map(({ id, name, country }) => ({ id, name, country }))));
      })
      .catch(() => undefined);
  }, [kase.issuerId]);

  // Once decided on the device, a unit recorded after it would reach the server after the case closed.
  const mayRecord = session.value?.abilities.assess && kase.assessorId === session.value.user.id && ASSESSING.has(kase.state) && !deviceDecision;
  const update = (unitId: string, f: (d: Draft) => Draft) => setDrafts(new Map(drafts).set(unitId, f(drafts.get(unitId) ?? blank(unitId))));
  const toggle = <T,>(list: T[], x: T) => (list.includes(x) ? list.filter((y) => y !== x) : [...list, x]);

  const takePhoto = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    const form = input.form!;
    const kind = String(new FormData(form).get('photoKind') ?? 'work_photo');
    const title = String(new FormData(form).get('photoTitle') ?? '').trim() || t('field.photo.defaultTitle', { day: today() });
    if (!file) return;
    setError(null);
    setMessage(null);
    try {
      if (kept && isUnlocked()) {
        await recordPhoto(kase.id, { kind, title, fileName: file.name || 'photo.jpg', type: file.type || 'image/jpeg' }, await file.arrayBuffer());
        setMessage(said('field.photo.kept'));
        void syncNow();
      } else {
        const item = await uploadEvidence<EvidenceView>(kase.id, file, { kind, title, fileName: file.name || 'photo.jpg' });
        setEvidence([...evidence, item]);
        setMessage(said('field.photo.uploaded'));
      }
      input.value = '';
    } catch (err) {
      setError(refusal(err));
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    const changed = [...drafts.values()].filter((d) => d.decision && !same(d, saved.get(d.unitId) ?? blank(d.unitId))) as UnitDecisionInput[];
    if (!changed.length) return setMessage(said('field.assess.nothingChanged'));
    const problems = changed.flatMap((d) => {
      const code = units.find((u) => u.unitId === d.unitId)?.code ?? d.unitId;
      const out: Said[] = [];
      if (!d.methods.length) out.push(said('field.assess.needMethod', { unit: code }));
      if (d.decision === 'competent' && !QUALITY_RULES.every((r) => d.quality[r])) out.push(said('field.assess.needQuality', { unit: code }));
      return out;
    });
    if (!where.centreId && !/^[A-Z]{2}$/.test(where.country)) problems.push(said('field.assess.needWhere'));
    if (problems.length) return setError(problems);
    localStorage.setItem(WHERE, JSON.stringify({ centreId: where.centreId, country: where.country }));
    setBusy(true);
    try {
      if (kept && isUnlocked()) {
        for (const d of changed) {
          await recordDecision(kase.id, { baseVersion: kase.version, assessedOn: where.assessedOn, centreId: where.centreId || null, country: where.country || null, unit: { ...d, notes: d.notes?.trim() || null } });
        }
        setSaved(new Map(drafts));
        setMessage(said('field.assess.recorded', { count: changed.length }));
        void syncNow();
      } else {
        await change('POST', `/cases/${encodeURIComponent(kase.id)}/assessments`, {
          assessedOn: where.assessedOn,
          ...(where.centreId ? { centreId: where.centreId } : {}),
          ...(where.country ? { country: where.country } : {}),
          units: changed.map((d) => ({ ...d, notes: d.notes?.trim() || null })),
        });
        setMessage(said('field.assess.saved', { count: changed.length }));
        reload();
      }
    } catch (err) {
      setError(refusal(err));
    } finally {
      setBusy(false);
    }
  };

  const onDevice = kept && isUnlocked();
  const decide = async () => {
    setError(null);
    setMessage(null);
    try {
      if (onDevice) {
        // The last event per unit is the judgement the decision rests on; sync sends the decision after them.
        const local = await localDecisions(kase.id);
        await recordCaseDecision(kase.id, { baseVersion: kase.version, unitEventIds: [...local.values()].map((d) => d.eventId) });
        // The decide card says so from now on (a status of its own), beside the case's other entries.
        void syncNow();
        return;
      }
      await change('POST', `/cases/${encodeURIComponent(kase.id)}/transitions`, { event: 'decide', version: kase.version });
      go(`/cases/${encodeURIComponent(kase.id)}`);
    } catch (err) {
      setError(refusal(err));
    }
  };
  // What has a decision: on the device, the units as last saved here (its own events over the package's judgements);
  // online, the server's judgements of this round.
  const decided = new Set(
    onDevice ? [...saved.values()].filter((d) => d.decision).map((d) => d.unitId) : assessments.filter((a) => a.round === kase.round).map((a) => a.unitId),
  );
  const preconditionsMet = kase.allowedEvents.includes('decide') && decidePreconditionsMet(units, decided);
  const mayDecide = onDevice ? Boolean(mayRecord) && preconditionsMet : online.value && preconditionsMet;
  const evidenceChoices = [
    ...evidence.map((e) => ({ id: e.id, label: e.title || e.fileName || t(`field.kind.${e.kind}`) })),
    ...photos.filter((p) => !p.evidenceId || !evidence.some((e) => e.id === p.evidenceId)).map((p) => ({ id: `local:${p.eventId}`, label: `${p.title} (${t('field.photo.onDevice')})` })),
  ];

  return (
    <section>
      <h1>{t('field.assess.heading', { name: kase.candidateName })}</h1>
      <p>
        <a href={`#/cases/${encodeURIComponent(kase.id)}`}>{t('field.assess.backToCase')}</a>
      </p>
      {kept && <p class="banner pending" role="status">{t('field.assess.onDevice')}</p>}
      {!mayRecord && !deviceDecision && <p class="note">{t('field.assess.notNow', { state: t(`field.state.${kase.state}`) })}</p>}
      <form onSubmit={save} class="field-assess">
        <fieldset>
          <legend>{t('field.assess.where')}</legend>
          <label for="a-date">{t('field.assess.assessedOn')}</label>
          <input id="a-date" type="date" required max={today()} value={where.assessedOn} onInput={(e) => setWhere({ ...where, assessedOn: (e.currentTarget as HTMLInputElement).value })} />
          <label for="a-centre">{t('field.assess.centre')}</label>
          <select id="a-centre" value={where.centreId} onChange={(e) => {
            const centreId = (e.currentTarget as HTMLSelectElement).value;
            setWhere({ ...where, centreId, country: centres.find((c) => c.id === centreId)?.country ?? where.country });
          }}>
            <option value="">{t('field.assess.noCentre')}</option>
            {centres.map((c) => <option key={c.id} value={c.id}>{c.name} ({c.country})</option>)}
          </select>
          <label for="a-country">{t('field.assess.country')}</label>
          <input id="a-country" type="text" maxLength={2} autocomplete="off" value={where.country} onInput={(e) => setWhere({ ...where, country: (e.currentTarget as HTMLInputElement).value.toUpperCase() })} />
        </fieldset>

        <fieldset>
          <legend>{t('field.photo.title')}</legend>
          <label for="a-photo-kind">{t('field.photo.kind')}</label>
          <select id="a-photo-kind" name="photoKind">
            {EVIDENCE_KINDS.map((k) => <option key={k} value={k} selected={k === 'work_photo'}>{t(`field.kind.${k}`)}</option>)}
          </select>
          <label for="a-photo-title">{t('field.photo.name')}</label>
          <input id="a-photo-title" name="photoTitle" type="text" maxLength={300} />
          <label for="a-photo">{t('field.photo.take')}</label>
          <input id="a-photo" type="file" accept="image/*" capture="environment" disabled={!mayRecord} onChange={(e) => void takePhoto(e)} />
        </fieldset>

        {units.map((u, i) => {
          const d = drafts.get(u.unitId) ?? blank(u.unitId);
          const p = `u${i}`;
          return (
            <fieldset key={u.unitId} class="field-unit" data-unit={u.unitId}>
              <legend>
                {u.code} · {titleOf(u.titles, lang.value)} ({t(`field.unitKind.${u.kind}`)})
              </legend>
              <fieldset class="field-pairs">
                <legend>{t('field.assess.decision')}</legend>
                {(['competent', 'not_yet_competent'] as const).map((v) => (
                  <label class="check" key={v}>
                    <input type="radio" name={`${p}-decision`} value={v} checked={d.decision === v} onChange={() => update(u.unitId, (x) => ({ ...x, decision: v }))} />
                    {t(`field.decision.${v}`)}
                  </label>
                ))}
              </fieldset>
              <fieldset>
                <legend>{t('field.assess.methods')}</legend>
                {ASSESSMENT_METHODS.map((m) => (
                  <label class="check" key={m}>
                    <input type="checkbox" name={`${p}-method`} value={m} checked={d.methods.includes(m)} onChange={() => update(u.unitId, (x) => ({ ...x, methods: toggle<AssessmentMethod>(x.methods, m) }))} />
                    {t(`field.method.${m}`)}
                  </label>
                ))}
              </fieldset>
              <fieldset>
                <legend>{t('field.assess.evidence')}</legend>
                {evidenceChoices.length ? evidenceChoices.map((ev) => (
                  <label class="check" key={ev.id}>
                    <input type="checkbox" name={`${p}-evidence`} value={ev.id} checked={d.evidenceIds.includes(ev.id)} onChange={() => update(u.unitId, (x) => ({ ...x, evidenceIds: toggle(x.evidenceIds, ev.id) }))} />
                    {ev.label}
                  </label>
                )) : <p class="note">{t('field.case.noEvidence')}</p>}
              </fieldset>
              <fieldset class="field-pairs">
                <legend>{t('field.assess.rules')}</legend>
                {QUALITY_RULES.map((r) => (
                  <label class="check" key={r}>
                    <input type="checkbox" name={`${p}-rule`} value={r} checked={d.quality[r]} onChange={() => update(u.unitId, (x) => ({ ...x, quality: { ...x.quality, [r]: !x.quality[r] } }))} />
                    {t(`field.rule.${r}`)}
                  </label>
                ))}
              </fieldset>
              <label for={`${p}-notes`}>{t('field.assess.notes')}</label>
              <textarea id={`${p}-notes`} maxLength={4000} value={d.notes ?? ''} onInput={(e) => update(u.unitId, (x) => ({ ...x, notes: (e.currentTarget as HTMLTextAreaElement).value }))} />
            </fieldset>
          );
        })}
        {error && <p class="error" role="alert">{words(error)}</p>}
        {message && <p class="ok" role="status">{words(message)}</p>}
        <p>
          <button type="submit" disabled={busy || !mayRecord}>{t('field.assess.save')}</button>
        </p>
      </form>
      {ASSESSING.has(kase.state) && (
        <div class="card">
          <h2>{t('field.decide.title')}</h2>
          {deviceDecision ? (
            <p class="banner pending" role="status" data-decision={deviceDecision.status ?? 'waiting'}>
              {deviceDecision.status === 'conflict' ? t('field.decide.conflict') : t('field.decide.recorded')}
            </p>
          ) : (
            <>
              <p class="note">{onDevice ? (mayDecide ? t('field.decide.readyDevice') : t('field.decide.notYetDevice')) : mayDecide ? t('field.decide.ready') : t('field.decide.notYet')}</p>
              <button type="button" disabled={!mayDecide || busy} onClick={() => void decide()}>{t('field.decide.submit')}</button>
            </>
          )}
        </div>
      )}
    </section>
  );
}
