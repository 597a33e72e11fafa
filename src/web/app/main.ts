import { isLanguage, LANGUAGES, translate, type Language } from '../../verifier/i18n/index.js';
import { verifyCredentialDocument, verifyQrText } from '../../verifier/pipeline.js';
import type { CredentialSummary, Verdict, VerdictStatus } from '../../verifier/verdict.js';
import { bundleAge } from '../../trust/bundle.js';
import { decodeImageFile, decodeSource, scanCamera } from './scan.js';
import { loadBest, type Loaded } from './verifier-state.js';
import { openingLanguage } from '../language.js';

/*
 * The employer's page: input (camera, photo or PDF, the printed verification code, pasted text) → the shared
 * pipeline → the verdict first, in one plain sentence, then the facts. A certificate that fails shows what it claims
 * only folded away and marked "not confirmed". Markup is server-rendered (page.ts); this script fills it in.
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const authority = document.querySelector<HTMLMetaElement>('meta[name="tanda-authority"]')?.content ?? '';
const served = /^https?:$/.test(location.protocol);
let lang: Language = 'en';
let state: Loaded | undefined;
let lastVerdict: Verdict | undefined;
/** What was last checked, so a verdict can be reached again when newer verification data arrives. */
type Input = { text: string } | { credential: unknown };
let lastInput: Input | undefined;
let notice: { key: string; params?: Record<string, string | number> } | undefined;

const t = (key: string, params?: Record<string, string | number>) => translate(lang, key, params);
const day = (iso: string | undefined | null) => (iso ? iso.slice(0, 10) : '');

