import jsonld from 'jsonld';
import { REGISTRY_BASE } from '../frameworks/urls.js';
import type { RegistrySnapshot } from '../frameworks/snapshot.js';
import type { DocumentLoader } from '../jsonld/loader.js';

/*
 * Finds what in a credential to be signed through the VC API would make it look like a registry award: a catalogue
 * qualification or unit, or a framework level, named by IRI or by code or title; or a status entry the caller chose.
 * Two readings, because a claim can hide in either: the JSON as a verifier that reads JSON sees it (every string
 * anywhere), and the RDF the signature covers (every IRI and literal after JSON-LD expansion, so an alias, a compact
 * IRI or a full-IRI property name is seen as what it means).
 */

const CREDENTIAL_STATUS = 'https://www.w3.org/2018/credentials#credentialStatus';
const REGISTRY_HOST = new URL(REGISTRY_BASE).hostname;
const REGISTRY_PATHS = ['/qualifications/', '/units/', '/frameworks/'];

/** The registry's catalogue as names to look for: ids (IRIs), codes and titles, lower-cased. */
export interface RegistryTerms {
  iris: ReadonlySet<string>;
  names: ReadonlySet<string>;
}

const norm = (v: string): string => v.normalize('NFC').trim().toLowerCase();

export function registryTerms(snapshot: Pick<RegistrySnapshot, 'qualifications'>): RegistryTerms {
  const iris = new Set<string>();
  const names = new Set<string>();
  for (const q of snapshot.qualifications) {
    iris.add(norm(q.id));
    names.add(norm(q.code));
    for (const t of Object.values(q.titles)) names.add(norm(t));
    for (const u of q.units) {
      iris.add(norm(u.unitId));
      names.add(norm(u.code));
      for (const t of Object.values(u.titles)) names.add(norm(t));
    }
  }
  return { iris, names };
}

function registryIri(value: string, terms: RegistryTerms): boolean {
  const v = norm(value);
  if (terms.iris.has(v)) return true;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return false;
  }
  return url.hostname === REGISTRY_HOST && REGISTRY_PATHS.some((p) => decodeURIComponent(url.pathname).startsWith(p));
}

const claims = (value: string, terms: RegistryTerms): boolean => registryIri(value, terms) || terms.names.has(norm(value));

function* strings(v: unknown): Generator<string> {
  if (typeof v === 'string') yield v;
  else if (Array.isArray(v)) for (const x of v) yield* strings(x);
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      yield k;
      yield* strings(x);
    }
  }
}

export type Ungoverned = { kind: 'status'; detail: string } | { kind: 'claim'; detail: string };

/**
 * The first reason this credential may not be signed outside the award path, or undefined. Throws the document
 * loader's error (unknown_context) for a context the service does not hold, as signing would.
 */
export async function findUngoverned(credential: Record<string, unknown>, terms: RegistryTerms, documentLoader: DocumentLoader): Promise<Ungoverned | undefined> {
  if (credential.credentialStatus !== undefined) return { kind: 'status', detail: 'credentialStatus' };
  for (const s of strings(credential)) if (claims(s, terms)) return { kind: 'claim', detail: s };
  const quads = await jsonld.toRDF(credential, { documentLoader, safe: false, rdfDirection: 'i18n-datatype' });
  for (const q of quads) {
    if (q.predicate.value === CREDENTIAL_STATUS) return { kind: 'status', detail: q.predicate.value };
    for (const term of [q.subject, q.predicate, q.object]) {
      if (term.termType !== 'BlankNode' && claims(term.value, terms)) return { kind: 'claim', detail: term.value };
    }
  }
  return undefined;
}
