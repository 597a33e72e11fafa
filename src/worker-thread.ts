import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` (without extension) next to `base` (the caller's import.meta.url). Under tsx (tests,
 * the CLI from a checkout) the worker is TypeScript, and Node 20 does not apply `--import tsx` given in a worker's
 * execArgv before loading the worker's entry (ERR_UNKNOWN_FILE_EXTENSION), so a one-line bootstrap registers tsx's
 * loader inside the thread first and then imports the entry.
 */
export function startModuleWorker(base: string, name: string): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, base));
  const entry = new URL(`./${name}.ts`, base).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}
