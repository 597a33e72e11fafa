import fs from 'node:fs';
import { contextFileName } from './urls.js';

const CONTEXTS_DIR = new URL('../../contexts/', import.meta.url);

/** Every context under contexts/, keyed by the URL it is published at (read once per process). */
let cache: ReadonlyMap<string, object> | undefined;

export function bundledContexts(): ReadonlyMap<string, object> {
  if (cache) return cache;
  const manifest = JSON.parse(fs.readFileSync(new URL('index.json', CONTEXTS_DIR), 'utf8')) as Record<string, string>;
  const map = new Map<string, object>();
  for (const url of Object.keys(manifest)) {
    const file = contextFileName(url);
    map.set(url, deepFreeze(JSON.parse(fs.readFileSync(new URL(file, CONTEXTS_DIR), 'utf8')) as object));
  }
  cache = map;
  return map;
}

/**
 * The bytes of a bundled context file as stored (what a `relatedResource` digest of that context is computed over),
 * or undefined for a URL not bundled here.
 */
export function bundledContextBytes(url: string): Uint8Array | undefined {
  if (!bundledContexts().has(url)) return undefined;
  return new Uint8Array(fs.readFileSync(new URL(contextFileName(url), CONTEXTS_DIR)));
}

/** Loaded contexts are shared by every caller; freezing makes an accidental mutation throw instead of spreading. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