function el(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function applyStaticText(): void {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = t(node.dataset.i18n!);
  $('inputs').setAttribute('aria-label', t('input.title'));
  renderData();
  if (lastVerdict) renderVerdict(lastVerdict, false);
  renderNotice();
}

function renderNotice(): void {
  $('notice').textContent = notice ? t(notice.key, notice.params) : '';
}

function say(key: string, params?: Record<string, string | number>): void {
  notice = { key, ...(params ? { params } : {}) };
  renderNotice();
}

function renderData(): void {
  const box = $('data-age');
  if (!state) {
    box.textContent = t('data.none');
    box.dataset.stale = 'true';
    return;
  }
  const age = bundleAge(state.bundle, new Date());
  const params = { issued: day(age.issued), days: age.ageDays, until: day(age.validUntil) };
  box.textContent = t(age.stale ? 'data.ageStale' : 'data.age', params);
  box.dataset.stale = String(age.stale);
}

const title = (x: { text: string; titles: Record<string, string> }) => x.titles[lang] ?? x.text;

/** The certificate's details as dt/dd pairs; `confirmed` adds what the checks established (status, accreditation). */
function details(s: CredentialSummary, confirmed: boolean): HTMLElement[] {
  const out: HTMLElement[] = [];
  const fact = (label: string, value: Node | string, name: string) => out.push(el('dt', {}, t(label)), el('dd', { 'data-field': name }, value));
  if (s.holderName) fact('field.holder', s.holderName, 'holder');
  if (s.holderNameLatin) fact('field.holderLatin', s.holderNameLatin, 'holderLatin');
  fact('field.qualification', `${title(s.qualification)}${s.qualification.code ? ` (${s.qualification.code})` : ''}`, 'qualification');
  if (s.nationalLevel) fact('field.nationalLevel', `${s.nationalLevel.framework} ${s.nationalLevel.level}`, 'nationalLevel');
  // A provisional AQRF mapping is said beside the level: it is about the framework, not about this certificate.
  if (s.aqrfLevel) fact('field.aqrfLevel', `${s.aqrfLevel.level} (${t(`field.${s.aqrfLevel.status}`)})`, 'aqrfLevel');
  if (s.units.length) {
    const list = el('ul', {}, ...s.units.map((u) => el('li', {}, `${u.code ? `${u.code} ` : ''}${title(u)}`)));
    fact('field.units', el('details', {}, el('summary', {}, t('field.unitsCount', { count: s.units.length })), list), 'units');
  }
  fact('field.issuer', [s.issuer.name ?? s.issuer.did ?? '', s.issuer.country ? ` (${s.issuer.country})` : ''].join(''), 'issuer');
  if (s.validFrom) fact('field.validFrom', day(s.validFrom), 'validFrom');
  if (s.validUntil) fact('field.validUntil', day(s.validUntil), 'validUntil');
  if (confirmed) {
    if (s.accreditation) {
      const parts = [s.accreditation.validFrom ? t('field.accreditedSince', { from: day(s.accreditation.validFrom) }) : '', s.accreditation.validUntil ? t('field.accreditedUntil', { until: day(s.accreditation.validUntil) }) : ''];
      fact('field.accreditation', parts.filter(Boolean).join(' '), 'accreditation');
    }
    fact('field.status', t(`status.${s.status.state}`, { asOf: day(s.status.asOf) }), 'status');
  }
  return out;
}

const MARK: Record<VerdictStatus, string> = { pass: '✓', info: 'i', warn: '!', cannot_check: '?', fail: '✗' };

function renderVerdict(v: Verdict, focus = true): void {
  lastVerdict = v;
  $('result').hidden = false;
  const verdict = $('verdict');
  $('verdict-box').dataset.verdict = v.verdict;
  verdict.dataset.verdict = v.verdict;
  verdict.textContent = t(`verdict.${v.verdict}`);
  $('reason').textContent = t(v.reason.key, v.reason.params);

  const action = $('action');
  action.hidden = v.verdict !== 'CANNOT_CHECK';
  $('action-update').hidden = !served;
  $('action-note').textContent = !served ? t('action.updateFile') : navigator.onLine ? t('action.updateOnline') : t('action.updateOffline');

  const facts = $('facts');
  const claims = $<HTMLDetailsElement>('claims');
  facts.replaceChildren();
  $('claimed').replaceChildren();
  claims.hidden = true;
  if (v.summary && v.claimsConfirmed) facts.append(...details(v.summary, true));
  else if (v.summary) {
    // Nothing a failed certificate says is shown as fact: folded away, marked, without ticks.
    $('claimed').append(...details(v.summary, false));
    claims.hidden = false;
    if (focus) claims.open = false;
  }

  $('checks-summary').textContent = t('checks.title', { count: v.checks.length });
  const order: VerdictStatus[] = ['fail', 'cannot_check', 'warn', 'info', 'pass'];
  // A check that passed on a certificate that failed proves nothing about it: counted, not listed as a fact.
  const shown = [...v.checks].filter((c) => v.claimsConfirmed || c.status !== 'pass').sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
  const items = shown.map((c) =>
    el(
      'li',
      { 'data-check': c.id, 'data-status': c.status, ...(c.code ? { 'data-code': c.code } : {}) },
      el('span', { class: 'mark', 'aria-hidden': 'true' }, MARK[c.status]),
      el('span', { class: 'sr-only' }, `${t(`check.${c.status}`)}: `),
      t(c.key, c.params),
    ),
  );
  if (shown.length < v.checks.length) items.push(el('li', { class: 'not-relied' }, t('checks.notRelied', { count: v.checks.length - shown.length })));
  $('checks').replaceChildren(...items);
  if (focus) {
    verdict.focus();
    window.scrollTo(0, 0);
  }
}

async function verdictFor(input: Input, now?: Date): Promise<Verdict> {
  if (!state) throw new Error(t('data.none'));
  const options = now ? { now } : {};
  return 'text' in input ? verifyQrText(input.text, state.data, options) : verifyCredentialDocument(input.credential, state.data, options);
}

async function check(input: Input | undefined): Promise<void> {
  if (!input || ('text' in input && !input.text.trim())) return say('input.noQr');
  if (!state) return say('data.none');
  lastInput = input;
  say('input.working');
  const v = await verdictFor(input);
  notice = undefined;
  renderNotice();
  renderVerdict(v);
  // Newer than the data held: fetch newer data now (the verdict is reached again if it arrives).
  if (v.verdict === 'CANNOT_CHECK') void refresh();
}

let refreshing: Promise<void> | undefined;
let again = false;
/**
 * Fetches the newest verification data (the page does this by itself whenever it is online) and, when it is newer,
 * checks the last certificate again with it. A request that comes while one runs (the device came back online
 * meanwhile) runs once more after it, so it is never answered with data fetched before it.
 */
function refresh(extra: string[] = []): Promise<void> {
  if (extra.length) return refreshOnce(extra);
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      await refreshOnce([]);
    } while (again);
  })().finally(() => (refreshing = undefined));
  return refreshing;
}

async function refreshOnce(extra: string[]): Promise<void> {
  const outcome = await loadBest(authority, state, extra);
  const changed = !!outcome.loaded && outcome.loaded !== state;
  if (outcome.loaded) state = outcome.loaded;
  renderData();
  if (extra.length && outcome.refused.length) say('data.refused');
  else if (changed && lastInput && lastVerdict) {
    renderVerdict(await verdictFor(lastInput));
    say('data.refreshed');
  } else if (extra.length && changed) say('data.loaded');
}

