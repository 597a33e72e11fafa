import { isTandaError } from '../../src/errors.js';
import type { ImportRowError } from '../../src/frameworks/import-errors.js';
import type { Executor } from '../../src/db/database.js';

/** Certifying bodies as the Foundation's core table holds them; the registry only references their ids. */
export async function insertIssuer(ex: Executor, id: string, country: string): Promise<string> {
  await ex
    .insertInto('issuers')
    .values({ id, name: `Body ${id}`, country, did: `did:key:z${id}`, did_method: 'key', url: null, created_at: '2024-01-01T00:00:00.000Z' })
    .execute();
  return id;
}

/** Row counts of every registry table: "database unchanged" in import tests means these are equal. */
export async function registryCounts(ex: Executor): Promise<Record<string, number>> {
  const tables = [
    'frameworks',
    'framework_levels',
    'mapping_tables',
    'mapping_entries',
    'units',
    'qualifications',
    'qualification_units',
    'accreditations',
    'assessment_centres',
  ] as const;
  const out: Record<string, number> = {};
  for (const t of tables) {
    const row = await ex.selectFrom(t).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(row.n);
  }
  return out;
}

/** Runs an import that must fail and returns its per-row errors. */
export async function rowErrors(run: () => Promise<unknown>): Promise<ImportRowError[]> {
  try {
    await run();
  } catch (e) {
    if (isTandaError(e) && e.code === 'import_failed') return (e.details as { errors: ImportRowError[] }).errors;
    throw e;
  }
  throw new Error('the import was expected to fail');
}
