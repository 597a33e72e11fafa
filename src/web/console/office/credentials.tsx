import { useState } from 'preact/hooks';
import { useLoad } from '../load.js';
import { call, day, errorText, go, refusal, said, t, words, type Said } from '../shell.js';
import { CaseQueue, credentialPath, refusalText, useCaseQueue } from './common.js';
import { KIND_KEYS, REVOCATION_REASON_KEYS } from './keys.js';

type Reason = keyof typeof REVOCATION_REASON_KEYS;

interface History {
  credentialId: string;
  revocation: { reason: Reason; note: string | null; revokedBy?: string; revokedAt: string } | null;
  replacedBy: { id: string; kind: keyof typeof KIND_KEYS; at: string } | null;
  replaces: { id: string; kind: keyof typeof KIND_KEYS; at: string } | null;
}

type Doc = {
  id: string;
  validFrom?: string;
  validUntil?: string;
  name?: string;
  credentialSubject?: { identifier?: Array<{ identityType?: string; identityHash?: string }>; achievement?: { name?: string } };
};

/** The holder's name (and its Latin spelling) as the credential carries them. */
export function holderNames(doc: Doc): { name: string | null; latin: string | null } {
  const ids = doc.credentialSubject?.identifier ?? [];
  return {
    name: ids.find((i) => i.identityType === 'name')?.identityHash ?? null,
    latin: ids.find((i) => i.identityType === 'ext:nameLatin')?.identityHash ?? null,
  };
}

const kindText = (k: string) => (k in KIND_KEYS ? t(KIND_KEYS[k as keyof typeof KIND_KEYS]) : k);

/** Find a credential: from a certified case of the body, or by its id. */
export function CredentialsFind() {
  const certified = useCaseQueue('certified');
  const [id, setId] = useState('');
  return (
    <section>
      <h1>{t('office.credentials.title')}</h1>
      <p class="note">{t('office.credentials.intro')}</p>
      <form
        class="card"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) go(`/credentials/${credentialPath(id.trim())}`);
        }}
      >
        <label for="credential-find">{t('office.credentials.byId')}</label>
        <input id="credential-find" type="text" required maxLength={200} value={id} onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit">{t('common.search')}</button>
      </form>
      <h2>{t('office.credentials.certifiedCases')}</h2>
      <CaseQueue
        queue={certified}
        caption={t('office.credentials.certifiedCases')}
        empty={t('office.credentials.empty')}
        // A certified case always carries its credential: the state and the id are written in one update.
        href={(c) => `#/credentials/${credentialPath(c.credentialId!)}`}
      />
    </section>
  );
}

type Action = 'revoke' | 'reissue' | 'correct';
type Step = { action: Action; confirming: boolean };

/**
 * A credential's status and history, and the three changes an officer may make: revoke (final), re-issue (renewal)
 * and correct the holder's name (a re-issue with corrections). Each asks a second time before it is sent.
 */
