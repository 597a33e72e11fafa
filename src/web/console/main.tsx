import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, OfflineError, setCsrf } from '../api.js';
import { CONSOLE_LANGUAGES } from './i18n/index.js';
import { LANGUAGE_NAMES } from '../language.js';
import { HEADER_WIDGETS, match, SCREENS } from './screens/index.js';
import { flash, go, lang, onSignedIn, onSigningOut, online, refusal, route, said, session, t, words, type ConsoleSession, type Said } from './shell.js';

/*
 * The staff console: sign in, then the screens the access policy allows this person (GET /console/session says
 * which). Hash routes keep it one page the service worker can serve with no network.
 */

async function loadSession(): Promise<void> {
  try {
    const s = await api<ConsoleSession>('GET', '/console/session');
    setCsrf(s.csrfToken);
    for (const hook of onSignedIn) await hook(s);
    session.value = s;
  } catch (e) {
    if (e instanceof OfflineError) {
      // Offline at start: the last session's person, if the offline store still holds it, works on from there.
      const last = localStorage.getItem('tanda-console-last-session');
      const s = last ? (JSON.parse(last) as ConsoleSession) : null;
      if (s) for (const hook of onSignedIn) await hook(s).catch(() => undefined);
      session.value = s;
      return;
    }
    session.value = null;
  }
}

session.subscribe((s) => {
  // What the page needs to open offline after a reload: who, and what they may see (never the CSRF token).
  if (s) localStorage.setItem('tanda-console-last-session', JSON.stringify({ ...s, csrfToken: '' }));
});

async function signOut(everywhere: boolean): Promise<void> {
  for (const hook of onSigningOut) await hook().catch(() => undefined);
  localStorage.removeItem('tanda-console-last-session');
  await (everywhere ? api('POST', '/console/session/everywhere') : api('DELETE', '/console/session')).catch(() => undefined);
  setCsrf(undefined);
  session.value = null;
  flash.value = everywhere ? said('session.signedOutEverywhere') : null;
  go('/');
}

function SignIn() {
  const [error, setError] = useState<Said | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/console/session', { email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') });
      await loadSession();
      if (session.value === null) setError(said('signin.notStaff'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(said('signin.wrong'));
      else if (err instanceof ApiError && err.status === 429) setError(said('signin.tooMany'));
      else if (err instanceof OfflineError) setError(said('signin.offline'));
      else setError(refusal(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>{t('signin.title')}</h1>
      {flash.value && <p class="ok" role="status">{words(flash.value)}</p>}
      <form class="card" onSubmit={submit}>
        <label for="email">{t('signin.email')}</label>
        <input id="email" name="email" type="email" autocomplete="username" required />
        <label for="password">{t('signin.password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <p>
          <button type="submit" disabled={busy}>{t('signin.submit')}</button>
        </p>
        {error && <p class="error" role="alert">{words(error)}</p>}
      </form>
    </main>
  );
}

function Header() {
  const s = session.value;
  return (
    <header class="top">
      <a class="sr-only" href="#main">{t('app.skip')}</a>
      <p class="brand">{t('app.title')}</p>
      {s && (
        <span class="who">
          {t('session.as', { name: s.user.name, role: t(`role.${s.user.role}` as 'role.admin') })}
          {s.body ? ` · ${s.body.name}` : ''}
        </span>
      )}
      <span class="badge" role="status">{online.value ? t('net.online') : t('net.offline')}</span>
      {s && HEADER_WIDGETS.map((W, i) => <W key={i} />)}
      <label>
        {t('app.language')}
        <select
          value={lang.value}
          onChange={(e) => {
            lang.value = (e.currentTarget as HTMLSelectElement).value;
            localStorage.setItem('tanda-console-lang', lang.value);
            document.documentElement.lang = lang.value;
          }}
        >
          {CONSOLE_LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
        </select>
      </label>
      {s && (
        <span class="row">
          <button type="button" class="secondary" onClick={() => void signOut(false)}>{t('session.signOut')}</button>
          <button type="button" class="secondary" onClick={() => void signOut(true)}>{t('session.signOutEverywhere')}</button>
        </span>
      )}
    </header>
  );
}

function Console({ s }: { s: ConsoleSession }) {
  const allowed = SCREENS.filter((x) => s.abilities[x.ability]);
  const nav = allowed.filter((x) => x.nav).sort((a, b) => a.nav!.order - b.nav!.order);
  const path = route.value.replace(/^\/+/, '');
  const found = match(path);
  useEffect(() => {
    if (!path && nav[0]) go(`/${nav[0].path}`);
  }, [path]);
  const current = found && s.abilities[found.screen.ability] ? found : undefined;
  return (
    <div class="layout">
      <nav class="side" aria-label={t('nav.label')}>
        {nav.map((x) => (
          <a key={x.path} href={`#/${x.path}`} aria-current={path.split('/')[0] === x.path.split('/')[0] ? 'page' : undefined}>
            {t(x.nav!.label)}
          </a>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {flash.value && <p class="ok" role="status">{words(flash.value)}</p>}
        {current ? current.screen.render(current.params) : <p>{nav.length ? t('error.notFound') : t('home.nothing')}</p>}
      </main>
    </div>
  );
}

function App() {
  useEffect(() => {
    document.documentElement.lang = lang.value;
    void loadSession();
  }, []);
  const s = session.value;
  return (
    <>
      <Header />
      {s === undefined ? <main id="main"><p>{t('app.loading')}</p></main> : s === null ? <SignIn /> : <Console s={s} />}
    </>
  );
}

if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/console/sw.js', { scope: '/console' }).catch(() => undefined);
render(<App />, document.getElementById('app')!);
