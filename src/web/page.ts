import crypto from 'node:crypto';
import { translate } from '../verifier/i18n/index.js';

/**
 * The verifier page's markup (server-rendered in English; the script re-renders the labels in the reader's
 * language). The served page loads its script and styles from /verify/ (no inline script or style, so a strict CSP
 * applies); the same template makes the single-file download, with script, styles, trust bundle and decoder inlined
 * for `file://` use with no server at all.
 *
 * The result comes first: once something is checked, the verdict and its one-sentence reason are the top of the
 * page, on the first screen of a 360 px phone.
 */
export interface PageOptions {
  /** The registry authority DID this verifier trusts (pinned: bundles signed by anyone else are refused). */
  authority: string;
  /** Inline script text (single-file page); otherwise /verify/app.js is loaded. */
  script?: string;
  /** Trust bundle JSON text to inline. */
  bundle?: string;
  /** zxing_reader.wasm as base64, for pages opened from file:// (no origin to fetch it from). */
  wasmBase64?: string;
}

const en = (key: string) => translate('en', key);
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Inline JSON and JS must not be able to close their <script> element.
const scriptSafe = (s: string) => s.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

/** The page's styles: served as /verify/app.css, inlined only in the single-file download. */
export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans Khmer","Noto Sans Lao","Noto Sans Myanmar",sans-serif;color:#111;background:#f6f6f4}
header,main{max-width:40rem;margin:0 auto;padding:.5rem 1rem}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between}
h1{font-size:1.2rem;margin:0}
h2{font-size:1.1rem;margin:0 0 .5rem}
button,select,input,textarea{font:inherit}
button,.button{display:inline-block;min-height:48px;padding:.6rem 1rem;border:2px solid #114;border-radius:8px;background:#114;color:#fff;cursor:pointer}
button.secondary,.button.secondary{background:#fff;color:#114}
:focus-visible{outline:3px solid #e80;outline-offset:2px}
.button:focus-within{outline:3px solid #e80;outline-offset:2px}
input[type=text],textarea{width:100%;border:2px solid #555;border-radius:6px;padding:.5rem}
textarea{min-height:3.2rem}
section{background:#fff;border-radius:10px;padding:1rem;margin:.6rem 0}
form{margin:.8rem 0 0}
form .row input[type=text]{flex:1 1 10rem;width:auto}
#verdict-box{border-radius:10px;padding:.8rem 1rem;margin:0 0 .8rem;border:3px solid transparent}
#verdict{font-size:2rem;font-weight:800;margin:0;line-height:1.15}
#verdict:focus{outline:none}
#reason{margin:.4rem 0 0;font-size:1.05rem;font-weight:600}
#verdict-box[data-verdict=VALID]{background:#d8f5dc;color:#064d12;border-color:#0a6b1c}
#verdict-box[data-verdict=VALID_WITH_WARNINGS]{background:#fff1c2;color:#4a3600;border-color:#8a6500}
#verdict-box[data-verdict=INVALID]{background:#ffd9d6;color:#6e0a00;border-color:#a31500}
#verdict-box[data-verdict=CANNOT_CHECK]{background:#e4e8f7;color:#14204a;border-color:#3a4c91}
#action{margin:.6rem 0 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .8rem;margin:0}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}dd ul{margin:.2rem 0 0;padding-left:1.1rem}
dd details{margin:0}dd summary{padding:0;min-height:0}
@media (max-width:32rem){dl{grid-template-columns:1fr;gap:0}dt{font-weight:400;font-size:.85rem;color:#444;margin-top:.45rem}dd{font-weight:600}dd li{font-weight:400}}
details{margin:.6rem 0 0}
summary{cursor:pointer;min-height:44px;padding:.6rem 0;font-weight:600}
#claims{border:3px dashed #a31500;border-radius:8px;padding:0 .8rem .6rem;background:#fff7f6}
#claims summary{color:#6e0a00}
#claims dd,#claims dt{color:#444}
#claims dd{font-weight:400}
.note{font-size:.92rem;color:#444}
#checks{list-style:none;padding:0;margin:0}
#checks li{padding:.35rem 0;border-top:1px solid #eee}
#checks li[data-status=fail]{color:#6e0a00;font-weight:600}
#checks li[data-status=warn]{color:#4a3600}
#checks li[data-status=cannot_check]{color:#14204a;font-weight:600}
#checks li.not-relied{color:#444;font-style:italic}
.mark{display:inline-block;width:1.4rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
video{width:100%;border-radius:8px}
#data-age[data-stale=true]{color:#6e0a00;font-weight:600}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
#intro{margin:.2rem 0}
#notice{font-weight:600;margin:.6rem 0 0}
#notice:empty{display:none}
`;

/**
 * The single-file download has no server to send a CSP header and no origin to load files from, so its one script
 * and one style element are allowed by their hashes (nothing else inline runs); the served page has no inline code.
 */
function singleFileCsp(script: string): string {
  const hash = (text: string) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  return `default-src 'none'; script-src ${hash(scriptSafe(script))} 'wasm-unsafe-eval'; style-src ${hash(CSS)}; img-src blob: data:; media-src blob:; connect-src blob: data:; object-src 'none'; base-uri 'none'; form-action 'none'`;
}

export function verifierPage(options: PageOptions): string {
  const i = (key: string) => `data-i18n="${key}"`;
  const single = options.script !== undefined;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="tanda-authority" content="${escapeHtml(options.authority)}">
${options.script ? `<meta http-equiv="Content-Security-Policy" content="${singleFileCsp(options.script)}">` : ''}
<title>${en('app.title')}</title>
${options.script ? `<style>${CSS}</style>` : '<link rel="stylesheet" href="/verify/app.css">'}
</head>
<body>
<header>
  <h1 ${i('app.title')}>${en('app.title')}</h1>
  <label><span ${i('lang.label')}>${en('lang.label')}</span> <select id="lang"></select></label>
</header>
<main>
  <section id="result" hidden aria-labelledby="verdict">
    <div id="verdict-box">
      <h2 id="verdict" tabindex="-1"></h2>
      <p id="reason"></p>
      <div id="action" hidden>
        <button id="action-update" type="button" ${i('action.update')}>${en('action.update')}</button>
        <p id="action-note" class="note"></p>
      </div>
    </div>
    <dl id="facts"></dl>
    <details id="claims" hidden>
      <summary ${i('claims.title')}>${en('claims.title')}</summary>
      <p class="note" ${i('claims.warning')}>${en('claims.warning')}</p>
      <dl id="claimed"></dl>
    </details>
    <details id="checks-box">
      <summary id="checks-summary"></summary>
      <ul id="checks"></ul>
    </details>
  </section>
  <p id="intro" ${i('app.intro')}>${en('app.intro')}</p>
  <section aria-label="${en('input.title')}" id="inputs">
    <div class="row">
      <button id="scan" type="button" ${i('input.scan')}>${en('input.scan')}</button>
      <label class="button secondary"><span ${i('input.photo')}>${en('input.photo')}</span>
        <input id="photo" type="file" accept="image/*,application/pdf,.pdf" class="sr-only"></label>
    </div>
    <video id="video" hidden playsinline muted></video>
    <form id="code-form" novalidate>
      <label for="code" ${i('code.label')}>${en('code.label')}</label>
      <div class="row">
        <input id="code" type="text" inputmode="text" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="16" aria-describedby="code-hint">
        <button type="submit" ${i('code.check')}>${en('code.check')}</button>
      </div>
      <p id="code-hint" class="note" ${i('code.hint')}>${en('code.hint')}</p>
    </form>
    <p id="notice" role="status" aria-live="polite"></p>
    <form id="paste-form">
      <label for="paste" ${i('input.paste')}>${en('input.paste')}</label>
      <textarea id="paste" autocomplete="off" autocapitalize="characters" spellcheck="false"></textarea>
      <button type="submit" class="secondary" ${i('input.check')}>${en('input.check')}</button>
    </form>
  </section>
  <section aria-labelledby="data-title">
    <h2 id="data-title" ${i('data.title')}>${en('data.title')}</h2>
    <p id="data-age"></p>
    <div class="row">
      ${single ? '' : `<button id="data-update" type="button" class="secondary" ${i('data.update')}>${en('data.update')}</button>`}
      <label class="button secondary"><span ${i('data.load')}>${en('data.load')}</span>
        <input id="bundle-file" type="file" accept="application/json,.json" class="sr-only"></label>
      ${single ? '' : `<a class="button secondary" href="/verify/offline.html" download="tanda-verifier.html" ${i('data.download')}>${en('data.download')}</a>`}
    </div>
  </section>
</main>
${options.bundle ? `<script type="application/json" id="tanda-bundle">${scriptSafe(options.bundle)}</script>` : ''}
${options.wasmBase64 ? `<script type="application/octet-stream" id="zxing-wasm">${options.wasmBase64}</script>` : ''}
${single ? `<script>${scriptSafe(options.script!)}</script>` : '<script src="/verify/app.js" defer></script>'}
</body>
</html>
`;
}
