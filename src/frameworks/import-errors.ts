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
