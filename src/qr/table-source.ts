import { OB_V3, TANDA_V1, VC_V2 } from '../jsonld/urls.js';
import type { TypeTableSource } from './type-table.js';

/**
 * Values every Tanda credential repeats (OB enum values and our extension codes). They come first in the `none`
 * table so they keep ids below 24 whatever the catalogue adds after them.
 */
export const CODE_LIST_STRINGS: readonly string[] = [
  'Certificate',
  'Competency',
  'name',
  'ext:nameLatin',
  'revocation',
  'ext:QualificationFrameworkLevel',
  'ext:ReferenceFrameworkLevel',
  'AQRF',
];

/** Catalogue data of one qualification as issued by one certifying body: what its credentials will contain. */
export interface QualificationTableInput {
  /** `name` only for tables of credentials that carry it (those printed before 2026-11-27 did). */
  issuer: { did: string; name?: string | undefined; verificationMethods: readonly string[] };
  /** Status list credential URLs this issuer will put in `statusListCredential` (list 1, and spares ahead of time). */
  statusListUrls: readonly string[];
  qualification: {
    url: string;
    name: string;
    description: string;
    criteria: string;
    humanCode?: string | undefined;
    inLanguage?: string | undefined;
  };
  /** National level first, then the AQRF level when the registry maps one. */
  levels: ReadonlyArray<{ url: string; name: string; framework: string; code: string }>;
  units: ReadonlyArray<{ url: string; title: string }>;
  /** Anything else that recurs in this qualification's credentials (evidence wording, an occupation title). */
  extraStrings?: readonly string[];
}

/**
 * One registry entry per qualification keeps every id below 24 (anyURI) or 255 (`none`), the cheapest CBOR widths;
 * a single catalogue-wide table would push unit ids past 1000 and cost ~23 bytes per credential (qr-budget.md).
 */
export function qualificationTableSource(input: QualificationTableInput): TypeTableSource {
  const q = input.qualification;
  return {
    contexts: [VC_V2, OB_V3, TANDA_V1],
    urls: [input.issuer.did, ...input.issuer.verificationMethods, ...input.statusListUrls, q.url],
    anyUris: [...input.levels.map((l) => l.url), ...input.units.map((u) => u.url)],
    strings: [
      ...CODE_LIST_STRINGS,
      ...input.levels.flatMap((l) => [l.framework, l.code, l.name]),
      ...(input.issuer.name ? [input.issuer.name] : []),
      q.name,
      q.description,
      q.criteria,
      ...(q.humanCode ? [q.humanCode] : []),
      ...(q.inLanguage ? [q.inLanguage] : []),
      ...input.units.map((u) => u.title),
      ...(input.extraStrings ?? []),
    ],
  };
}
