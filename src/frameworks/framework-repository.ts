import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { frameworkFromRows, mappingTableFromRow } from './rows.js';
import type { Framework, MappingEntry, MappingTable } from './types.js';

export async function listFrameworks(ex: Executor, filter: { country?: string } = {}): Promise<Framework[]> {
  let q = ex.selectFrom('frameworks').selectAll();
  if (filter.country) q = q.where('country', '=', filter.country);
  const rows = await q.orderBy('id').execute();
  if (rows.length === 0) return [];
  const levels = await ex
    .selectFrom('framework_levels')
    .selectAll()
    .where('framework_id', 'in', rows.map((r) => r.id))
    .execute();
  return rows.map((r) => frameworkFromRows(r, levels));
}

export async function getFramework(ex: Executor, id: string): Promise<Framework | undefined> {
  const row = await ex.selectFrom('frameworks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const levels = await ex.selectFrom('framework_levels').selectAll().where('framework_id', '=', id).execute();
  return frameworkFromRows(row, levels);
}

/** Inserts a framework and its levels; an existing id is left as it is (frameworks are seeded reference data). */
export async function insertFrameworkIfAbsent(ex: Executor, f: Framework): Promise<boolean> {
  const exists = await ex.selectFrom('frameworks').select('id').where('id', '=', f.id).executeTakeFirst();
  if (exists) return false;
  await ex
    .insertInto('frameworks')
    .values({
      id: f.id,
      acronym: f.acronym,
      name: JSON.stringify(f.name),
      country: f.country,
      kind: f.kind,
      descriptor_domains: JSON.stringify(f.descriptorDomains),
      referencing_status: f.referencingStatus,
      sources: JSON.stringify(f.sources),
      confidence: f.confidence,
      gaps: f.gaps ?? null,
      created_at: nowIso(),
    })
    .execute();
  if (f.levels.length > 0) {
    await ex
      .insertInto('framework_levels')
      .values(
        f.levels.map((l) => ({
          framework_id: f.id,
          level: l.level,
          title: l.title ? JSON.stringify(l.title) : null,
          descriptors: l.descriptors ? JSON.stringify(l.descriptors) : null,
          source: l.source ?? null,
          confidence: l.confidence ?? null,
        })),
      )
      .execute();
  }
  return true;
}

export async function listMappingTables(ex: Executor, filter: { frameworkId?: string } = {}): Promise<MappingTable[]> {
  let q = ex.selectFrom('mapping_tables').selectAll();
  if (filter.frameworkId) q = q.where('framework_id', '=', filter.frameworkId);
  const rows = await q.orderBy('framework_id').orderBy('valid_from').orderBy('created_at').execute();
  if (rows.length === 0) return [];
  const entries = await ex
    .selectFrom('mapping_entries')
    .selectAll()
    .where('table_id', 'in', rows.map((r) => r.id))
    .execute();
  const byTable = new Map<string, MappingEntry[]>();
  for (const e of entries) {
    const list = byTable.get(e.table_id) ?? [];
    list.push({ nationalLevel: Number(e.national_level), aqrfLevel: Number(e.aqrf_level) });
    byTable.set(e.table_id, list);
  }
  return rows.map((r) => mappingTableFromRow(r, byTable.get(r.id) ?? []));
}

export async function insertMappingTable(ex: Executor, t: MappingTable, createdBy: string | null): Promise<void> {
  await ex
    .insertInto('mapping_tables')
    .values({
      id: t.id,
      framework_id: t.frameworkId,
      status: t.status,
      source: t.source,
      citation: t.citation,
      valid_from: t.validFrom,
      valid_until: t.validUntil,
      created_at: t.createdAt,
      created_by: createdBy,
    })
    .execute();
  await ex
    .insertInto('mapping_entries')
    .values(t.entries.map((e) => ({ table_id: t.id, national_level: e.nationalLevel, aqrf_level: e.aqrfLevel })))
    .execute();
}
