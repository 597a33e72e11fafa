import jsonld from 'jsonld';
import * as rdfCanonize from 'rdf-canonize';
import type { Quad } from 'rdf-canonize';
import { PromiseCache } from '../promise-cache.js';

/**
 * RDFC-1.0 canonicalisation of Open Badges credentials, with the achievement's RDF remembered.
 *
 * Why: every credential of one qualification embeds the same `credentialSubject.achievement` (name, criteria and one
 * Alignment per competency unit), and expanding it is two thirds of signing time — jsonld deep-copies the whole
 * active context for every node under a type-scoped context, and a 6-unit certificate has 8 Alignments. The RDF
 * dataset of a JSON-LD document is the union of the triples of its node objects, so the dataset of a credential is
 * the dataset of the same credential with the achievement replaced by a reference to its `id`, plus the achievement
 * subtree's own quads. Those quads depend only on the subtree and on the active context at its position, so they are
 * computed once (by jsonld itself, on a document that keeps exactly what shapes that context) and re-used.
 * Canonicalisation itself is still rdf-canonize over the full dataset: the output is byte-identical to
 * the cryptosuite's `jsonld.toRDF` + `rdfCanonize.canonize`, which the tests check document by document.
 *
 * The shortcut is taken only where that equality can be argued from the inputs alone, otherwise the plain path runs:
 * - the achievement has an IRI `id` and no blank-node identifiers (they could be shared with the rest);
 * - every top-level context is a URL whose document (and scoped contexts) aliases no keyword but `id` and `type`, and
 *   the top level and credentialSubject carry no keyword but `@context` (top level), `@id` and `@type`, so the only
 *   things that shape the achievement's context — the contexts and the two levels of types — are in the cache key;
 * - when remembered, the decomposition is checked on the key's own document (union == whole, canonically), and a key
 *   that fails is remembered as not eligible.
 * An achievement is remembered the second time it is seen: filling an entry costs about one and a half plain
 * canonicalisations, which a verifier that meets every qualification once (or a flood of made-up ones) should not pay.
 */

interface Entry {
  readonly quads: readonly Quad[];
  /** IRIs that are subjects inside the subtree, and the N-Quads of their quads, to drop duplicates from the rest. */
  readonly iriSubjects: ReadonlySet<string>;
  readonly serialized: ReadonlySet<string>;
}

type Loader = (url: string) => Promise<{ document: unknown }>;
type Json = Record<string, unknown>;

const MAX_ENTRIES = 256;
const MAX_SEEN = 1024;
const MAX_ALIAS_CHECKS = 256;
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const ALLOWED_ALIASES = new Map([['id', '@id'], ['type', '@type']]);

export class AchievementMemo {
  private readonly entries = new PromiseCache<string, Entry | null>(MAX_ENTRIES);
  private readonly seenOnce = new Set<string>();
  private readonly aliasSafe = new PromiseCache<string, boolean>(MAX_ALIAS_CHECKS);

  /** How many achievements are remembered, and how many were found not eligible (for tests and diagnostics). */
  stats(): Promise<{ remembered: number; notEligible: number }> {
    return Promise.all(this.entries.values().map((p) => p.catch(() => null))).then((all) => ({
      remembered: all.filter((e) => e !== null).length,
      notEligible: all.filter((e) => e === null).length,
    }));
  }

  /** Same contract as the eddsa-rdfc-2022 cryptosuite's `canonize(input, options)`. */
  async canonize(input: Json, options: Json): Promise<string> {
    const canonOptions: Json = { algorithm: 'RDFC-1.0', format: 'application/n-quads', base: null, safe: true, ...options };
    const rdfOptions: Json = { rdfDirection: 'i18n-datatype', ...canonOptions, produceGeneralizedRdf: false };
    delete rdfOptions.format;

    const split = await this.split(input, rdfOptions);
    if (!split) return rdfCanonize.canonize(await jsonld.toRDF(input, rdfOptions), canonOptions);
    const rest = await jsonld.toRDF(split.rest, rdfOptions);
    return rdfCanonize.canonize(union(rest, split.entry), canonOptions);
  }

  private async split(input: Json, rdfOptions: Json): Promise<{ rest: Json; entry: Entry } | null> {
    const cs = input.credentialSubject;
    if (!isObject(cs)) return null;
    const achievement = cs.achievement;
    if (!isObject(achievement)) return null;
    const idKey = 'id' in achievement ? 'id' : '@id' in achievement ? '@id' : null;
    if (!idKey || ('id' in achievement && '@id' in achievement)) return null;
    const achievementId = achievement[idKey];
    if (typeof achievementId !== 'string' || achievementId.startsWith('_:')) return null;
    if (!keysAreShapeSafe(input, ['@context', '@id', '@type']) || !keysAreShapeSafe(cs, ['@id', '@type'])) return null;
    const contexts = Array.isArray(input['@context']) ? input['@context'] : [input['@context']];
    if (!contexts.every((c): c is string => typeof c === 'string')) return null;

    const shape = {
      '@context': input['@context'],
      ...pick(input, ['type', '@type']),
      credentialSubject: { ...pick(cs, ['type', '@type']), achievement },
    };
    const key = JSON.stringify(shape);
    if (key.includes('"_:')) return null;

    if (!this.entries.has(key)) {
      if (!this.seenOnce.has(key)) {
        if (this.seenOnce.size >= MAX_SEEN) this.seenOnce.clear();
        this.seenOnce.add(key);
        return null;
      }
      this.seenOnce.delete(key);
    }
    const found = await this.entries.get(key, async () =>
      (await this.contextsAliasSafe(contexts, rdfOptions.documentLoader as Loader)) ? computeEntry(shape, { [idKey]: achievementId }, rdfOptions) : null,
    );
    if (!found) return null;
    return { rest: { ...input, credentialSubject: { ...cs, achievement: { [idKey]: achievementId } } }, entry: found };
  }

