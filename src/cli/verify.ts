import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { isTandaError, TandaError } from '../errors.js';
import { bundledContexts } from '../jsonld/index.js';
import { OPERATOR, authorize } from '../policy/policy.js';
import type { Services } from '../services.js';
import { openTrustBundle } from '../trust/open.js';
import { trustBundleService } from '../trust/service.js';
import { isLanguage, translate, type Language } from '../verifier/i18n/index.js';
import { verifyCredentialDocument, verifyQrText } from '../verifier/pipeline.js';
import type { Verdict } from '../verifier/verdict.js';
import { createVerifierData } from '../verifier/verifier-data.js';
import { qrFromFile } from './qr-decode.js';
import { AUTHORITY_FILE, BUNDLE_FILE } from '../trust/files.js';

/*
 * `tanda verify` works offline and without a database: the trust bundle and the pinned authority DID come from
 * files (`trust-bundle import` writes both under the data directory) or from --bundle / --authority.
 */

const MIME: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

const VERIFY_USAGE = 'usage: tanda verify <file.pdf | image.png | payload.txt | credential.json> [--bundle path] [--authority did:key:…] [--json] [--lang en|id|fil|th|vi|km|lo|my|ms]';

export async function verifyCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { bundle: { type: 'string' }, authority: { type: 'string' }, json: { type: 'boolean' }, lang: { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${VERIFY_USAGE}\n`);
    return 2;
  }
  const file = args.positionals[0];
  if (args.values.help || !file) {
    process.stderr.write(`${VERIFY_USAGE}\n`);
    return args.values.help ? 0 : 2;
  }
  const lang: Language = args.values.lang && isLanguage(args.values.lang) ? args.values.lang : 'en';
  try {
    const dataDir = loadConfig().dataDir;
    const bundlePath = args.values.bundle ?? path.join(dataDir, BUNDLE_FILE);
    const authority = args.values.authority ?? readPin(dataDir);
    if (!fs.existsSync(bundlePath)) throw new TandaError('trust_bundle_unavailable', `no verification data at ${bundlePath}: run \`tanda trust-bundle import <file>\` or pass --bundle`);
    const contexts = bundledContexts();
    const bundle = await openTrustBundle(fs.readFileSync(bundlePath, 'utf8'), { authority, contexts });
    const data = await createVerifierData(bundle, contexts);
    const verdict = await verifyInput(file, data);
    process.stdout.write(args.values.json ? `${JSON.stringify(verdict, null, 2)}\n` : humanVerdict(verdict, lang));
    return verdict.verdict === 'VALID' ? 0 : 1;
  } catch (e) {
    process.stderr.write(`tanda verify: ${isTandaError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    return 2;
  }
}

function readPin(dataDir: string): string {
  const pin = path.join(dataDir, AUTHORITY_FILE);
  if (!fs.existsSync(pin)) throw new TandaError('trust_bundle_unavailable', `no pinned registry authority (${pin}): pass --authority did:key:… or run \`tanda trust-bundle import\``);
  return fs.readFileSync(pin, 'utf8').trim();
}

async function verifyInput(file: string, data: Awaited<ReturnType<typeof createVerifierData>>): Promise<Verdict> {
  const bytes = fs.readFileSync(file);
  const mime = MIME[path.extname(file).toLowerCase()];
  if (mime) {
    const text = await qrFromFile(bytes, mime);
    if (!text) throw new TandaError('qr_malformed', `no QR code found in ${file}`);
    return verifyQrText(text, data);
  }
  const text = bytes.toString('utf8').trim();
  if (text.startsWith('{')) {
    let credential: unknown;
    try {
      credential = JSON.parse(text);
    } catch {
      throw new TandaError('invalid_json', `${file} is not valid JSON`);
    }
    return verifyCredentialDocument(credential, data);
  }
  return verifyQrText(text, data);
}

