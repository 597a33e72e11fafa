/*
 * Browser-safe. Bounds on a JSON document before any JSON-LD processing. jsonld's expansion and node map grow
 * worse than linearly with the number of nodes (38,000 `credentialSubject` entries in a 1 MB body held the event
 * loop for 34 s), and a byte limit alone cannot stop that: small values repeated many times stay under any sane
 * body limit. So the shape is bounded too: nesting depth, the length of any one array, and the number of JSON values
 * in all. The limits are far above any credential or presentation this product sees — a real Open Badges
 * credential is a few hundred values, a presentation of ten of them a few thousand, the Open Badges context itself
 * inlined 317 — and low enough that the largest document they admit verifies in well under a second.
 */

import { TandaError } from '../errors.js';

export interface DocumentLimits {
  /** Approximate size in bytes (string lengths, property names, a few bytes per other value). */
  maxBytes: number;
  /** Nesting of objects and arrays; the document itself is depth 1. */
  maxDepth: number;
  /** Elements of any one array. */
  maxArrayLength: number;
  /** JSON values in all (objects, arrays, strings, numbers, booleans, nulls). */
  maxNodes: number;
}

export const DOCUMENT_LIMITS: Readonly<DocumentLimits> = Object.freeze({
  maxBytes: 512 * 1024,
  maxDepth: 32,
  maxArrayLength: 1_000,
  maxNodes: 10_000,
});

/**
 * Request bodies of the public verify routes: room for the largest document the bounds admit (its JSON text runs
 * longer than the approximate size) and the options. A bigger body is refused from its Content-Length, before a
 * byte of it is parsed, so the 992 KB attack of issue #16 costs the event loop nothing.
 */
export const VERIFY_BODY_LIMIT = 768 * 1024;

export interface BoundsViolation {
  limit: keyof DocumentLimits;
  /** The bound that was exceeded. */
  max: number;
  /** JSON pointer of the first value found beyond it. */
  path: string;
  message: string;
}

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The first bound the document exceeds, or undefined. Iterative (an explicit stack, so hostile nesting cannot
 * overflow the call stack) and stops at the first excess, so a refusal costs at most `maxNodes` steps.
 */
export function documentBoundsViolation(document: unknown, limits: DocumentLimits = DOCUMENT_LIMITS): BoundsViolation | undefined {
  const stack: Array<[value: unknown, depth: number, path: string]> = [[document, 1, '']];
  let nodes = 0;
  let bytes = 0;
  const violation = (limit: keyof DocumentLimits, path: string, what: string): BoundsViolation => ({
    limit,
    max: limits[limit],
    path,
    message: `the document is too complex to verify: ${what} (at ${path || '/'})`,
  });
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop()!;
    nodes += 1;
    if (nodes > limits.maxNodes) return violation('maxNodes', path, `more than ${limits.maxNodes} JSON values`);
    if (typeof value === 'string') {
      bytes += value.length + 2;
    } else if (typeof value === 'object' && value !== null) {
      if (depth > limits.maxDepth) return violation('maxDepth', path, `nested deeper than ${limits.maxDepth} levels`);
      bytes += 2;
      if (Array.isArray(value)) {
        if (value.length > limits.maxArrayLength) return violation('maxArrayLength', path, `an array of ${value.length} elements, more than ${limits.maxArrayLength}`);
        for (let i = value.length - 1; i >= 0; i -= 1) stack.push([value[i], depth + 1, `${path}/${i}`]);
      } else {
        for (const key of Object.keys(value)) {
          bytes += key.length + 3;
          stack.push([(value as Record<string, unknown>)[key], depth + 1, `${path}/${escape(key)}`]);
        }
      }
    } else {
      bytes += 8;
    }
    if (bytes > limits.maxBytes) return violation('maxBytes', path, `larger than ${Math.round(limits.maxBytes / 1024)} KB`);
  }
  return undefined;
}

/** For the edges (HTTP, issuance): refuses a document beyond the bounds with document_too_complex. */
export function assertDocumentBounds(document: unknown, limits: DocumentLimits = DOCUMENT_LIMITS): void {
  const violation = documentBoundsViolation(document, limits);
  if (violation) throw new TandaError('document_too_complex', violation.message, { details: violation });
}
