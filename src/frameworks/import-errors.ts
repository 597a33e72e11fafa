import type { Executor } from '../db/database.js';
import { TandaError } from '../errors.js';

/** One problem in an import file. `row` is the CSV line or the 1-based position in the JSON list it came from. */
export interface ImportRowError {
  row: number | null;
  field?: string;
  message: string;
}

export function importFailed(errors: ImportRowError[]): TandaError {
  const shown = errors
    .slice(0, 5)
    .map((e) => `${e.row === null ? '' : `row ${e.row}: `}${e.field ? `${e.field}: ` : ''}${e.message}`)
    .join('; ');
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
  return new TandaError('import_failed', `${errors.length} error(s), nothing was imported: ${shown}${more}`, {
    details: { errors },
  });
}

/** All-or-nothing: reuse the caller's transaction, or open one. */
export async function inTransaction<T>(ex: Executor, fn: (tx: Executor) => Promise<T>): Promise<T> {
  return ex.isTransaction ? fn(ex) : ex.transaction().execute(fn);
}

/** A JSON import file's top level: an object, or an import error naming what was expected. */
export function parseJsonObject(text: string, expected: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw importFailed([{ row: null, message: `not valid JSON: ${(e as Error).message}` }]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw importFailed([{ row: null, message: `expected ${expected}` }]);
  }
  return value as Record<string, unknown>;
}
