/**
 * The staff console's page: an empty shell the script fills (no inline script or style: the app's strict CSP
 * applies), and its one stylesheet. Laid out for a phone at 360 px first; on a desktop the navigation moves beside
 * the work area.
 */
export const CONSOLE_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Thai","Noto Sans Khmer","Noto Sans Lao","Noto Sans Myanmar",sans-serif;color:#111;background:#f4f5f7}
a{color:#12408a}
header.top{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:center;justify-content:space-between;background:#0f2a4a;color:#fff;padding:.4rem .8rem}
header.top .brand{font-weight:800;margin:0;font-size:1.1rem}
header.top .who{font-size:.9rem}
header.top label{display:flex;align-items:center;gap:.3rem;margin:0;color:#fff;font-weight:400}
header.top select{width:auto;min-height:40px;padding:.2rem}
.layout{display:flex;flex-direction:column;max-width:80rem;margin:0 auto}
nav.side{display:flex;flex-wrap:wrap;gap:.2rem;padding:.3rem .5rem;background:#fff;border-bottom:1px solid #d5d9e0}
nav.side a{padding:.6rem .6rem;min-height:44px;display:inline-flex;align-items:center;text-decoration:none;border-radius:6px;color:#0f2a4a}
nav.side a[aria-current=page]{background:#0f2a4a;color:#fff;font-weight:700}
main{flex:1;padding:.6rem .8rem 2rem;min-width:0}
@media (min-width:900px){.layout{flex-direction:row}nav.side{flex-direction:column;flex-wrap:nowrap;width:14rem;min-height:calc(100vh - 3.5rem);border-bottom:0;border-right:1px solid #d5d9e0}}
h1{font-size:1.35rem;margin:.5rem 0}
h2{font-size:1.15rem;margin:.8rem 0 .4rem}
h3{font-size:1rem;margin:.6rem 0 .2rem}
button,select,input,textarea{font:inherit}
button,.button{display:inline-block;min-height:44px;padding:.5rem .9rem;margin:.25rem .25rem .25rem 0;border:2px solid #0f2a4a;border-radius:6px;background:#0f2a4a;color:#fff;cursor:pointer;text-decoration:none;text-align:center}
button.secondary,.button.secondary{background:#fff;color:#0f2a4a}
button.danger{background:#a31500;border-color:#a31500}
button:disabled{opacity:.55;cursor:not-allowed}
:focus-visible{outline:3px solid #e07b00;outline-offset:2px}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}
label.check{font-weight:400;min-height:44px;display:flex;align-items:center;gap:.5rem;margin:0}
label.check input{width:22px;height:22px;flex:none}
input[type=text],input[type=email],input[type=password],input[type=search],input[type=date],input[type=number],select,textarea{width:100%;min-height:44px;border:2px solid #59606b;border-radius:6px;padding:.4rem .5rem;background:#fff}
textarea{min-height:5rem}
fieldset{border:1px solid #d5d9e0;border-radius:8px;padding:.5rem .8rem;margin:.6rem 0;min-width:0}
legend{font-weight:700;padding:0 .3rem}
.card{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:.8rem;margin:.6rem 0}
.note{font-size:.9rem;color:#454b54}
.error{color:#8a0f00;font-weight:600}
.ok{color:#0a5c1a;font-weight:600}
.banner{padding:.5rem .8rem;border-radius:6px;margin:.4rem 0}
.banner.offline{background:#fff1c2;color:#4a3600}
.banner.pending{background:#e3ecfb;color:#0f2a4a}
.banner.conflict{background:#ffe1dc;color:#6e0a00}
.row{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
nav.pager{display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:center;justify-content:space-between;margin:.4rem 0}
nav.pager button{margin:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.6rem}
.filters{display:grid;grid-template-columns:1fr;gap:0 .6rem}
@media (min-width:700px){.filters{grid-template-columns:repeat(4,1fr)}}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #e1e4e8;vertical-align:top}
th{font-size:.85rem;color:#454b54}
.table-wrap{overflow-x:auto}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .8rem;margin:.4rem 0}
dt{color:#454b54}dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:999px;background:#e1e4e8;color:#111;font-size:.85rem;font-weight:600}
.badge.competent{background:#d8f5dc;color:#064d12}
.badge.nyc{background:#ffe1dc;color:#6e0a00}
progress{width:100%;height:1.3rem}
img.evidence,video.evidence{max-width:100%;height:auto;border:1px solid #d5d9e0}
iframe.evidence{width:100%;height:70vh;border:1px solid #d5d9e0}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.signin{max-width:24rem;margin:2rem auto}
.chart{width:100%;height:auto}
.chart text{font-size:11px;fill:#222}
/* admin */
.stat .chart text{font-size:12px}
nav.tabs{display:flex;flex-wrap:wrap;gap:.2rem;margin:.4rem 0;border-bottom:2px solid #d5d9e0}
nav.tabs a{padding:.5rem .7rem;min-height:44px;display:inline-flex;align-items:center;text-decoration:none;color:#0f2a4a;border-radius:6px 6px 0 0}
nav.tabs a[aria-current=page]{background:#0f2a4a;color:#fff;font-weight:700}
.stats{display:grid;grid-template-columns:1fr;gap:0 .8rem}
@media (min-width:900px){.stats{grid-template-columns:repeat(2,1fr)}}
.stat .chart{max-width:36rem;display:block}
.chart rect.bar{fill:#12408a}
.chart rect.suppressed{fill:#fff;stroke:#59606b;stroke-dasharray:3 2}
.stat summary{cursor:pointer;min-height:44px;display:flex;align-items:center;color:#12408a}
tr.failed{background:#fff4f2}
ul.row-errors{margin:0;padding-left:1.1rem}
.cohort-rows td:last-child{overflow-wrap:anywhere}
.cohort-rows .badge{white-space:nowrap}
@media (max-width:699px){table.stack thead{display:none}table.stack tr{display:block;border-bottom:1px solid #e1e4e8;padding:.3rem 0}table.stack th,table.stack td{display:block;border:0;padding:.15rem .5rem}}
.error ul{font-weight:400}
/* field */
.field-cases{margin:.6rem 0}
.field-cases td .check{min-height:44px}
@media (max-width:699px){.field-cases thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}.field-cases,.field-cases tbody,.field-cases tr,.field-cases td{display:block;width:100%}.field-cases tr{background:#fff;border:1px solid #d5d9e0;border-radius:8px;margin:.5rem 0;padding:.3rem .6rem}.field-cases td{border:0;padding:.15rem 0;display:flex;gap:.6rem;align-items:center}.field-cases td::before{content:attr(data-label);flex:0 0 8.5rem;font-size:.85rem;color:#454b54}}
.field-filter-submit{display:flex;align-items:flex-end}
.field-header .badge{text-decoration:none;color:#111}
.field-header .badge.waiting{background:#fff1c2;color:#4a3600}
.field-header .badge.nyc{color:#6e0a00}
.field-unit{background:#fff}
.field-unit fieldset{border:0;padding:0 .2rem;margin:.3rem 0}
.field-unit fieldset.field-pairs{display:grid;grid-template-columns:repeat(auto-fill,minmax(8.3rem,1fr));gap:0 .6rem}
.field-evidence-list,.field-units,.field-conflicts-list{padding-left:0;list-style:none}
.field-evidence,.field-units li{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:.5rem .7rem;margin:.4rem 0;overflow-wrap:anywhere}
.field-history{padding-left:1.2rem}
/* a long label (Burmese, Khmer) wraps instead of squeezing the value it names */
.field-conflicts-list dl{grid-template-columns:fit-content(45%) 1fr}
.field-conflict-sides{display:grid;grid-template-columns:1fr;gap:.6rem;margin:.4rem 0}
@media (min-width:700px){.field-conflict-sides{grid-template-columns:1fr 1fr}}
.field-conflict-side{border:1px solid #d5d9e0;border-radius:6px;padding:.2rem .7rem;min-width:0}
.field-conflict-side[data-side=device]{border-left:4px solid #12408a}
.field-conflict-side[data-side=server]{border-left:4px solid #59606b}
input[type=file]{max-width:100%;min-height:44px}
`;

export function consolePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>Tanda console</title>
<link rel="stylesheet" href="/console/app.css">
</head>
<body>
<div id="app"></div>
<script src="/console/app.js" defer></script>
</body>
</html>
`;
}