/** The printed code, normalised as the server does (Crockford base32: I and L read as 1, O as 0). */
function normaliseCode(raw: string): string | undefined {
  const c = raw.toUpperCase().replace(/[^0-9A-Z]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return c.length === 10 ? `${c.slice(0, 5)}-${c.slice(5)}` : undefined;
}

/**
 * A code is looked up online; the server's answer carries the signed credential, which this page verifies with its
 * own data like a scanned one (the server's own verdict is not taken on trust).
 */
async function lookUpCode(raw: string): Promise<void> {
  const code = normaliseCode(raw);
  if (!code) return say('code.invalid');
  if (!served || !navigator.onLine) return offlineCode();
  say('input.working');
  let res: Response;
  try {
    res = await fetch(`/check/${encodeURIComponent(code)}`, { cache: 'no-store' });
  } catch {
    return offlineCode();
  }
  if (res.status === 404) return say('code.notFound');
  if (res.status === 429) return say('code.busy');
  if (!res.ok) return say('code.failed');
  const body = (await res.json()) as { credential?: unknown };
  await check({ credential: body.credential });
}

function offlineCode(): void {
  say('code.offline');
  $('scan').focus();
}

async function readPdf(file: Blob): Promise<string | undefined> {
  if (!served) {
    say('input.pdf');
    return undefined;
  }
  // A runtime URL, so the bundler leaves pdf.js out of app.js: it is fetched only when a PDF is picked.
  const url = new URL('/verify/pdf.mjs', location.href).href;
  const pdf = (await import(url)) as typeof import('./pdf.js');
  return decodeSource(await pdf.renderFirstPage(await file.arrayBuffer()));
}

const isPdf = (file: File) => file.type === 'application/pdf' || /\.pdf$/i.test(file.name);

function wire(): void {
  const picker = $<HTMLSelectElement>('lang');
  picker.replaceChildren(...Object.entries(LANGUAGES).map(([code, l]) => el('option', { value: code, lang: code }, l.name)));
  const saved = localStorage.getItem('tanda.lang');
  lang = openingLanguage(Object.keys(LANGUAGES) as Language[], saved);
  picker.value = lang;
  picker.addEventListener('change', () => {
    if (isLanguage(picker.value)) lang = picker.value;
    localStorage.setItem('tanda.lang', lang);
    applyStaticText();
  });

  $('paste-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void check({ text: $<HTMLTextAreaElement>('paste').value });
  });
  $('code-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void lookUpCode($<HTMLInputElement>('code').value);
  });
  $<HTMLInputElement>('photo').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    say('input.working');
    const pdf = isPdf(file);
    const text = await (pdf ? readPdf(file) : decodeImageFile(file)).catch(() => undefined);
    input.value = '';
    if (pdf && !served) return;
    if (!text) return say(pdf ? 'input.pdfNoQr' : 'input.noQr');
    await check({ text });
  });
  $<HTMLInputElement>('bundle-file').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) await refresh([await file.text()]);
  });
  const update = async () => {
    if (!navigator.onLine) return say('action.updateOffline');
    say('data.updating');
    const before = state?.bundle.serial;
    await refresh();
    if (notice?.key === 'data.updating') say(state?.bundle.serial === before ? 'data.upToDate' : 'data.loaded');
  };
  $('action-update').addEventListener('click', () => void update());
  document.getElementById('data-update')?.addEventListener('click', () => void update());

  // Fresh data without asking: whenever the page comes online or back into view, every 15 minutes while open, and
  // every 20 seconds while a certificate could not be checked yet.
  if (served) {
    // Just back online, the network (and the service worker's view of it) may need a moment: ask again shortly.
    window.addEventListener('online', () => {
      void refresh();
      setTimeout(() => void refresh(), 3_000);
    });
    // While a certificate waits for newer data, look for it more often.
    setInterval(() => {
      if (lastVerdict?.verdict === 'CANNOT_CHECK' && navigator.onLine) void refresh();
    }, 20_000);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void refresh();
    });
    setInterval(() => void refresh(), 15 * 60_000);
  }
  window.addEventListener('offline', () => lastVerdict && renderVerdict(lastVerdict, false));

  let camera: AbortController | undefined;
  const scanButton = $<HTMLButtonElement>('scan');
  scanButton.addEventListener('click', async () => {
    if (camera) {
      camera.abort();
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia) return say('input.noCamera');
    camera = new AbortController();
    const video = $<HTMLVideoElement>('video');
    video.hidden = false;
    scanButton.dataset.i18n = 'input.stop';
    scanButton.textContent = t('input.stop');
    try {
      const text = await scanCamera(video, camera.signal);
      if (text) await check({ text });
    } catch {
      say('input.noCamera');
    } finally {
      camera = undefined;
      video.hidden = true;
      scanButton.dataset.i18n = 'input.scan';
      scanButton.textContent = t('input.scan');
    }
  });
}

/** A small scripting surface (kiosk integrations, the benchmark): the same pipeline the page uses. */
(globalThis as Record<string, unknown>).tandaVerifier = {
  verifyText: (text: string, now?: Date) => verdictFor({ text }, now),
  decodeImageFile,
  ready: (async () => {
    wire();
    applyStaticText();
    await refresh();
    if ('serviceWorker' in navigator && served) {
      await navigator.serviceWorker.register('/verify/sw.js', { scope: '/verify' }).catch(() => undefined);
      navigator.serviceWorker.ready.then(() => !notice && say('data.offlineReady')).catch(() => undefined);
    }
    return true;
  })(),
};
