import { signal } from '@preact/signals';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import type { CredentialCard } from '../../me/credentials.js';
import type { ShareLinkView } from '../../me/share-links.js';
import { api, ApiError, OfflineError, setCsrf } from '../api.js';
import { ME_CATALOGUES, meTranslate } from './i18n/index.js';
import { LANGUAGE_NAMES, openingLanguage } from '../language.js';
import { store, type SavedCredential } from './store.js';
import { uploadResumable } from './upload.js';

/*
 * The returnee space: sign in with a code, follow the application, add evidence, see and show certificates (the
 * full-screen QR works offline once a certificate was opened), share links, own data. Hash routes keep it one page
 * the service worker can serve offline.
 */
const saved = localStorage.getItem('tanda-me-lang');
const lang = signal<string>(openingLanguage(Object.keys(ME_CATALOGUES), saved));
const route = signal(location.hash.slice(1) || '/');
const me = signal<{ id: string; name: string; candidateId: string; contact: string | null } | null | undefined>(undefined);
const offline = signal(false);

const t = (key: string, params: Record<string, string | number> = {}) => meTranslate(lang.value, key, params);
const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '');
/** Date and the phone's local time: for what runs out within the hour (a wallet offer), the day alone says nothing. */
const dayAndTime = (iso: string) => {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
};
const go = (to: string) => {
  location.hash = to;
};
addEventListener('hashchange', () => {
  route.value = location.hash.slice(1) || '/';
});

interface Candidate {
  id: string;
  fullName: string;
  email: string | null;
  phone: string | null;
  preferredLanguage: string | null;
  consent: { purpose: string | null; givenAt: string | null; withdrawnAt: string | null };
  statisticsConsent: { given: boolean; givenAt: string | null; withdrawnAt: string | null };
}
interface Case {
  id: string;
  qualificationId: string;
  state: string;
  appealDeadline: string | null;
  updatedAt: string;
  credentialId: string | null;
}

/** Shows where a code went without repeating all of it (someone may be looking over the returnee's shoulder). */
export function maskContact(contact: string): string {
  const c = contact.trim();
  if (c.includes('@')) {
    const [user = '', domain = ''] = c.split('@');
    return `${user.slice(0, 1)}•••@${domain}`;
  }
  const digits = c.replace(/[^\d+]/g, '');
  return `•••• ${digits.slice(-4)}`;
}

async function loadSession(): Promise<void> {
  try {
    const s = await api<{ user: { id: string; name: string }; csrfToken: string; candidateId: string; contact: string | null }>('GET', '/me/session');
    setCsrf(s.csrfToken);
    // A shared phone: what another returnee left saved here (no sign-out, a session that ran out) goes first.
    if (localStorage.getItem('tanda-me-user') !== s.user.id) {
      await Promise.all([store.credentials.clear(), store.links.clear(), store.uploads.clear()]);
      localStorage.setItem('tanda-me-user', s.user.id);
    }
    me.value = { ...s.user, candidateId: s.candidateId, contact: s.contact };
    offline.value = false;
  } catch (e) {
    if (e instanceof OfflineError) {
      offline.value = true;
      // Offline: what is saved on the phone can still be shown, signed in or not.
      me.value = null;
    } else me.value = null;
  }
}

function SignIn() {
  const [contact, setContact] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ challengeId: string }>('POST', '/auth/candidate/code', { contact });
      setChallenge(r.challengeId);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? 'signin.busy' : 'error.generic');
    } finally {
      setBusy(false);
    }
  };
  const verify = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/me/session', { challengeId: challenge, code: code.trim() });
      await loadSession();
      go('/');
    } catch (err) {
      setError(err instanceof ApiError ? (err.status === 429 ? 'signin.busy' : 'signin.wrong') : 'error.generic');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="signin-title">
      <h1 id="signin-title">{t('signin.title')}</h1>
      {!challenge ? (
        <form onSubmit={send}>
          <p>{t('signin.intro')}</p>
          <label for="contact">{t('signin.contact')}</label>
          <input id="contact" type="text" inputMode="email" autoComplete="username" value={contact} onInput={(e) => setContact(e.currentTarget.value)} required />
          <button type="submit" disabled={busy}>{t('signin.send')}</button>
        </form>
      ) : (
        <form onSubmit={verify}>
          <p id="sent-to" role="status">{t('signin.sentTo', { contact: maskContact(contact) })}</p>
          <label for="code">{t('signin.code')}</label>
          <input id="code" type="text" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} value={code} onInput={(e) => setCode(e.currentTarget.value)} required />
          <button type="submit" disabled={busy}>{t('signin.verify')}</button>
          <button type="button" class="secondary" onClick={() => setChallenge(null)}>{t('signin.again')}</button>
        </form>
      )}
      {error && <p class="error" role="alert">{t(error)}</p>}
    </section>
  );
}

