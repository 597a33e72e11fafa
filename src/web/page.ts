import crypto from 'node:crypto';
import { translate } from '../verifier/i18n/index.js';

/**
 * The verifier page's markup (server-rendered in English; the script re-renders the labels in the reader's
 * language). The same template makes the single-file download: script, trust bundle and decoder inlined, for
 * `file://` use with no server at all.
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
const scriptSafe = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

/** The page's styles: served as /verify/app.css, inlined only in the single-file download. */
export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans Khmer","Noto Sans Lao","Noto Sans Myanmar",sans-serif;color:#111;background:#f6f6f4}
header,main{max-width:40rem;margin:0 auto;padding:0.75rem 1rem}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between}
h1{font-size:1.3rem;margin:0}
button,select,input,textarea{font:inherit}
button,.button{display:inline-block;min-height:48px;padding:.6rem 1rem;border:2px solid #114;border-radius:8px;background:#114;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#114}
:focus-visible{outline:3px solid #e80;outline-offset:2px}
textarea{width:100%;min-height:5rem}
section{background:#fff;border-radius:10px;padding:1rem;margin:.75rem 0}
#verdict{font-size:2.2rem;font-weight:800;text-align:center;padding:1rem;border-radius:10px;margin:0 0 1rem}
#verdict[data-verdict=VALID]{background:#d8f5dc;color:#064d12}
#verdict[data-verdict=VALID_WITH_WARNINGS]{background:#fff1c2;color:#5a4100}
#verdict[data-verdict=INVALID]{background:#ffd9d6;color:#7a0b00}
dl{display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.3rem .8rem;margin:0}
dt{font-weight:600}dd{margin:0}dd ul{margin:0;padding-left:1.1rem}
#checks{list-style:none;padding:0}
#checks li{padding:.35rem 0;border-top:1px solid #eee}
#checks li[data-status=fail]{color:#7a0b00;font-weight:600}
#checks li[data-status=warn]{color:#5a4100}
.mark{display:inline-block;width:1.4rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
video{width:100%;border-radius:8px}
#data-age[data-stale=true]{color:#7a0b00;font-weight:600}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
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
  <p ${i('app.intro')}>${en('app.intro')}</p>
  <section aria-labelledby="scan">
    <div class="row">
      <button id="scan" type="button" ${i('input.scan')}>${en('input.scan')}</button>
      <label class="button secondary"><span ${i('input.photo')}>${en('input.photo')}</span>
        <input id="photo" type="file" accept="image/*,application/pdf" capture="environment" class="sr-only"></label>
    </div>
    <video id="video" hidden playsinline muted></video>
    <form id="paste-form">
      <label for="paste" ${i('input.paste')}>${en('input.paste')}</label>
      <textarea id="paste" autocomplete="off" autocapitalize="characters" spellcheck="false"></textarea>
      <button type="submit" ${i('input.check')}>${en('input.check')}</button>
    </form>
    <p id="notice" role="status" aria-live="polite"></p>
  </section>
  <section id="result" hidden aria-live="polite">
    <h2 id="verdict" tabindex="-1"></h2>
    <dl id="facts"></dl>
    <h3 ${i('field.checks')}>${en('field.checks')}</h3>
    <ul id="checks"></ul>
  </section>
  <section>
    <h2 ${i('data.title')}>${en('data.title')}</h2>
    <p id="data-age"></p>
    <div class="row">
      <label class="button secondary"><span ${i('data.load')}>${en('data.load')}</span>
        <input id="bundle-file" type="file" accept="application/json,.json" class="sr-only"></label>
      ${options.script ? '' : `<a class="button secondary" href="/verify/offline.html" download="tanda-verifier.html" ${i('data.download')}>${en('data.download')}</a>`}
    </div>
  </section>
</main>
${options.bundle ? `<script type="application/json" id="tanda-bundle">${scriptSafe(options.bundle)}</script>` : ''}
${options.wasmBase64 ? `<script type="application/octet-stream" id="zxing-wasm">${options.wasmBase64}</script>` : ''}
${options.script ? `<script>${scriptSafe(options.script)}</script>` : '<script src="/verify/app.js" defer></script>'}
</body>
</html>
`;
}
