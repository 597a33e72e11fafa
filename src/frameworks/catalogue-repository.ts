import { sql, type Selectable } from 'kysely';
import type { Executor } from '../db/database.js';
import { qualificationFromRow } from './rows.js';
import type { QualificationsTable } from './tables.js';
import type { Qualification, QualificationUnit, Unit, UnitKind, Confidence } from './types.js';

export interface QualificationSearch {
  /** Matches codes and titles of the qualification and of its units, case-insensitively. */
  q?: string;
  sector?: string;
  country?: string;
  /** Only qualifications with a title in this language. */
  lang?: string;
  frameworkId?: string;
  limit?: number;
  offset?: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchQualifications(ex: Executor, s: QualificationSearch = {}): Promise<Qualification[]> {
  let q = ex.selectFrom('qualifications').selectAll();
  if (s.q?.trim()) q = q.where(sql<boolean>`search_text like ${`%${likeEscape(s.q.trim().toLowerCase())}%`} escape '\\'`);
  if (s.sector) q = q.where('sector', '=', s.sector);
  if (s.country) q = q.where('country', '=', s.country.toUpperCase());
  if (s.lang) q = q.where('languages', 'like', `%,${likeEscape(s.lang)},%`);
  if (s.frameworkId) q = q.where('framework_id', '=', s.frameworkId);
  const rows = await q
    .orderBy('code')
    .limit(Math.min(Math.max(s.limit ?? 50, 1), 200))
    .offset(Math.max(s.offset ?? 0, 0))
    .execute();
  return hydrate(ex, rows);
}

export async function getQualification(ex: Executor, id: string): Promise<Qualification | undefined> {
  const rows = await ex.selectFrom('qualifications').selectAll().where('id', '=', id).execute();
  return (await hydrate(ex, rows))[0];
}

export async function getQualificationByCode(ex: Executor, code: string): Promise<Qualification | undefined> {
  const rows = await ex.selectFrom('qualifications').selectAll().where('code', '=', code).execute();
  return (await hydrate(ex, rows))[0];
}

export async function listAllQualifications(ex: Executor): Promise<Qualification[]> {
  return hydrate(ex, await ex.selectFrom('qualifications').selectAll().orderBy('code').execute());
}

async function hydrate(ex: Executor, rows: Selectable<QualificationsTable>[]): Promise<Qualification[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const links = await ex
    .selectFrom('qualification_units as qu')
    .innerJoin('units as u', 'u.id', 'qu.unit_id')
    .select(['qu.qualification_id', 'qu.unit_id', 'qu.kind', 'qu.position', 'u.code', 'u.titles'])
    .where('qu.qualification_id', 'in', ids)
    .orderBy('qu.qualification_id')
    .orderBy('qu.position')
    .execute();
  const frameworks = await ex
    .selectFrom('frameworks')
    .select(['id', 'acronym'])
    .where('id', 'in', [...new Set(rows.map((r) => r.framework_id))])
    .execute();
  const acronym = new Map(frameworks.map((f) => [f.id, f.acronym]));
  const units = new Map<string, QualificationUnit[]>();
  for (const l of links) {
    const list = units.get(l.qualification_id) ?? [];
    list.push({ unitId: l.unit_id, code: l.code, titles: JSON.parse(l.titles), kind: l.kind as UnitKind });
    units.set(l.qualification_id, list);
  }
  return rows.map((r) => qualificationFromRow(r, acronym.get(r.framework_id) ?? r.framework_id, units.get(r.id) ?? []));
}

export async function getUnitsByCodes(ex: Executor, codes: readonly string[]): Promise<Unit[]> {
  if (codes.length === 0) return [];
  const rows = await ex.selectFrom('units').selectAll().where('code', 'in', [...codes]).execute();
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    titles: JSON.parse(r.titles),
    scheme: r.scheme,
    source: r.source,
    confidence: r.confidence as Confidence,
    demo: Number(r.demo) === 1,
  }));
}