function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): { data: T | undefined; error: unknown; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load().then((d) => live && setData(d), (e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { data, error, reload: () => setN(n + 1) };
}

/** The qualification's title in the reader's language where the catalogue has it (the registry is public). */
function QualificationTitle({ id }: { id: string }) {
  const { data } = useLoad(() => api<{ code: string; titles: Record<string, string> }>('GET', `/qualifications/${encodeURIComponent(id)}`), [id]);
  return <>{data ? `${data.titles[lang.value] ?? data.titles.en ?? data.code}` : decodeURIComponent(id.split('/').pop() ?? id)}</>;
}

function Application() {
  const { data: cases, error } = useLoad(() => api<Case[]>('GET', '/cases'));
  if (error) return <p class="error" role="alert">{t('error.generic')}</p>;
  if (!cases) return <p>{t('loading')}</p>;
  return (
    <section aria-labelledby="app-title">
      <h1 id="app-title">{t('nav.application')}</h1>
      {cases.length === 0 && <p>{t('app.none')}</p>}
      {cases.map((c) => (
        <article class="card case" data-state={c.state} key={c.id}>
          <h2><QualificationTitle id={c.qualificationId} /></h2>
          <p class="state"><strong>{t(`state.${c.state}`)}</strong></p>
          <h3>{t('app.next')}</h3>
          <p class="next">{t(`next.${c.state}`)}</p>
          {c.appealDeadline && (c.state === 'decided' || c.state === 'not_yet_competent' || c.state === 'moderated') && Date.parse(c.appealDeadline) > Date.now() && (
            <p class="deadline">{t('app.appealBy', { date: day(c.appealDeadline) })}</p>
          )}
          <p class="note">{t('app.updated', { date: day(c.updatedAt) })}</p>
          {['draft', 'submitted', 'screening', 'assessment', 'reassessment', 'appealed'].includes(c.state) && (
            <a class="button" href={`#/evidence/${c.id}`}>{t('app.addEvidence')}</a>
          )}
          {c.credentialId && <a class="button secondary" href={`#/credential/${encodeURIComponent(c.credentialId)}`}>{t('nav.credentials')}</a>}
        </article>
      ))}
    </section>
  );
}

const KINDS = ['employer_testimonial', 'certificate_of_employment', 'employment_contract', 'pay_slip', 'training_certificate', 'language_certificate', 'work_photo', 'work_video', 'reference_letter'];

function Evidence({ caseId }: { caseId: string }) {
  const { data: items, reload } = useLoad(() => api<Array<{ id: string; title: string; kind: string; createdAt: string }>>('GET', `/cases/${caseId}/evidence`), [caseId]);
  const [kind, setKind] = useState(KINDS[0]!);
  const [title, setTitle] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const [state, setState] = useState<'idle' | 'sending' | 'paused' | 'done' | 'refused' | 'tooLarge' | 'error'>('idle');
  const [resumed, setResumed] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setState('sending');
    setPercent(0);
    setResumed(false);
    try {
      await uploadResumable(file, { caseId, kind, title: title || file.name }, {
        progress: (p) => setPercent(p),
        paused: (isPaused) => setState(isPaused ? 'paused' : 'sending'),
        resumed: () => setResumed(true),
      });
      setState('done');
      setFile(null);
      setTitle('');
      reload();
    } catch (err) {
      setState(err instanceof ApiError ? (err.code === 'payload_too_large' ? 'tooLarge' : err.code === 'evidence_type_refused' ? 'refused' : 'error') : 'error');
    }
  };
  return (
    <section aria-labelledby="ev-title">
      <h1 id="ev-title">{t('ev.title')}</h1>
      <p>{t('ev.intro')}</p>
      <form onSubmit={send} class="card">
        <label for="ev-kind">{t('ev.kind')}</label>
        <select id="ev-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {KINDS.map((k) => <option value={k} key={k}>{t(`kind.${k}`)}</option>)}
        </select>
        <label for="ev-title-input">{t('ev.docTitle')}</label>
        <input id="ev-title-input" type="text" maxLength={300} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        <label class="button secondary file">
          <span>{t('ev.file')}</span>
          <input id="ev-file" type="file" accept="image/*,application/pdf,video/*" class="sr-only" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </label>
        {file && <p class="note" id="ev-file-name">{file.name}</p>}
        <button type="submit" disabled={!file || state === 'sending' || state === 'paused'}>{t('ev.send')}</button>
        {percent !== null && (
          <div>
            {resumed && <p class="note" id="ev-resumed">{t('ev.resumed')}</p>}
            <progress id="ev-progress" max={100} value={percent} aria-label={t('ev.progress', { percent })} />
            <p role="status" id="ev-status">
              {state === 'paused' ? t('ev.paused') : state === 'done' ? t('ev.done') : state === 'refused' ? t('ev.refused') : state === 'tooLarge' ? t('ev.tooLarge') : state === 'error' ? t('error.generic') : t('ev.progress', { percent })}
            </p>
          </div>
        )}
      </form>
      <h2>{t('ev.list')}</h2>
      {items && items.length === 0 && <p>{t('ev.none')}</p>}
      <ul id="ev-list">
        {items?.map((i) => <li key={i.id}>{i.title} <span class="note">({t(`kind.${i.kind}`)}, {day(i.createdAt)})</span></li>)}
      </ul>
    </section>
  );
}

/** Fetches the card and its QR image and keeps both on the phone for the offline QR. */
async function fetchAndSave(id: string): Promise<SavedCredential> {
  const card = await api<CredentialCard>('GET', `/me/credentials/${encodeURIComponent(id)}`);
  const res = await fetch(`/credentials/${encodeURIComponent(card.id)}/qr.svg`, { credentials: 'same-origin' });
  const entry: SavedCredential = { id: card.id, card, qrSvg: res.ok ? await res.text() : '', savedAt: new Date().toISOString() };
  await store.credentials.put(entry);
  return entry;
}

function StatusLine({ card }: { card: CredentialCard }) {
  if (card.state === 'replaced') {
    return (
      <p class="status replaced" data-status="replaced">
        {t('cred.replaced', { date: day(card.replacedBy?.at) })}{' '}
        {card.replacedBy && <a href={`#/credential/${encodeURIComponent(card.replacedBy.id)}`}>{t('cred.seeNew')}</a>}
      </p>
    );
  }
  if (card.state === 'revoked') {
    return (
      <>
        <p class="status revoked" data-status="revoked">{t('cred.revoked', { date: day(card.revocation?.revokedAt) })}</p>
        {card.revocation && <p class="why">{t(`reason.${card.revocation.reason}`)}</p>}
      </>
    );
  }
  return <p class="status active" data-status="active">{t('cred.active')}</p>;
}

function Credentials() {
  const { data, error } = useLoad(async () => {
    try {
      return await api<CredentialCard[]>('GET', '/me/credentials');
    } catch (e) {
      if (e instanceof OfflineError) return (await store.credentials.toArray()).map((s) => s.card);
      throw e;
    }
  });
  if (error) return <p class="error" role="alert">{t('error.generic')}</p>;
  if (!data) return <p>{t('loading')}</p>;
  return (
    <section aria-labelledby="cred-title">
      <h1 id="cred-title">{t('nav.credentials')}</h1>
      {data.length === 0 && <p>{t('cred.none')}</p>}
      {data.map((c) => (
        <article class="card credential" key={c.id} data-state={c.state}>
          <h2>{c.qualification.title}</h2>
          <p>{c.nationalLevel.framework} {c.nationalLevel.level} · {c.issuer.name}</p>
          <StatusLine card={c} />
          <a class="button" href={`#/credential/${encodeURIComponent(c.id)}`}>{t('cred.open')}</a>
        </article>
      ))}
    </section>
  );
}

function Credential({ id }: { id: string }) {
  const { data, error } = useLoad(async () => {
    try {
      return await fetchAndSave(id);
    } catch (e) {
      const cached = await store.credentials.get(id);
      if (cached) return cached;
      throw e;
    }
  }, [id]);
  if (error) return <p class="error" role="alert">{t('error.generic')}</p>;
  if (!data) return <p>{t('loading')}</p>;
  const c = data.card;
  const enc = encodeURIComponent(c.id);
  return (
    <section aria-labelledby="c-title" class="credential-view">
      <h1 id="c-title">{c.qualification.title}</h1>
      <StatusLine card={c} />
      {c.replaces && <p class="note">{t('cred.replaces')}</p>}
      {/* A replaced or revoked certificate would only be refused by an employer: no QR, link or wallet for it. */}
      {c.state === 'active' && (
        <div class="row">
          <a id="show-qr" class="button big" href={`#/qr/${enc}`}>{t('cred.showQr')}</a>
        </div>
      )}
      <dl>
        <dt>{t('cred.national')}</dt><dd>{c.nationalLevel.framework} {c.nationalLevel.level}</dd>
        {c.aqrfLevel && <><dt>{t('cred.aqrf')}</dt><dd>{c.aqrfLevel.level}{c.aqrfLevel.status === 'provisional' && <small class="note"> ({t('cred.aqrfProvisional')})</small>}</dd></>}
        <dt>{t('cred.issuer')}</dt><dd>{c.issuer.name}</dd>
        <dt>{t('cred.issued')}</dt><dd>{c.issuedOn}</dd>
        <dt>{t('cred.validUntil')}</dt><dd>{c.validUntil ?? t('cred.noExpiry')}</dd>
        <dt>{t('cred.code')}</dt><dd>{c.verifyCode}</dd>
      </dl>
      <details>
        <summary>{t('cred.units')} ({c.units.length})</summary>
        <ul>{c.units.map((u) => <li key={u.code}>{u.title}</li>)}</ul>
      </details>
      <div class="row">
        <a class="button secondary" href={`/credentials/${enc}/certificate.pdf`} download>{t('cred.pdf')}</a>
        <a class="button secondary" href={`/credentials/${enc}`} download={`credential-${c.id.replace(/^urn:uuid:/, '')}.json`}>{t('cred.json')}</a>
        {c.state === 'active' && <a class="button secondary" href={`#/share?c=${enc}`}>{t('cred.share')}</a>}
      </div>
      {c.state === 'active' && <Wallet id={c.id} />}
    </section>
  );
}

interface WalletOffers {
  oid4vci: { credentialOfferUri: string; txCodeSentTo: string; expiresAt: string };
  vcapi: { deepLink: string; expiresAt: string };
}

function QrOf({ text, label }: { text: string; label: string }) {
  const [src, setSrc] = useState('');
  useEffect(() => {
    QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }).then((svg: string) => setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`), () => setSrc(''));
  }, [text]);
  return src ? <img class="wallet-qr" src={src} alt={label} /> : null;
}

/** The slot for standard wallets (OID4VCI and VC API offers come from the wallets module; until then it says so). */
function Wallet({ id }: { id: string }) {
  const [offers, setOffers] = useState<WalletOffers | null>(null);
  const [failed, setFailed] = useState(false);
  const start = async () => {
    setFailed(false);
    try {
      setOffers(await api<WalletOffers>('POST', `/me/credentials/${encodeURIComponent(id)}/wallet-offers`));
    } catch {
      setFailed(true);
    }
  };
  return (
    <section class="card" aria-labelledby="wallet-title">
      <h2 id="wallet-title">{t('wallet.title')}</h2>
      <p>{t('wallet.intro')}</p>
      {!offers && <button type="button" id="wallet-start" class="secondary" onClick={start}>{t('wallet.start')}</button>}
      {failed && <p role="status">{t('wallet.unavailable')}</p>}
      {offers && (
        <div id="wallet-offers">
          <h3>{t('wallet.oid4vci')}</h3>
          {/* Before the QR: the returnee should know a PIN is coming, and where to find it, before the wallet asks. */}
          <p id="wallet-pin">{t('wallet.pin', { contact: offers.oid4vci.txCodeSentTo })}</p>
          <QrOf text={offers.oid4vci.credentialOfferUri} label={t('wallet.oid4vci')} />
          <a id="wallet-oid4vci-open" class="button" href={offers.oid4vci.credentialOfferUri}>{t('wallet.open')}</a>
          <p class="note" id="wallet-oid4vci-until">{t('wallet.until', { date: dayAndTime(offers.oid4vci.expiresAt) })}</p>
          <h3>{t('wallet.vcapi')}</h3>
          <QrOf text={offers.vcapi.deepLink} label={t('wallet.vcapi')} />
          <a id="wallet-vcapi-open" class="button" href={offers.vcapi.deepLink}>{t('wallet.open')}</a>
          <p class="note">{t('wallet.until', { date: dayAndTime(offers.vcapi.expiresAt) })}</p>
        </div>
      )}
    </section>
  );
}

/** Full screen, from the phone's store only: no network on the way, so it opens at once and offline. */
function FullQr({ id }: { id: string }) {
  const [entry, setEntry] = useState<SavedCredential | null | undefined>(undefined);
  useEffect(() => {
    store.credentials.get(id).then((e) => setEntry(e ?? null), () => setEntry(null));
  }, [id]);
  if (entry === undefined) return null;
  return (
    <div class="fullqr" role="dialog" aria-modal="true" aria-labelledby="qr-title">
      <h1 id="qr-title" class="sr-only">{entry?.card.qualification.title ?? t('cred.showQr')}</h1>
      {entry?.qrSvg ? (
        <>
          <img id="qr-image" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(entry.qrSvg)}`} alt={t('cred.showQr')} data-payload={entry.card.qrPayload} />
          <p class="qr-name">{entry.card.holderName} · {entry.card.qualification.title}</p>
          <p>{t('qr.hint')}</p>
        </>
      ) : (
        <p role="alert">{t('qr.missing')}</p>
      )}
      <button type="button" onClick={() => history.back()}>{t('qr.close')}</button>
    </div>
  );
}