  private contextsAliasSafe(urls: string[], loader: Loader): Promise<boolean> {
    return Promise.all(
      urls.map((url) => this.aliasSafe.get(url, () => loader(url).then((remote) => contextAliasSafe(remote.document)))),
    ).then((all) => all.every(Boolean));
  }
}

async function computeEntry(shape: Json & { credentialSubject: Json }, reference: Json, rdfOptions: Json): Promise<Entry | null> {
  const whole = await jsonld.toRDF(shape, rdfOptions);
  const shell = await jsonld.toRDF({ ...shape, credentialSubject: { ...shape.credentialSubject, achievement: reference } }, rdfOptions);
  if (whole.some((q) => q.graph.termType !== 'DefaultGraph')) return null;

  // The reference's one link (credentialSubject → achievement) names the achievement's IRI as jsonld expanded it.
  const links = shell.filter((q) => q.predicate.value !== RDF_TYPE && q.object.termType === 'NamedNode');
  if (links.length !== 1) return null;
  const root = links[0]!.object.value;

  // The subtree: quads whose subject is reachable from the achievement, blank nodes renamed apart from the
  // `b<n>` labels jsonld gives the rest of the document.
  const bySubject = new Map<string, Quad[]>();
  for (const q of whole) {
    const list = bySubject.get(q.subject.value) ?? [];
    list.push(q);
    bySubject.set(q.subject.value, list);
  }
  const reached = new Set([root]);
  const queue = [root];
  const subtree: Quad[] = [];
  while (queue.length > 0) {
    for (const q of bySubject.get(queue.pop()!) ?? []) {
      subtree.push(q);
      if ((q.object.termType === 'BlankNode' || q.object.termType === 'NamedNode') && !reached.has(q.object.value)) {
        reached.add(q.object.value);
        queue.push(q.object.value);
      }
    }
  }
  const rename = (t: Quad['subject']) => (t.termType === 'BlankNode' ? { ...t, value: `m${t.value}` } : t);
  const quads = subtree.map((q) => ({ ...q, subject: rename(q.subject), object: rename(q.object) }) as Quad);
  const iriSubjects = new Set(quads.filter((q) => q.subject.termType === 'NamedNode').map((q) => q.subject.value));
  const serialized = new Set(quads.filter((q) => q.subject.termType === 'NamedNode').map((q) => rdfCanonize.NQuads.serializeQuad(q)));
  const entry: Entry = { quads, iriSubjects, serialized };

  // The decomposition must reproduce this document exactly, or the key is not used.
  const options = { algorithm: 'RDFC-1.0' };
  const [expected, actual] = await Promise.all([rdfCanonize.canonize(whole, options), rdfCanonize.canonize(union(shell, entry), options)]);
  return expected === actual ? entry : null;
}

/** The rest's quads plus the subtree's; an IRI node described in both places must not yield a quad twice. */
function union(rest: Quad[], entry: Entry): Quad[] {
  const out = rest.filter(
    (q) => !(q.subject.termType === 'NamedNode' && entry.iriSubjects.has(q.subject.value) && entry.serialized.has(rdfCanonize.NQuads.serializeQuad(q))),
  );
  for (const q of entry.quads) out.push(q);
  return out;
}

/** A context that aliases a keyword other than `id`/`type`, or imports or nests a context by URL, is not analysed. */
function contextAliasSafe(document: unknown): boolean {
  const visit = (ctx: unknown): boolean => {
    if (ctx === null || typeof ctx !== 'object') return ctx === null;
    if (Array.isArray(ctx)) return ctx.every(visit);
    for (const [term, def] of Object.entries(ctx)) {
      if (term === '@import') return false;
      if (term.startsWith('@')) continue;
      const target = typeof def === 'string' ? def : isObject(def) ? def['@id'] : undefined;
      if (typeof target === 'string' && target.startsWith('@') && ALLOWED_ALIASES.get(term) !== target) return false;
      if (isObject(def) && '@context' in def && !visit(def['@context'])) return false;
    }
    return true;
  };
  return isObject(document) && visit(document['@context']);
}

/** Keys beginning with `@` (other than the allowed ones) could change how the level is read. */
function keysAreShapeSafe(node: Json, allowedKeywords: string[]): boolean {
  return Object.keys(node).every((k) => !k.startsWith('@') || allowedKeywords.includes(k));
}

function pick(node: Json, keys: string[]): Json {
  const out: Json = {};
  for (const k of keys) if (k in node) out[k] = node[k];
  return out;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
