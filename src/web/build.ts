import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { bundledContexts } from '../jsonld/context-files.js';

/**
 * Builds the offline web verifier: one minified browser bundle of the verify pipeline and its UI (no CDN), the
 * service worker, and the zxing-wasm reader served from our own origin. Output goes to a git-ignored folder; the
 * server builds it on first use when missing, so `npm install && npm start` needs no separate step.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_WEB_DIR = path.join(ROOT, 'dist', 'web');
const require = createRequire(import.meta.url);

export interface WebAssets {
  dir: string;
  /** Byte sizes of each file, for the first-download budget. */
  sizes: Record<string, number>;
}

/** The JSON-LD contexts, embedded as a module: the browser has no contexts/ folder to read. */
const contextsPlugin: Plugin = {
  name: 'tanda-contexts',
  setup(b) {
    b.onResolve({ filter: /^tanda:contexts$/ }, () => ({ path: 'contexts', namespace: 'tanda' }));
    b.onLoad({ filter: /.*/, namespace: 'tanda' }, () => ({
      contents: `export default new Map(${JSON.stringify([...bundledContexts()])});`,
      loader: 'js',
    }));
  },
};

export async function buildWebAssets(dir = DEFAULT_WEB_DIR): Promise<WebAssets> {
  fs.mkdirSync(dir, { recursive: true });
  const common = {
    bundle: true,
    minify: true,
    platform: 'browser' as const,
    target: ['chrome100', 'safari15', 'firefox100'],
    legalComments: 'none' as const,
    logLevel: 'silent' as const,
    // esbuild prefers `exports` over the `browser` field and would bundle base64url-universal's Node build
    // (Buffer): the status list check would then fail in the browser while signatures still verify.
    alias: { 'base64url-universal': path.join(path.dirname(require.resolve('base64url-universal')), 'browser.js') },
    // An iife has no import.meta; some packages build context metadata URLs from it (never fetched).
    define: { 'process.env.NODE_DEBUG': 'false', 'import.meta.url': '"https://tanda.invalid/verify/app.js"' },
  };
  const app = await build({
    ...common,
    entryPoints: [fileURLToPath(new URL('./app/main.ts', import.meta.url))],
    outfile: path.join(dir, 'app.js'),
    format: 'iife',
    plugins: [contextsPlugin],
    metafile: true,
  });
  const nodeOnly = Object.keys(app.metafile.inputs).filter((f) => /base64url-universal\/lib\/index\.js|node:|keys\/(signer|key-store)/.test(f));
  if (nodeOnly.length) throw new Error(`Node-only modules in the browser bundle: ${nodeOnly.join(', ')}`);
  await build({ ...common, entryPoints: [fileURLToPath(new URL('./sw.ts', import.meta.url))], outfile: path.join(dir, 'sw.js'), format: 'iife' });
  // pdf.js (legacy build: the phones this serves are not all on the newest browsers) as its own module, loaded only
  // when a PDF is picked; its worker is pdf.js's own prebuilt file.
  await build({ ...common, entryPoints: [fileURLToPath(new URL('./app/pdf.ts', import.meta.url))], outfile: path.join(dir, 'pdf.mjs'), format: 'esm', define: { 'process.env.NODE_DEBUG': 'false' } });
  fs.copyFileSync(require.resolve('pdfjs-dist/legacy/build/pdf.worker.min.mjs'), path.join(dir, 'pdf.worker.mjs'));
  fs.copyFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'), path.join(dir, 'zxing_reader.wasm'));
  // The returnee space (/me): Preact components, its own service worker.
  const me = await build({
    ...common,
    entryPoints: [fileURLToPath(new URL('./me/main.tsx', import.meta.url))],
    outfile: path.join(dir, 'me.js'),
    format: 'iife',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { ...common.define, 'import.meta.url': '"https://tanda.invalid/me/app.js"' },
    metafile: true,
  });
  const meNodeOnly = Object.keys(me.metafile.inputs).filter((f) => /node:|src\/(db|keys|rpl|http)\//.test(f));
  if (meNodeOnly.length) throw new Error(`Server modules in the /me bundle: ${meNodeOnly.join(', ')}`);
  await build({ ...common, entryPoints: [fileURLToPath(new URL('./me/sw.ts', import.meta.url))], outfile: path.join(dir, 'me-sw.js'), format: 'iife' });
  // The staff console (/console): Preact screens, its own service worker.
  const consoleBundle = await build({
    ...common,
    entryPoints: [fileURLToPath(new URL('./console/main.tsx', import.meta.url))],
    outfile: path.join(dir, 'console.js'),
    format: 'iife',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { ...common.define, 'import.meta.url': '"https://tanda.invalid/console/app.js"' },
    metafile: true,
  });
  const consoleNodeOnly = Object.keys(consoleBundle.metafile.inputs).filter((f) => /node:|src\/(db|keys|rpl|http)\//.test(f));
  if (consoleNodeOnly.length) throw new Error(`Server modules in the console bundle: ${consoleNodeOnly.join(', ')}`);
  await build({ ...common, entryPoints: [fileURLToPath(new URL('./console/sw.ts', import.meta.url))], outfile: path.join(dir, 'console-sw.js'), format: 'iife' });
  return { dir, sizes: sizes(dir) };
}

const sizes = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).size]));

/** Every file the build writes (the server serves these names from /verify/). */
export const WEB_ASSETS = ['app.js', 'sw.js', 'pdf.mjs', 'pdf.worker.mjs', 'zxing_reader.wasm', 'me.js', 'me-sw.js', 'console.js', 'console-sw.js'] as const;

let pending: Promise<WebAssets> | undefined;
/** The built assets, building them once per process when the folder is missing or older than this build script's sources. */
export function ensureWebAssets(dir = DEFAULT_WEB_DIR): Promise<WebAssets> {
  pending ??= (WEB_ASSETS.every((f) => fs.existsSync(path.join(dir, f))) && !sourcesNewerThan(path.join(dir, 'app.js'))
    ? Promise.resolve({ dir, sizes: sizes(dir) })
    : buildWebAssets(dir)
  ).catch((e: unknown) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

/** A checkout that pulled new verifier code must not keep serving an old build. */
function sourcesNewerThan(file: string): boolean {
  const built = fs.statSync(file).mtimeMs;
  const newest = (d: string): number =>
    Math.max(...fs.readdirSync(d, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).mtimeMs)));
  return ['src/web', 'src/verifier', 'src/trust', 'src/credentials', 'src/qr', 'src/status', 'src/frameworks', 'src/jsonld', 'src/me', 'src/policy', 'contexts'].some((d) => newest(path.join(ROOT, d)) > built);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const assets = await buildWebAssets(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_WEB_DIR);
  process.stdout.write(`web verifier built in ${assets.dir}: ${JSON.stringify(assets.sizes)}\n`);
}
