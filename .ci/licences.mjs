#!/usr/bin/env node
// CI: every installed runtime dependency (transitively; dev-only packages excluded) must carry a licence on the
// allowlist. Governments deploy and modify Tanda: nothing copyleft (AGPL, GPL, LGPL, MPL, SSPL, EUPL…) may ship.
// Prints the list with each licence; exits 1 naming every package that is not allowed. Usage: .ci/licences [lock file]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Permissive licences (SPDX ids). OFL-1.1 covers the Noto fonts embedded in certificates: it allows embedding. */
const ALLOWED = new Set([
  'MIT', 'MIT-0', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'Apache-2.0', 'BlueOak-1.0.0', 'CC0-1.0',
  'CC-BY-4.0', 'Unlicense', 'Python-2.0', 'Zlib', 'WTFPL', 'OFL-1.1',
]);

/**
 * Packages whose package.json has no SPDX licence; each was read by hand, and the check insists the licence file
 * still says so (a new version with another licence fails until reviewed).
 */
const REVIEWED = {
  '@digitalbazaar/credentials-context': { license: 'BSD-3-Clause', file: 'LICENSE.md', says: /Redistribution and use in source and binary forms/ },
  'did-context': { license: 'BSD-3-Clause', file: 'LICENSE.md', says: /Redistribution and use in source and binary forms/ },
  'png-js': { license: 'MIT', file: 'LICENSE', says: /Permission is hereby granted, free of charge/ },
};

/**
 * An SPDX licence expression (`A OR (B AND C)`, `X WITH exception`, `Y+`) evaluated against the allowlist: OR needs
 * one allowed side, AND both, WITH is refused (an exception qualifies a licence we would not take alone).
 * Hand-written: spdx-expression-parse is not installed, and the grammar we need is these three operators.
 */
export function allowedExpression(expression) {
  const tokens = expression.replace(/[()]/g, ' $& ').trim().split(/\s+/);
  let i = 0;
  const atom = () => {
    const t = tokens[i++];
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') throw new Error(`unbalanced parentheses in "${expression}"`);
      return v;
    }
    if (!t || ['AND', 'OR', 'WITH', ')'].includes(t.toUpperCase())) throw new Error(`bad licence expression "${expression}"`);
    let ok = ALLOWED.has(t.replace(/\+$/, ''));
    if (tokens[i]?.toUpperCase() === 'WITH') {
      i += 2;
      ok = false;
    }
    return ok;
  };
  const and = () => {
    let v = atom();
    while (tokens[i]?.toUpperCase() === 'AND') {
      i++;
      v = atom() && v;
    }
    return v;
  };
  const or = () => {
    let v = and();
    while (tokens[i]?.toUpperCase() === 'OR') {
      i++;
      v = and() || v;
    }
    return v;
  };
  const v = or();
  if (i !== tokens.length) throw new Error(`bad licence expression "${expression}"`);
  return v;
}

/** package.json's `license` (string or legacy {type}) or legacy `licenses` array (alternatives: OR). */
function licenceOf(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license?.type) return pkg.license.type;
  if (Array.isArray(pkg.licenses) && pkg.licenses.length) return `(${pkg.licenses.map((l) => l.type ?? l).join(' OR ')})`;
  return undefined;
}

/**
 * Every runtime package `npm ci` installs, from the lock file: the entries npm did not mark dev-only, including
 * optional per-platform binaries (a deployment on another platform ships those). Read from the lock rather than
 * `npm ls`, whose answer depends on whatever else happens to be in node_modules.
 */
function runtimePackages() {
  const lock = JSON.parse(fs.readFileSync(process.argv[2] ?? path.join(ROOT, 'package-lock.json'), 'utf8'));
  if (lock.lockfileVersion < 2) throw new Error('package-lock.json v2 or later is needed');
  return Object.entries(lock.packages)
    .filter(([where, entry]) => where !== '' && !entry.dev && !entry.link)
    .map(([where, entry]) => ({ name: entry.name ?? where.slice(where.lastIndexOf('node_modules/') + 13), version: entry.version, dir: path.join(ROOT, where), pkg: entry }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

const failures = [];
const rows = [];
for (const p of runtimePackages()) {
  let licence = licenceOf(p.pkg);
  const reviewed = REVIEWED[p.name];
  if (reviewed && (!licence || /^SEE LICEN[CS]E IN /i.test(licence))) {
    const file = path.join(p.dir, reviewed.file);
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    licence = reviewed.says.test(text) ? reviewed.license : undefined;
  }
  let ok = false;
  try {
    ok = licence !== undefined && allowedExpression(licence);
  } catch (e) {
    licence = `${licence} (${e.message})`;
  }
  rows.push(`${ok ? 'ok  ' : 'FAIL'} ${p.name}@${p.version}  ${licence ?? '(no licence)'}`);
  if (!ok) failures.push(`${p.name}@${p.version}: ${licence ?? 'no licence declared'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${rows.join('\n')}\n${rows.length} runtime packages\n`);
  if (failures.length) {
    process.stderr.write(`licence check FAILED: not on the allowlist:\n  ${failures.join('\n  ')}\n`);
    process.exit(1);
  }
  process.stdout.write('licence check passed\n');
}