function humanVerdict(v: Verdict, lang: Language): string {
  const t = (key: string, params?: Record<string, string | number>) => translate(lang, key, params);
  const day = (s?: string | null) => (s ? s.slice(0, 10) : '');
  const lines = ['', `  ${t(`verdict.${v.verdict}`)}`, ''];
  const s = v.summary;
  const row = (label: string, value: string | undefined) => {
    if (value) lines.push(`  ${t(label).padEnd(22)} ${value}`);
  };
  if (s) {
    row('field.holder', s.holderName);
    row('field.holderLatin', s.holderNameLatin);
    row('field.qualification', `${s.qualification.titles[lang] ?? s.qualification.text}${s.qualification.code ? ` (${s.qualification.code})` : ''}`);
    for (const [i, u] of s.units.entries()) row(i === 0 ? 'field.units' : '', `${u.code ? `${u.code} ` : ''}${u.titles[lang] ?? u.text}`);
    row('field.nationalLevel', s.nationalLevel ? `${s.nationalLevel.framework} ${s.nationalLevel.level}` : undefined);
    row('field.aqrfLevel', s.aqrfLevel ? `${s.aqrfLevel.level} (${t(`field.${s.aqrfLevel.status}`)})` : undefined);
    row('field.issuer', [s.issuer.name ?? s.issuer.did, s.issuer.country ? `(${s.issuer.country})` : ''].join(' ').trim());
    row('field.validFrom', day(s.validFrom));
    row('field.validUntil', day(s.validUntil));
    row('field.status', t(`status.${s.status.state}`, { asOf: day(s.status.asOf) }));
  }
  row('field.dataAge', t('data.age', { issued: day(v.dataAge.issued), days: v.dataAge.ageDays, until: day(v.dataAge.validUntil) }));
  lines.push('', `  ${t('field.checks')}:`);
  for (const c of v.checks) lines.push(`    ${c.status === 'pass' ? '✓' : c.status === 'warn' ? '!' : '✗'} ${t(c.key, c.params)}`);
  return `${lines.join('\n').replace(/^ {2}(\S.*?) {2,}$/gm, '$1')}\n\n`;
}

const BUNDLE_USAGE = [
  'usage: tanda trust-bundle export [file]                      sign and write this registry\'s current bundle (stdout without file)',
  '       tanda trust-bundle import <file> [--authority did]    check a bundle and keep it for `tanda verify`',
].join('\n');

/** Export (registry side) and import (verifier side) of the trust bundle. */
export async function bundleCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { authority: { type: 'string' } } });
  const dataDir = services.config.dataDir;
  const trust = trustBundleService(services);
  fs.mkdirSync(dataDir, { recursive: true });
  if (sub === 'export') {
    authorize(OPERATOR, 'run', { kind: 'deployment' });
    const { text, bundle } = await trust.current();
    if (positionals[0]) fs.writeFileSync(positionals[0], text);
    else process.stdout.write(`${text}\n`);
    fs.writeFileSync(path.join(dataDir, AUTHORITY_FILE), `${bundle.authority}\n`);
    process.stderr.write(`trust bundle ${bundle.serial} issued ${bundle.issued}, valid until ${bundle.validUntil}; authority ${bundle.authority}\n`);
    return 0;
  }
  if (sub === 'import' && positionals[0]) {
    const pinFile = path.join(dataDir, AUTHORITY_FILE);
    const authority = values.authority ?? (fs.existsSync(pinFile) ? fs.readFileSync(pinFile, 'utf8').trim() : (await trust.authority()).did);
    const text = fs.readFileSync(positionals[0], 'utf8');
    const bundle = await openTrustBundle(text, { authority, contexts: bundledContexts() });
    const target = path.join(dataDir, BUNDLE_FILE);
    if (fs.existsSync(target)) {
      const kept = JSON.parse(fs.readFileSync(target, 'utf8')) as { serial?: number };
      if (typeof kept.serial === 'number' && kept.serial > bundle.serial) {
        throw new TandaError('conflict', `the verification data held (serial ${kept.serial}) is newer than ${positionals[0]} (serial ${bundle.serial})`);
      }
    }
    fs.writeFileSync(target, text);
    fs.writeFileSync(pinFile, `${authority}\n`);
    process.stdout.write(`imported trust bundle ${bundle.serial} issued ${bundle.issued}, valid until ${bundle.validUntil} → ${target}\n`);
    return 0;
  }
  process.stderr.write(`${BUNDLE_USAGE}\n`);
  return sub === 'help' || sub === undefined ? 0 : 2;
}