function ShareLinks({ preselect }: { preselect: string | null }) {
  const creds = useLoad(() => api<CredentialCard[]>('GET', '/me/credentials'));
  const links = useLoad(() => api<ShareLinkView[]>('GET', '/me/share-links'));
  const [chosen, setChosen] = useState<string[]>(preselect ? [preselect] : []);
  const [until, setUntil] = useState(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
  const [made, setMade] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [urls, setUrls] = useState<Record<string, string>>({});
  useEffect(() => {
    store.links.toArray().then((all) => setUrls(Object.fromEntries(all.map((l) => [l.id, l.url]))), () => undefined);
  }, [made]);
  const make = async (e: Event) => {
    e.preventDefault();
    const link = await api<ShareLinkView & { url: string }>('POST', '/me/share-links', { credentialIds: chosen, expiresAt: `${until}T23:59:59.000Z` });
    await store.links.put({ id: link.id, url: link.url });
    setMade(link.url);
    links.reload();
  };
  const revoke = async (id: string) => {
    await api('DELETE', `/me/share-links/${id}`);
    links.reload();
  };
  const active = creds.data?.filter((c) => c.state === 'active') ?? [];
  return (
    <section aria-labelledby="share-title">
      <h1 id="share-title">{t('nav.share')}</h1>
      <form class="card" onSubmit={make}>
        <h2>{t('share.create')}</h2>
        <fieldset>
          <legend>{t('share.choose')}</legend>
          {active.map((c) => (
            <label class="check" key={c.id}>
              <input type="checkbox" name="credential" value={c.id} checked={chosen.includes(c.id)} onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, c.id] : chosen.filter((x) => x !== c.id))} />{' '}
              {c.qualification.title}
            </label>
          ))}
        </fieldset>
        <label for="share-until">{t('share.until')}</label>
        <input id="share-until" type="date" value={until} min={new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)} onInput={(e) => setUntil(e.currentTarget.value)} aria-describedby="share-until-hint" />
        <p id="share-until-hint" class="note">{t('share.untilHint')}</p>
        <button type="submit" disabled={!chosen.length}>{t('share.make')}</button>
        {made && (
          <div role="status">
            <p>{t('share.made')}</p>
            <input id="share-url" type="text" readOnly value={made} aria-label={t('share.made')} />
            <button type="button" class="secondary" onClick={() => navigator.clipboard?.writeText(made).then(() => setCopied(true), () => undefined)}>{copied ? t('share.copied') : t('share.copy')}</button>
          </div>
        )}
      </form>
      <h2>{t('share.list')}</h2>
      {links.data && links.data.length === 0 && <p>{t('share.none')}</p>}
      <ul class="links">
        {links.data?.map((l) => (
          <li class="card" key={l.id} data-link={l.id} data-state={l.state}>
            <p>{l.credentialIds.map((cid) => creds.data?.find((c) => c.id === cid)?.qualification.title ?? cid).join(', ')}</p>
            <p>{l.state === 'active' ? t('share.expires', { date: day(l.expiresAt) }) : l.state === 'expired' ? t('share.expired', { date: day(l.expiresAt) }) : t('share.revokedOn', { date: day(l.revokedAt) })}</p>
            {urls[l.id] && l.state === 'active' && <p class="url">{urls[l.id]}</p>}
            <p>{l.opens.length ? t('share.opens', { count: l.opens.length }) : t('share.neverOpened')}</p>
            {l.state === 'active' && <button type="button" class="secondary revoke" onClick={() => revoke(l.id)}>{t('share.revoke')}</button>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Privacy() {
  const profile = useLoad(() => api<Candidate>('GET', '/candidates/me'));
  const links = useLoad(() => api<ShareLinkView[]>('GET', '/me/share-links'));
  const [confirming, setConfirming] = useState(false);
  const withdraw = async () => {
    if (!profile.data) return;
    await api('POST', `/candidates/${profile.data.id}/consent/withdraw`);
    setConfirming(false);
    profile.reload();
  };
  const [statsBusy, setStatsBusy] = useState(false);
  const setStats = async (given: boolean) => {
    if (!profile.data) return;
    setStatsBusy(true);
    try {
      await api('PUT', `/candidates/${profile.data.id}/statistics-consent`, { given });
      profile.reload();
    } finally {
      setStatsBusy(false);
    }
  };
  const p = profile.data;
  const opens = (links.data ?? []).flatMap((l) => l.opens.map((at) => ({ at, link: l }))).sort((a, b) => b.at.localeCompare(a.at));
  return (
    <section aria-labelledby="privacy-title">
      <h1 id="privacy-title">{t('privacy.title')}</h1>
      <div class="card">
        <h2>{t('privacy.consent')}</h2>
        {p && (p.consent.withdrawnAt ? <p id="consent-state">{t('privacy.consentWithdrawn', { date: day(p.consent.withdrawnAt) })}</p> : <p id="consent-state">{t('privacy.consentGiven', { date: day(p.consent.givenAt), purpose: p.consent.purpose ?? '' })}</p>)}
        {p && !p.consent.withdrawnAt && !confirming && <button type="button" class="secondary" onClick={() => setConfirming(true)}>{t('privacy.withdraw')}</button>}
        {confirming && (
          <div role="alertdialog" aria-labelledby="withdraw-warn">
            <p id="withdraw-warn">{t('privacy.withdrawWarn')}</p>
            <button type="button" onClick={withdraw}>{t('privacy.confirm')}</button>
          </div>
        )}
      </div>
      <div class="card" id="stats">
        <h2>{t('privacy.stats')}</h2>
        <p class="note">{t('privacy.statsText')}</p>
        {p && (
          <>
            <p id="stats-state" role="status" data-given={String(p.statisticsConsent.given)}>
              {p.statisticsConsent.given ? t('privacy.statsOn', { date: day(p.statisticsConsent.givenAt) }) : t('privacy.statsOff')}
            </p>
            <button type="button" id="stats-toggle" class="secondary" disabled={statsBusy} onClick={() => setStats(!p.statisticsConsent.given)}>
              {p.statisticsConsent.given ? t('privacy.statsWithdraw') : t('privacy.statsGive')}
            </button>
          </>
        )}
      </div>
      <div class="card">
        <h2>{t('privacy.opens')}</h2>
        <p class="note">{t('privacy.opensText')}</p>
        {opens.length === 0 ? <p>{t('share.neverOpened')}</p> : <ul id="opens">{opens.map((o) => <li key={o.at}>{t('share.openedAt', { date: o.at.slice(0, 16).replace('T', ' ') })}</li>)}</ul>}
      </div>
      {p && <a class="button secondary" href={`/candidates/${p.id}/export`} download>{t('privacy.download')}</a>}
    </section>
  );
}

function Header() {
  const signedIn = !!me.value;
  return (
    <header>
      <p class="brand">{t('app.title')}</p>
      <label>
        <span>{t('lang.label')}</span>{' '}
        <select id="lang" value={lang.value} onChange={(e) => {
          lang.value = e.currentTarget.value;
          localStorage.setItem('tanda-me-lang', lang.value);
          document.documentElement.lang = lang.value;
        }}>
          {Object.keys(ME_CATALOGUES).map((code) => <option value={code} key={code} lang={code}>{LANGUAGE_NAMES[code]}</option>)}
        </select>
      </label>
      {signedIn && (
        <nav aria-label={t('app.title')}>
          <a href="#/" aria-current={route.value === '/' ? 'page' : undefined}>{t('nav.application')}</a>
          <a href="#/credentials" aria-current={route.value.startsWith('/credential') ? 'page' : undefined}>{t('nav.credentials')}</a>
          <a href="#/share" aria-current={route.value.startsWith('/share') ? 'page' : undefined}>{t('nav.share')}</a>
          <a href="#/privacy" aria-current={route.value === '/privacy' ? 'page' : undefined}>{t('nav.privacy')}</a>
          <button type="button" class="link" onClick={async () => {
            await api('DELETE', '/me/session').catch(() => undefined);
            await store.credentials.clear();
            await store.links.clear();
            await store.uploads.clear();
            me.value = null;
            go('/');
          }}>{t('nav.signOut')}</button>
        </nav>
      )}
    </header>
  );
}

function App() {
  const r = route.value;
  document.documentElement.lang = lang.value;
  const qr = /^\/qr\/(.+)$/.exec(r);
  if (qr) return <FullQr id={decodeURIComponent(qr[1]!)} />;
  if (me.value === undefined) return <main><p>{t('loading')}</p></main>;
  const cred = /^\/credential\/(.+)$/.exec(r);
  let page;
  if (!me.value) {
    // Offline and not signed in: the saved certificates are still there to show.
    page = offline.value ? (cred ? <Credential id={decodeURIComponent(cred[1]!)} /> : <Credentials />) : <SignIn />;
  } else if (cred) page = <Credential id={decodeURIComponent(cred[1]!)} />;
  else if (r === '/credentials') page = <Credentials />;
  else if (r.startsWith('/share')) page = <ShareLinks preselect={new URLSearchParams(r.split('?')[1] ?? '').get('c')} />;
  else if (r === '/privacy') page = <Privacy />;
  else if (r.startsWith('/evidence/')) page = <Evidence caseId={r.slice('/evidence/'.length)} />;
  else page = <Application />;
  return (
    <>
      <Header />
      <main>
        {offline.value && <p class="offline" role="status">{t('offline.notice')}</p>}
        {page}
      </main>
    </>
  );
}

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/me/sw.js', { scope: '/me' }).catch(() => undefined);
render(<App />, document.getElementById('app')!);
void loadSession();
(globalThis as { tandaMe?: unknown }).tandaMe = { ready: true };
