/**
 * The returnee space's page: an empty shell the script fills (no inline script or style: the app's strict CSP
 * applies). The styles are small enough to keep here; the public share page uses them too.
 */
export const ME_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans Khmer","Noto Sans Lao","Noto Sans Myanmar",sans-serif;color:#111;background:#f6f6f4}
header,main{max-width:40rem;margin:0 auto;padding:.5rem 1rem}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;background:#114;color:#fff;max-width:none}
header label{display:flex;align-items:center;gap:.4rem;margin:0;color:#fff;font-weight:400}
header select{width:auto;min-height:44px;padding:.3rem}
.brand{font-weight:800;margin:0}
nav{display:flex;flex-wrap:wrap;gap:.25rem;width:100%}
nav a,nav button.link{color:#fff;background:none;border:0;padding:.7rem .5rem;min-height:44px;text-decoration:underline;font:inherit;cursor:pointer}
nav a[aria-current=page]{font-weight:800;text-decoration:none;border-bottom:3px solid #fb0}
h1{font-size:1.35rem;margin:.6rem 0}
h2{font-size:1.15rem;margin:.2rem 0 .5rem}
h3{font-size:1rem;margin:.6rem 0 .2rem}
button,select,input{font:inherit}
button,.button{display:inline-block;min-height:48px;padding:.6rem 1rem;margin:.3rem .3rem .3rem 0;border:2px solid #114;border-radius:8px;background:#114;color:#fff;cursor:pointer;text-decoration:none;text-align:center}
button.secondary,.button.secondary{background:#fff;color:#114}
button:disabled{opacity:.6}
.button.big{font-size:1.2rem;width:100%}
:focus-visible{outline:3px solid #e80;outline-offset:2px}
.button:focus-within{outline:3px solid #e80;outline-offset:2px}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}
label.check{font-weight:400;min-height:44px;display:flex;align-items:center;gap:.5rem}
label.check input{width:24px;height:24px}
label.file{font-weight:600}
input[type=text],input[type=date],select{width:100%;min-height:48px;border:2px solid #555;border-radius:6px;padding:.5rem;background:#fff}
fieldset{border:0;padding:0;margin:.5rem 0}
legend{font-weight:600}
.card,section.verdict{background:#fff;border-radius:10px;padding:1rem;margin:.7rem 0}
.note{font-size:.92rem;color:#444}
.error{color:#8a0f00;font-weight:600}
.offline{background:#fff1c2;color:#4a3600;padding:.5rem;border-radius:8px}
.status{font-weight:700}
.status.active{color:#064d12}
.status.revoked,.status.replaced{color:#8a0f00}
.status.revoked{margin-bottom:0}.why{margin-top:.2rem;font-weight:600}
dl{display:grid;grid-template-columns:1fr;gap:0;margin:.5rem 0}
dt{font-size:.85rem;color:#444;margin-top:.45rem}dd{margin:0;font-weight:600;overflow-wrap:anywhere}dd .note{font-weight:400}
progress{width:100%;height:1.4rem}
.links{list-style:none;padding:0}
.url,#share-url{overflow-wrap:anywhere;font-size:.9rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.row{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center}
.fullqr{position:fixed;inset:0;background:#fff;display:flex;flex-direction:column;align-items:center;justify-content:center;padding:.5rem;text-align:center;z-index:10}
.fullqr img{width:min(96vw,80vh);height:auto;image-rendering:pixelated}
.qr-name{font-weight:700;margin:.4rem 0 0}
.wallet-qr{width:min(80vw,18rem);display:block;margin:.4rem auto}
section.verdict{border:3px solid #3a4c91}
section.verdict[data-verdict=VALID]{background:#d8f5dc;color:#064d12;border-color:#0a6b1c}
section.verdict[data-verdict=VALID_WITH_WARNINGS]{background:#fff1c2;color:#4a3600;border-color:#8a6500}
section.verdict[data-verdict=INVALID],section.verdict[data-verdict=GONE]{background:#ffd9d6;color:#6e0a00;border-color:#a31500}
.share-verdict{font-size:1.8rem;font-weight:800;margin:0}
.langs{margin:1rem 0;gap:.6rem}
.langs a{color:#114;padding:.5rem .2rem;min-height:44px}
`;

export function mePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>My Tanda</title>
<link rel="stylesheet" href="/me/app.css">
</head>
<body>
<div id="app"></div>
<script src="/me/app.js" defer></script>
</body>
</html>
`;
}