export function CredentialView({ id }: { id: string }) {
  const loaded = useLoad(
    () => Promise.all([call<Doc>('GET', `/credentials/${encodeURIComponent(id)}`), call<History>('GET', `/credentials/${encodeURIComponent(id)}/history`)]),
    [id],
  );
  const [step, setStep] = useState<Step | null>(null);
  const [reason, setReason] = useState<Reason | ''>('');
  const [note, setNote] = useState('');
  const [name, setName] = useState('');
  const [latin, setLatin] = useState('');
  const [years, setYears] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Said | null>(null);
  const [done, setDone] = useState<{ said: Said; replacement?: string } | null>(null);

  if (loaded.error) return <section><h1>{t('office.credential.title')}</h1><p class="error" role="alert">{errorText(loaded.error)}</p><p><a href="#/credentials">{t('office.credentials.back')}</a></p></section>;
  if (!loaded.data) return <section><h1>{t('office.credential.title')}</h1><p>{t('app.loading')}</p></section>;
  const [doc, history] = loaded.data;
  const names = holderNames(doc);
  const revoked = !!history.revocation;
  const pdf = (cid: string) => `/credentials/${credentialPath(cid)}/certificate.pdf`;

  const open = (action: Action) => {
    setStep({ action, confirming: false });
    setFailure(null);
    setDone(null);
    setNote('');
    setReason('');
    setName(names.name ?? '');
    setLatin(names.latin ?? '');
    setYears('');
  };

  const send = async () => {
    if (!step) return;
    setBusy(true);
    setFailure(null);
    const path = `/credentials/${encodeURIComponent(doc.id)}`;
    try {
      if (step.action === 'revoke') {
        await call('POST', `${path}/revoke`, { reason, note: note.trim() || null });
        setDone({ said: said('office.credential.revoked') });
      } else {
        const body =
          step.action === 'reissue'
            ? { renew: years ? { validityYears: Number(years) } : {}, note: note.trim() }
            : {
                ...(name.trim() !== (names.name ?? '') ? { holderName: name.trim() } : {}),
                ...(latin.trim() !== (names.latin ?? '') ? { holderNameLatin: latin.trim() || null } : {}),
                note: note.trim(),
              };
        const r = await call<{ verifiableCredential: { id: string }; replaced: string; kind: string }>('POST', `${path}/reissue`, body);
        setDone({ said: said('office.credential.reissued', { kind: r.kind in KIND_KEYS ? said(KIND_KEYS[r.kind as keyof typeof KIND_KEYS]) : r.kind }), replacement: String(r.verifiableCredential.id) });
      }
      setStep(null);
      loaded.reload();
    } catch (e) {
      setFailure(refusal(e, refusalText));
    } finally {
      setBusy(false);
    }
  };

  const nameChanged = name.trim() !== (names.name ?? '') || latin.trim() !== (names.latin ?? '');
  const ready = step && note.trim() !== '' && (step.action === 'revoke' ? reason !== '' : step.action === 'correct' ? nameChanged && name.trim() !== '' : true);

  return (
    <section>
      <p><a href="#/credentials">{t('office.credentials.back')}</a></p>
      <h1>{t('office.credential.title')}</h1>
      {done && (
        <div class="card" role="status" id="credential-result">
          <p class="ok">{words(done.said)}</p>
          {done.replacement && (
            <>
              <p>
                {t('office.credential.replacement')} <a href={`#/credentials/${credentialPath(done.replacement)}`}>{done.replacement}</a>
              </p>
              <p><a class="button" href={pdf(done.replacement)} download>{t('office.credential.replacementPdf')}</a></p>
            </>
          )}
        </div>
      )}

      <dl>
        <dt>{t('office.credential.id')}</dt>
        <dd>{doc.id}</dd>
        <dt>{t('office.credential.holder')}</dt>
        <dd id="credential-holder">{names.name ?? t('common.none')}</dd>
        {names.latin && (
          <>
            <dt>{t('office.credential.holderLatin')}</dt>
            <dd>{names.latin}</dd>
          </>
        )}
        {doc.validFrom && (
          <>
            <dt>{t('office.credential.validFrom')}</dt>
            <dd>{day(doc.validFrom)}</dd>
          </>
        )}
        {doc.validUntil && (
          <>
            <dt>{t('office.credential.validUntil')}</dt>
            <dd>{day(doc.validUntil)}</dd>
          </>
        )}
        <dt>{t('office.credential.status')}</dt>
        <dd id="credential-status">
          {revoked ? (
            <span class="badge nyc">{t('office.credential.statusRevoked', { reason: t(REVOCATION_REASON_KEYS[history.revocation!.reason]), date: day(history.revocation!.revokedAt) })}</span>
          ) : (
            <span class="badge competent">{t('office.credential.statusValid')}</span>
          )}
        </dd>
        {history.revocation?.note && (
          <>
            <dt>{t('office.credential.revocationNote')}</dt>
            <dd>{history.revocation.note}</dd>
          </>
        )}
      </dl>

      <h2>{t('office.credential.history')}</h2>
      <ul>
        {history.replaces && (
          <li>
            {t('office.credential.replaces', { kind: kindText(history.replaces.kind), date: day(history.replaces.at) })}{' '}
            <a href={`#/credentials/${credentialPath(history.replaces.id)}`}>{history.replaces.id}</a>
          </li>
        )}
        {history.replacedBy && (
          <li>
            {t('office.credential.replacedBy', { kind: kindText(history.replacedBy.kind), date: day(history.replacedBy.at) })}{' '}
            <a href={`#/credentials/${credentialPath(history.replacedBy.id)}`}>{history.replacedBy.id}</a>
          </li>
        )}
        {!history.replaces && !history.replacedBy && <li>{t('office.credential.noHistory')}</li>}
      </ul>
      {!revoked && <p><a class="button secondary" href={pdf(doc.id)} download>{t('office.print.download')}</a></p>}

      {!revoked && (
        <>
          <h2>{t('office.credential.actions')}</h2>
          {!step && (
            <div class="row">
              <button type="button" class="danger" onClick={() => open('revoke')}>{t('office.credential.revoke')}</button>
              <button type="button" class="secondary" onClick={() => open('reissue')}>{t('office.credential.reissue')}</button>
              <button type="button" class="secondary" onClick={() => open('correct')}>{t('office.credential.correct')}</button>
            </div>
          )}
          {step && (
            <form
              class="card"
              onSubmit={(e) => {
                e.preventDefault();
                if (!step.confirming) setStep({ ...step, confirming: true });
                else void send();
              }}
            >
              <h3>{step.action === 'revoke' ? t('office.credential.revoke') : step.action === 'reissue' ? t('office.credential.reissue') : t('office.credential.correct')}</h3>
              <fieldset disabled={step.confirming}>
                {step.action === 'revoke' && (
                  <>
                    <label for="revoke-reason">{t('common.reason')}</label>
                    <select id="revoke-reason" required value={reason} onChange={(e) => setReason((e.currentTarget as HTMLSelectElement).value as Reason)}>
                      <option value="">{t('office.credential.chooseReason')}</option>
                      {(Object.keys(REVOCATION_REASON_KEYS) as Reason[]).map((r) => <option key={r} value={r}>{t(REVOCATION_REASON_KEYS[r])}</option>)}
                    </select>
                  </>
                )}
                {step.action === 'reissue' && (
                  <>
                    <label for="reissue-years">{t('office.credential.validityYears')}</label>
                    <input id="reissue-years" type="number" min={1} max={50} inputMode="numeric" value={years} onInput={(e) => setYears((e.currentTarget as HTMLInputElement).value)} aria-describedby="reissue-years-note" />
                    <p class="note" id="reissue-years-note">{t('office.credential.validityYearsNote')}</p>
                  </>
                )}
                {step.action === 'correct' && (
                  <>
                    <label for="correct-name">{t('office.credential.newName')}</label>
                    <input id="correct-name" type="text" required maxLength={200} value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
                    <label for="correct-latin">{t('office.credential.newNameLatin')}</label>
                    <input id="correct-latin" type="text" maxLength={200} value={latin} onInput={(e) => setLatin((e.currentTarget as HTMLInputElement).value)} aria-describedby="correct-latin-note" />
                    <p class="note" id="correct-latin-note">{t('office.credential.newNameLatinNote')}</p>
                  </>
                )}
                <label for="action-note">{t('office.credential.note')}</label>
                <textarea id="action-note" required maxLength={2000} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />
              </fieldset>
              {step.confirming && (
                <p class="banner conflict" role="alert">
                  {step.action === 'revoke' ? t('office.credential.revokeConfirm') : step.action === 'reissue' ? t('office.credential.reissueConfirm') : t('office.credential.correctConfirm', { name: name.trim() })}
                </p>
              )}
              <div class="row">
                <button type="submit" class={step.action === 'revoke' ? 'danger' : undefined} disabled={busy || !ready}>
                  {step.confirming ? t('office.credential.confirmNow') : t('office.credential.review')}
                </button>
                <button type="button" class="secondary" onClick={() => (step.confirming ? setStep({ ...step, confirming: false }) : setStep(null))}>
                  {step.confirming ? t('office.credential.change') : t('common.cancel')}
                </button>
              </div>
              {failure && <p class="error" role="alert">{words(failure)}</p>}
            </form>
          )}
        </>
      )}
    </section>
  );
}
