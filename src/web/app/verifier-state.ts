import contexts from 'tanda:contexts';
import { isTandaError } from '../../errors.js';
import type { TrustBundle } from '../../trust/bundle.js';
import { openTrustBundle } from '../../trust/open.js';
import { createVerifierData, type VerifierData } from '../../verifier/verifier-data.js';

/*
 * The verification data the page holds: the newest trust bundle (by serial) among the one inlined in a downloaded
 * page, the one kept in Cache Storage, and the server's current one. Every candidate must be signed by the pinned
 * authority; a refused one is reported, never used.
 */
const STORE = 'tanda-data';
const STORED_KEY = '/verify/stored-trust-bundle';

export interface Loaded {
  bundle: TrustBundle;
  data: VerifierData;
}

export interface LoadOutcome {
  loaded?: Loaded;
  refused: string[];
}

const storage = (): CacheStorage | undefined => (typeof caches === 'undefined' ? undefined : caches);

async function storedText(): Promise<string | undefined> {
  try {
    const res = await (await storage()?.open(STORE))?.match(STORED_KEY);
    return res ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

async function store(text: string): Promise<void> {
  try {
    await (await storage()?.open(STORE))?.put(STORED_KEY, new Response(text, { headers: { 'content-type': 'application/json' } }));
  } catch {
    // file:// pages have no Cache Storage: the inlined bundle is their copy.
  }
}

// The ETag of the last bundle fetched: the page refreshes often, and opening a bundle (checking its signature over
// megabytes of JSON) is the costly part, so an unchanged one is not opened again.
let lastEtag: string | null = null;

async function networkText(): Promise<string | undefined> {
  if (!/^https?:$/.test(location.protocol)) return undefined;
  try {
    const res = await fetch('/trust-bundle', { cache: 'no-cache' });
    if (!res.ok) return undefined;
    const etag = res.headers.get('etag');
    if (etag && etag === lastEtag) return undefined;
    const text = await res.text();
    lastEtag = etag;
    return text;
  } catch {
    return undefined;
  }
}

async function open(text: string, authority: string): Promise<Loaded> {
  const bundle = await openTrustBundle(text, { authority, contexts });
  return { bundle, data: await createVerifierData(bundle, contexts) };
}

/**
 * The best data among the candidates: on the first load the inlined and stored copies and the server's; later (a
 * refresh) the server's, when it changed, and any file the reader loads.
 */
export async function loadBest(authority: string, current?: Loaded, extra: string[] = []): Promise<LoadOutcome> {
  const local = current ? [] : [document.getElementById('tanda-bundle')?.textContent?.trim(), await storedText()];
  const texts = [...local, extra.length ? undefined : await networkText(), ...extra].filter((t): t is string => !!t);
  let best = current;
  let bestText: string | undefined;
  const refused: string[] = [];
  for (const text of texts) {
    try {
      const loaded = await open(text, authority);
      if (!best || loaded.bundle.serial > best.bundle.serial) {
        best = loaded;
        bestText = text;
      }
    } catch (e) {
      refused.push(isTandaError(e) ? e.message : String(e));
    }
  }
  if (bestText) await store(bestText);
  return { ...(best ? { loaded: best } : {}), refused };
}
