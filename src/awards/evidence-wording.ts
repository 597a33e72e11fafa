import { ASSESSMENT_METHODS, METHOD_LABELS, type AssessmentMethod } from '../rpl/assessment.js';

/**
 * The credential's `evidence[]` wording, split so that each part comes from a small set the registry knows ahead of
 * time: `name` is where ("RPL, Hong Kong, HK": a body's assessment centre, or a country), `description` is how (the
 * methods, one of 31 combinations). Both are then in the qualification's QR type table before the first award, so a
 * cohort's wording never makes a new table version (one string "RPL, Hong Kong, HK: interview, observation" varied
 * with every place and method set, and each new one made a table version verifiers had not seen yet).
 */
export interface EvidenceWording {
  name: string;
  description: string;
}

export const evidencePlace = (...parts: Array<string | null | undefined>): string => {
  const where = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(', ');
  return where ? `RPL, ${where}` : 'RPL';
};

// Methods in one fixed order (by key, as before the split), not the order they were recorded: one set, one wording.
const ORDER = [...ASSESSMENT_METHODS].sort();

export const methodWording = (methods: Iterable<AssessmentMethod>): string => {
  const used = new Set(methods);
  const labels = ORDER.filter((m) => used.has(m)).map((m) => METHOD_LABELS[m]);
  return labels.length ? labels.join(', ') : 'assessed';
};

export function evidenceWording(methods: Iterable<AssessmentMethod>, place: { city?: string | null; country?: string | null }): EvidenceWording {
  return { name: evidencePlace(place.city, place.country), description: methodWording(methods) };
}

/** Every method wording (2^5 − 1 sets), for the type tables. */
export function allMethodWordings(): string[] {
  const out: string[] = [];
  for (let mask = 1; mask < 1 << ASSESSMENT_METHODS.length; mask++) {
    out.push(methodWording(ORDER.filter((_, i) => mask & (1 << i))));
  }
  return out;
}
