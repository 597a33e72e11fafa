/**
 * Browser-safe: sha-256 (hex) of a context over `JSON.stringify` of its parsed JSON, so that the server (reading
 * contexts/) and a browser build (contexts bundled as modules) hash the same text for the same content.
 */
export async function contextHash(context: object): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(context)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function contextHashes(contexts: ReadonlyMap<string, object>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [url, doc] of [...contexts].sort(([a], [b]) => (a < b ? -1 : 1))) out[url] = await contextHash(doc);
  return out;
}

/** URLs whose local copy differs from (or is missing in) the registry's list: credentials using them cannot be trusted. */
export async function mismatchedContexts(expected: Record<string, string>, local: ReadonlyMap<string, object>): Promise<string[]> {
  const out: string[] = [];
  for (const [url, hash] of Object.entries(expected)) {
    const doc = local.get(url);
    if (!doc || (await contextHash(doc)) !== hash) out.push(url);
  }
  return out;
}
