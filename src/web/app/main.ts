import { isLanguage, LANGUAGES, translate, type Language } from '../../verifier/i18n/index.js';
import { verifyQrText } from '../../verifier/pipeline.js';
import type { Verdict } from '../../verifier/verdict.js';
import { bundleAge } from '../../trust/bundle.js';
import { decodeImageFile, scanCamera } from './scan.js';
import { loadBest, type Loaded } from './verifier-state.js';

/*
 * The employer's page: input (camera, photo, pasted text) → the shared pipeline → the verdict, large and plain,
 * then the facts and every check with its reason in the reader's language. Markup is server-rendered (page.ts);
 * this script only fills and updates it.
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const authority = document.querySelector<HTMLMetaElement>('meta[name="tanda-authority"]')?.content ?? '';
let lang: Language = 'en';
let state: Loaded | undefined;
let lastVerdict: Verdict | undefined;
let notice: { key: string; params?: Record<string, string | number> } | undefined;

const t = (key: string, params?: Record<string, string | number>) => translate(lang, key, params);
const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');

function el(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function applyStaticText(): void {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = t(node.dataset.i18n!);
  renderData();
  if (lastVerdict) renderVerdict(lastVerdict);
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
  box.textContent = t('data.age', { issued: day(age.issued), days: age.ageDays, until: day(age.validUntil) });
  box.dataset.stale = String(age.stale);
}

function fact(label: string, value: Node | string, name: string): HTMLElement[] {
  return [el('dt', {}, t(label)), el('dd', { 'data-field': name }, value)];
}

function renderVerdict(v: Verdict): void {
  lastVerdict = v;
  const result = $('result');
  result.hidden = false;
  const verdict = $('verdict');
  verdict.dataset.verdict = v.verdict;
  verdict.textContent = t(`verdict.${v.verdict}`);

  const s = v.summary;
  const facts = $('facts');
  facts.replaceChildren();
  if (s) {
    const title = (x: { text: string; titles: Record<string, string> }) => x.titles[lang] ?? x.text;
    if (s.holderName) facts.append(...fact('field.holder', s.holderName, 'holder'));
    if (s.holderNameLatin) facts.append(...fact('field.holderLatin', s.holderNameLatin, 'holderLatin'));
    facts.append(...fact('field.qualification', `${title(s.qualification)}${s.qualification.code ? ` (${s.qualification.code})` : ''}`, 'qualification'));
    if (s.units.length) {
      facts.append(...fact('field.units', el('ul', {}, ...s.units.map((u) => el('li', {}, `${u.code ? `${u.code} ` : ''}${title(u)}`))), 'units'));
    }
    if (s.nationalLevel) facts.append(...fact('field.nationalLevel', `${s.nationalLevel.framework} ${s.nationalLevel.level}`, 'nationalLevel'));
    if (s.aqrfLevel) facts.append(...fact('field.aqrfLevel', `${s.aqrfLevel.level} (${t(`field.${s.aqrfLevel.status}`)})`, 'aqrfLevel'));
    const issuer = [s.issuer.name ?? s.issuer.did ?? '', s.issuer.country ? ` (${s.issuer.country})` : ''].join('');
    facts.append(...fact('field.issuer', issuer, 'issuer'));
    if (s.accreditation) {
      const parts = [s.accreditation.validFrom ? t('field.accreditedSince', { from: day(s.accreditation.validFrom) }) : '', s.accreditation.validUntil ? t('field.accreditedUntil', { until: day(s.accreditation.validUntil) }) : ''];
      facts.append(...fact('field.accreditation', parts.filter(Boolean).join(' '), 'accreditation'));
    }
    if (s.validFrom) facts.append(...fact('field.validFrom', day(s.validFrom), 'validFrom'));
    if (s.validUntil) facts.append(...fact('field.validUntil', day(s.validUntil), 'validUntil'));
    facts.append(...fact('field.status', t(`status.${s.status.state}`, { asOf: day(s.status.asOf) }), 'status'));
  }
  facts.append(...fact('field.dataAge', t('data.age', { issued: day(v.dataAge.issued), days: v.dataAge.ageDays, until: day(v.dataAge.validUntil) }), 'dataAge'));

  const list = $('checks');
  list.replaceChildren(
    ...v.checks.map((c) =>
      el(
        'li',
        { 'data-check': c.id, 'data-status': c.status, ...(c.code ? { 'data-code': c.code } : {}) },
        el('span', { class: 'mark', 'aria-hidden': 'true' }, c.status === 'pass' ? '✓' : c.status === 'warn' ? '!' : '✗'),
        el('span', { class: 'sr-only' }, `${t(`check.${c.status}`)}: `),
        t(c.key, c.params),
      ),
    ),
  );
  verdict.focus();
}

async function verifyText(text: string, now?: Date): Promise<Verdict> {
  if (!state) throw new Error(t('data.none'));
  return verifyQrText(text, state.data, now ? { now } : {});
}

async function check(text: string | undefined): Promise<void> {
  if (!text) return say('input.noQr');
  if (!state) return say('data.none');
  say('input.working');
  renderVerdict(await verifyText(text));
  notice = undefined;
  renderNotice();
}

async function reload(extra: string[] = []): Promise<void> {
  const outcome = await loadBest(authority, state, extra);
  const changed = outcome.loaded && outcome.loaded !== state;
  if (outcome.loaded) state = outcome.loaded;
  renderData();
  if (extra.length && outcome.refused.length) say('data.refused');
  else if (extra.length && changed) say('data.loaded');
}

function wire(): void {
  const picker = $<HTMLSelectElement>('lang');
  picker.replaceChildren(...Object.entries(LANGUAGES).map(([code, l]) => el('option', { value: code, lang: code }, l.name)));
  const saved = localStorage.getItem('tanda.lang') ?? navigator.language.split('-')[0] ?? 'en';
  lang = isLanguage(saved) ? saved : 'en';
  picker.value = lang;
  picker.addEventListener('change', () => {
    if (isLanguage(picker.value)) lang = picker.value;
    localStorage.setItem('tanda.lang', lang);
    applyStaticText();
  });

  $('paste-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void check($<HTMLTextAreaElement>('paste').value);
  });
  $<HTMLInputElement>('photo').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    if (file.type === 'application/pdf') return say('input.pdf');
    say('input.working');
    await check(await decodeImageFile(file).catch(() => undefined));
  });
  $<HTMLInputElement>('bundle-file').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) await reload([await file.text()]);
  });

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
      await check(await scanCamera(video, camera.signal));
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
  verifyText,
  decodeImageFile,
  ready: (async () => {
    wire();
    applyStaticText();
    await reload();
    if ('serviceWorker' in navigator && /^https?:$/.test(location.protocol)) {
      await navigator.serviceWorker.register('/verify/sw.js', { scope: '/verify' }).catch(() => undefined);
      navigator.serviceWorker.ready.then(() => say('data.offlineReady')).catch(() => undefined);
    }
    return true;
  })(),
};
