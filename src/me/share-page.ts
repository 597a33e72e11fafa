import { LANGUAGES, translate, type Language } from '../verifier/i18n/index.js';
import type { Verdict } from '../verifier/verdict.js';
import { meTranslate } from '../web/me/i18n/index.js';

/**
 * The public page a share link opens: for each credential it holds, the same verdict the employer verifier gives
 * (src/verifier, over this instance's trust bundle) in the reader's language, then what the credential says, and
 * when the link itself stops working (shown apart from the credential's own validity). Server-rendered, no script.
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sharePage(lang: Language, input: { expiresAt: string; verdicts: Verdict[] } | { gone: true } | { missing: true }): string {
  const t = (key: string, params: Record<string, string | number> = {}) => esc(translate(lang, key, params));
  const m = (key: string, params: Record<string, string | number> = {}) => esc(meTranslate(lang, key, params));
  let body: string;
  if ('gone' in input || 'missing' in input) {
    body = `<section class="verdict" data-verdict="GONE"><h1 id="share-verdict">${m('share.gone.title')}</h1><p>${m('share.gone.text')}</p></section>`;
  } else {
    body = `<p class="note" id="link-expiry">${m('share.linkExpires', { date: input.expiresAt.slice(0, 10) })}</p>` +
      input.verdicts
        .map((v) => {
          const s = v.summary;
          const row = (label: string, value: string | undefined, field: string) => (value ? `<dt>${label}</dt><dd data-field="${field}">${esc(value)}</dd>` : '');
          const facts = s
            ? [
                row(t('field.holder'), s.holderName, 'holder'),
                row(t('field.qualification'), s.qualification.titles[lang] ?? s.qualification.text, 'qualification'),
                row(t('field.nationalLevel'), s.nationalLevel ? `${s.nationalLevel.framework} ${s.nationalLevel.level}` : undefined, 'nationalLevel'),
                row(t('field.aqrfLevel'), s.aqrfLevel ? `${s.aqrfLevel.level} (${translate(lang, s.aqrfLevel.status === 'official' ? 'field.official' : 'field.provisional')})` : undefined, 'aqrfLevel'),
                row(t('field.issuer'), s.issuer.name, 'issuer'),
                row(t('field.validFrom'), s.validFrom?.slice(0, 10), 'validFrom'),
                row(t('field.validUntil'), s.validUntil?.slice(0, 10), 'validUntil'),
              ].join('')
            : '';
          const units = s?.units.length ? `<details><summary>${t('field.units')} (${s.units.length})</summary><ul>${s.units.map((u) => `<li>${esc(u.titles[lang] ?? u.text)}</li>`).join('')}</ul></details>` : '';
          return `<section class="verdict" data-verdict="${v.verdict}"><h2 class="share-verdict">${t(`verdict.${v.verdict}`)}</h2><p class="reason">${t(v.reason.key, v.reason.params)}</p>${
            v.claimsConfirmed ? `<dl>${facts}</dl>${units}` : `<p class="note">${t('claims.warning')}</p>`
          }</section>`;
        })
        .join('');
  }
  const options = Object.entries(LANGUAGES).map(([code, l]) => `<a href="?lang=${code}" lang="${code}"${code === lang ? ' aria-current="true"' : ''}>${esc(l.name)}</a>`).join(' ');
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${m('share.title')}</title><link rel="stylesheet" href="/me/app.css"></head>
<body class="share"><header><p class="brand">Tanda</p></header>
<main><h1>${m('share.title')}</h1>${body}
<nav class="langs" aria-label="${t('lang.label')}">${options}</nav></main></body></html>
`;
}
