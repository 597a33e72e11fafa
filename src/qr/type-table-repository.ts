import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import {
  FIRST_REGISTRY_ENTRY_ID,
  normalizeTypeTableSource,
  parseTypeTableSource,
  typeTableLoaderFrom,
  type TypeTableEntry,
  type TypeTableLoader,
  type TypeTableSource,
} from './type-table.js';

/** Server side only (kysely): the browser verifier gets the same entries from the trust bundle. */
export interface StoredTypeTable extends TypeTableEntry {
  qualificationId: string;
  createdAt: string;
}

type Row = { registry_entry_id: number; qualification_id: string; source_json: string; created_at: string };

const toEntry = (row: Row): StoredTypeTable => ({
  registryEntryId: Number(row.registry_entry_id),
  qualificationId: row.qualification_id,
  source: parseTypeTableSource(JSON.parse(row.source_json)),
  createdAt: row.created_at,
});

/** Newest table of a qualification (its current version), if any. */
export async function latestTypeTable(executor: Executor, qualificationId: string): Promise<StoredTypeTable | undefined> {
  const row = await executor
    .selectFrom('qr_type_tables')
    .selectAll()
    .where('qualification_id', '=', qualificationId)
    .orderBy('registry_entry_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toEntry(row) : undefined;
}

/** The newest table of each of these qualifications (one query for the version numbers, one for the rows). */
export async function latestTypeTables(executor: Executor, qualificationIds: readonly string[]): Promise<Map<string, StoredTypeTable>> {
  const out = new Map<string, StoredTypeTable>();
  for (let i = 0; i < qualificationIds.length; i += 500) {
    const chunk = qualificationIds.slice(i, i + 500);
    const newest = await executor
      .selectFrom('qr_type_tables')
      .select((eb) => eb.fn.max('registry_entry_id').as('id'))
      .where('qualification_id', 'in', chunk)
      .groupBy('qualification_id')
      .execute();
    const ids = newest.map((r) => Number(r.id));
    if (ids.length === 0) continue;
    for (const row of await executor.selectFrom('qr_type_tables').selectAll().where('registry_entry_id', 'in', ids).execute()) {
      out.set(row.qualification_id, toEntry(row));
    }
  }
  return out;
}

/**
 * A new table version for a qualification (awards/type-tables.ts publishes them from the registry). Rows are never
 * changed: credentials already printed keep decoding with their own registry entry id; new ones use the newest.
 */
export async function addTypeTableVersion(executor: Executor, qualificationId: string, source: TypeTableSource): Promise<StoredTypeTable> {
  const sourceJson = JSON.stringify(normalizeTypeTableSource(source));
  // Ids are taken as max + 1; a concurrent insert of the same id is skipped by ON CONFLICT (no error that would
  // abort the caller's transaction on PostgreSQL) and we try the next one.
  for (let attempt = 0; attempt < 20; attempt++) {
    const { max } = await executor
      .selectFrom('qr_type_tables')
      .select((eb) => eb.fn.max('registry_entry_id').as('max'))
      .executeTakeFirstOrThrow();
    const registryEntryId = Math.max(FIRST_REGISTRY_ENTRY_ID, max === null ? 0 : Number(max) + 1);
    const row: Row = { registry_entry_id: registryEntryId, qualification_id: qualificationId, source_json: sourceJson, created_at: nowIso() };
    const result = await executor
      .insertInto('qr_type_tables')
      .values(row)
      .onConflict((oc) => oc.column('registry_entry_id').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 1) return toEntry(row);
  }
  throw new TandaError('conflict', 'could not allocate a CBOR-LD registry entry id');
}

/** Every table, oldest first, as plain JSON for the trust bundle. */
export async function exportTypeTables(executor: Executor): Promise<StoredTypeTable[]> {
  const rows = await executor.selectFrom('qr_type_tables').selectAll().orderBy('registry_entry_id').execute();
  return rows.map(toEntry);
}

/** A loader over the database, for decoding on the server (each entry read once, then kept: rows never change). */
export function typeTableLoaderFromDb(executor: Executor): TypeTableLoader {
  const loaded = new Map<number, TypeTableLoader>();
  return async ({ registryEntryId }) => {
    let loader = loaded.get(registryEntryId);
    if (!loader) {
      if (!Number.isSafeInteger(registryEntryId) || registryEntryId < FIRST_REGISTRY_ENTRY_ID) return undefined;
      const row = await executor.selectFrom('qr_type_tables').selectAll().where('registry_entry_id', '=', registryEntryId).executeTakeFirst();
      if (!row) return undefined;
      loader = typeTableLoaderFrom([toEntry(row)]);
      loaded.set(registryEntryId, loader);
    }
    return loader({ registryEntryId });
  };
}
