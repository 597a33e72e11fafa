/**
 * Hermetic tests: any attempt to open an outbound connection fails loudly, so a document loader or library that
 * tries the network makes its test fail instead of silently passing on a connected machine. Loopback stays open for
 * PostgreSQL and for servers the tests start themselves.
 */
import net from 'node:net';
import { afterAll } from 'vitest';

const LOOPBACK = /^(127\.|::1$|localhost$|::ffff:127\.)/;
// Test files share a worker's globals (tests/vitest.config.ts: isolate false) and this file runs before each of them:
// the guards go in once per worker, not once more around the previous file's.
const INSTALLED = Symbol.for('tanda.tests.network-guard');
const guarded = globalThis as { [INSTALLED]?: true };
if (!guarded[INSTALLED]) {
  guarded[INSTALLED] = true;
  installGuards();
}

// The environment as the worker's first file found it: a file that leaves it changed fails, named, instead of
// changing what a later file of the same worker runs with (tests/helpers/env.ts undoes changes).
const ENV_AT_START = Symbol.for('tanda.tests.env-at-start');
const held = globalThis as { [ENV_AT_START]?: Record<string, string | undefined> };
const envAtStart = (held[ENV_AT_START] ??= { ...process.env });
afterAll(() => {
  const keys = new Set([...Object.keys(envAtStart), ...Object.keys(process.env)]);
  const changed = [...keys].filter((k) => !k.startsWith('VITEST') && envAtStart[k] !== process.env[k]);
  if (changed.length) throw new Error(`this file left process.env changed: ${changed.join(', ')}`);
});

function installGuards(): void {
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function patchedConnect(this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its normalised arguments as one array; socket.connect() callers pass them spread.
    const raw = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const first = raw as { host?: string; path?: string } | number | string | undefined;
    const host =
      typeof first === 'object' && first !== null ? (first.path ? 'localhost' : (first.host ?? 'localhost'))
        : typeof args[1] === 'string' ? args[1] : 'localhost';
    if (!LOOPBACK.test(host)) throw new Error(`network access blocked in tests: ${host}`);
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;

  const originalFetch = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (!LOOPBACK.test(url.hostname.replace(/^\[|\]$/g, ''))) throw new Error(`network access blocked in tests: ${url}`);
    return originalFetch(input, init);
  }) as typeof fetch;
}
