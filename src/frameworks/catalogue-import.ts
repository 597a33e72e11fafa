import { parse as parseCsv } from 'csv-parse/sync';
import type { Insertable } from 'kysely';
import type { Executor } from '../db/database.js';
import { getFramework } from './framework-repository.js';
import { importFailed, inTransaction, type ImportRowError, parseJsonObject } from './import-errors.js';
import type { QualificationsTable, UnitsTable } from './tables.js';
import type { Confidence, Framework, LocalizedText, Occupation } from './types.js';
import { qualificationUrl, unitUrl } from './urls.js';
import { authorize, type Actor } from '../policy/policy.js';

export interface UnitInput {
  /** Where it came from in the file (CSV line, or 1-based list position for JSON). */
  row?: number;
  id?: string;
  code?: unknown;
  titles?: unknown;
  scheme?: unknown;
  source?: unknown;
  confidence?: unknown;
}

export interface QualificationInput {
  row?: number;
  id?: unknown;
  slug?: unknown;
  code?: unknown;
  titles?: unknown;
  descriptions?: unknown;
  frameworkId?: unknown;
  nationalLevel?: unknown;
  sector?: unknown;
  occupation?: unknown;
  awardRule?: unknown;
  validityYears?: unknown;
  /** Unit codes. */
  core?: unknown;
  electives?: unknown;
  source?: unknown;
}

export interface CatalogueInput {
  /** Marks every entry of the file as demonstration data. */
  demo?: boolean;
  units?: UnitInput[];
  qualifications?: QualificationInput[];
}

export interface CatalogueImportResult {
  unitsCreated: number;
  qualificationsCreated: number;
  /** Entries already present with identical content (re-importing a file is harmless). */
  unchanged: number;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9.:_-]{0,63}$/;
const LANG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const CONFIDENCE: Confidence[] = ['sourced', 'moderate', 'uncertain'];

export function parseCatalogueJson(text: string): CatalogueInput {
  return parseJsonObject(text, 'an object with `units` and `qualifications` lists') as unknown as CatalogueInput;
}

/**
 * CSV: one line per (qualification, unit) pair, so a spreadsheet of a training regulation imports as it is.
 * Qualification columns repeat on every line of the qualification and must agree. Columns: qualification_code,
 * qualification_slug, framework, national_level, sector, electives_required, validity_years, isco08, isco08_title,
 * esco_uri, title_<lang>…, unit_code, unit_kind (core|elective), unit_scheme, unit_title_<lang>…
 */
export function parseCatalogueCsv(text: string, options: { demo?: boolean } = {}): CatalogueInput {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true });
  } catch (e) {
    throw importFailed([{ row: null, message: `not valid CSV: ${(e as Error).message}` }]);
  }
  const errors: ImportRowError[] = [];
  const header = records[0] ? Object.keys(records[0].record) : [];
  for (const col of ['qualification_code', 'framework', 'national_level', 'sector', 'unit_code', 'unit_kind']) {
    if (records.length > 0 && !header.includes(col)) errors.push({ row: 1, field: col, message: 'missing column' });
  }
  if (errors.length > 0) throw importFailed(errors);

  const titlesOf = (r: Record<string, string>, prefix: string): LocalizedText =>
    Object.fromEntries(
      Object.entries(r)
        .filter(([k, v]) => k.startsWith(prefix) && v !== '' && LANG.test(k.slice(prefix.length)))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  const units = new Map<string, UnitInput>();
  const quals = new Map<string, QualificationInput & { core: string[]; electives: string[]; signature: string }>();
  for (const { record: r, info } of records) {
    const row = info.lines;
    const unitCode = r.unit_code ?? '';
    if (!units.has(unitCode)) {
      units.set(unitCode, { row, code: unitCode, titles: titlesOf(r, 'unit_title_'), scheme: r.unit_scheme || undefined });
    }
    const q: QualificationInput = {
      row,
      code: r.qualification_code,
      ...(r.qualification_slug ? { slug: r.qualification_slug } : {}),
      titles: titlesOf(r, 'title_'),
      frameworkId: r.framework,
      nationalLevel: r.national_level,
      sector: r.sector,
      awardRule: { electives: r.electives_required ? Number(r.electives_required) : 0 },
      ...(r.validity_years ? { validityYears: Number(r.validity_years) } : {}),
      ...(r.isco08 ? { occupation: { isco08: r.isco08, title: r.isco08_title ?? '', escoUri: r.esco_uri || null } } : {}),
    };
    const signature = JSON.stringify({ ...q, row: 0 });
    const code = String(q.code);
    let entry = quals.get(code);
    if (!entry) {
      entry = { ...q, core: [], electives: [], signature };
      quals.set(code, entry);
    } else if (entry.signature !== signature) {
      errors.push({ row, field: 'qualification', message: `the columns of ${code} differ from its first line (${entry.row})` });
    }
    if (r.unit_kind === 'core') entry.core.push(unitCode);
    else if (r.unit_kind === 'elective') entry.electives.push(unitCode);
    else errors.push({ row, field: 'unit_kind', message: 'must be core or elective' });
  }
  if (errors.length > 0) throw importFailed(errors);
  return {
    ...(options.demo ? { demo: true } : {}),
    units: [...units.values()],
    qualifications: [...quals.values()].map(({ signature: _s, ...q }) => q),
  };
}

const isText = (v: unknown): v is LocalizedText =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 &&
  Object.entries(v).every(([k, t]) => LANG.test(k) && typeof t === 'string' && t.trim() !== '');
const optString = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const asInt = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
};

function searchText(code: string, titles: LocalizedText, units: { code: string; titles: LocalizedText }[]): string {
  return [code, ...Object.values(titles), ...units.flatMap((u) => [u.code, ...Object.values(u.titles)])].join(' | ').toLowerCase();
}

/** Content of a unit or qualification row, without timestamps: equal content means "already imported". */
const sameContent = (a: object, b: object) => {
  const strip = ({ created_at: _c, ...rest }: Record<string, unknown>) => JSON.stringify(rest, Object.keys(rest).sort());
  return strip(a as Record<string, unknown>) === strip(b as Record<string, unknown>);
};

/**
 * Imports units and qualifications in one transaction: every row is validated first and any error aborts the whole
 * file. Catalogue entries are immutable once published (credentials point at them by URL), so a row that differs
 * from an existing entry with the same id or code is a conflict, while an identical row is left alone.
 */
export async function importCatalogue(ex: Executor, actor: Actor, input: CatalogueInput, options: { now?: string } = {}): Promise<CatalogueImportResult> {
  authorize(actor, 'manage', { kind: 'registry' });
  const now = options.now ?? new Date().toISOString();
  const demo = input.demo === true ? 1 : 0;
  return inTransaction(ex, async (tx) => {
    const errors: ImportRowError[] = [];
    const err = (row: number | null, field: string, message: string) => errors.push({ row, field, message });
    const result: CatalogueImportResult = { unitsCreated: 0, qualificationsCreated: 0, unchanged: 0 };
    if (!Array.isArray(input.units ?? []) || !Array.isArray(input.qualifications ?? [])) {
      throw importFailed([{ row: null, message: '`units` and `qualifications` must be lists' }]);
    }

    // Units
    const unitRows = new Map<string, Insertable<UnitsTable>>();
    const newUnits: Insertable<UnitsTable>[] = [];
    for (const [i, u] of (input.units ?? []).entries()) {
      const row = u.row ?? i + 1;
      const code = typeof u.code === 'string' ? u.code.trim() : '';
      if (!CODE.test(code)) err(row, 'unit.code', `"${String(u.code ?? '')}" is not a unit code`);
      if (!isText(u.titles)) err(row, 'unit.titles', 'needs at least one title, keyed by language tag');
      const scheme = optString(u.scheme);
      if (!scheme) err(row, 'unit.scheme', 'required (e.g. ACCSTP, TESDA TR, SKKNI, NOSS)');
      const confidence = (u.confidence ?? 'sourced') as Confidence;
      if (!CONFIDENCE.includes(confidence)) err(row, 'unit.confidence', `must be one of ${CONFIDENCE.join(', ')}`);
      if (!code || !isText(u.titles) || !scheme) continue;
      if (unitRows.has(code)) {
        err(row, 'unit.code', `${code} appears twice in the file`);
        continue;
      }
      const values: Insertable<UnitsTable> = {
        id: u.id ?? unitUrl(code),
        code,
        titles: JSON.stringify(u.titles),
        scheme,
        source: optString(u.source),
        confidence,
        demo,
        created_at: now,
      };
      unitRows.set(code, values);
      const existing = await tx.selectFrom('units').selectAll().where((eb) => eb.or([eb('code', '=', code), eb('id', '=', values.id)])).executeTakeFirst();
      if (!existing) newUnits.push(values);
      else if (sameContent(existing, values)) result.unchanged++;
      else err(row, 'unit.code', `${code} already exists with different content; publish a new unit code instead of changing it`);
    }

    // Qualifications
    const frameworks = new Map<string, Framework | undefined>();
    const seenCodes = new Set<string>();
    const newQuals: { values: Insertable<QualificationsTable>; links: { unit_id: string; kind: string; position: number }[] }[] = [];
    for (const [i, q] of (input.qualifications ?? []).entries()) {
      const row = q.row ?? i + 1;
      const code = typeof q.code === 'string' ? q.code.trim() : '';
      if (!CODE.test(code)) err(row, 'qualification.code', `"${String(q.code ?? '')}" is not a qualification code`);
      else if (seenCodes.has(code)) err(row, 'qualification.code', `${code} appears twice in the file`);
      seenCodes.add(code);
      const slug = optString(q.slug);
      const id = optString(q.id) ?? (slug ? qualificationUrl(slug) : null);
      if (!id || !/^https?:\/\/\S+$/.test(id)) err(row, 'qualification.id', 'give a stable URL `id` or a `slug`');
      if (!isText(q.titles)) err(row, 'qualification.titles', 'needs at least one title, keyed by language tag');
      if (q.descriptions != null && !isText(q.descriptions)) err(row, 'qualification.descriptions', 'must be text keyed by language tag');
      const frameworkId = optString(q.frameworkId) ?? '';
      if (!frameworks.has(frameworkId)) frameworks.set(frameworkId, frameworkId ? await getFramework(tx, frameworkId) : undefined);
      const framework = frameworks.get(frameworkId);
      const level = asInt(q.nationalLevel);
      if (!framework) err(row, 'qualification.frameworkId', frameworkId ? `unknown framework ${frameworkId}` : 'required');
      else if (!framework.country) err(row, 'qualification.frameworkId', 'a qualification belongs to a national framework, not to the AQRF');
      else if (level === undefined || !framework.levels.some((l) => l.level === level)) {
        err(row, 'qualification.nationalLevel', `${framework.acronym} has no level ${String(q.nationalLevel)}`);
      }
      const sector = optString(q.sector);
      if (!sector) err(row, 'qualification.sector', 'required');
      const occupation = q.occupation as Partial<Occupation> | undefined | null;
      if (occupation != null && (typeof occupation.isco08 !== 'string' || !/^\d{4}$/.test(occupation.isco08) || !optString(occupation.title))) {
        err(row, 'qualification.occupation', 'needs a 4-digit ISCO-08 unit group `isco08` and its `title`');
      }
      const validityYears = q.validityYears == null ? null : asInt(q.validityYears);
      if (validityYears === undefined || (validityYears !== null && (validityYears < 1 || validityYears > 50))) {
        err(row, 'qualification.validityYears', 'must be a whole number of years (1–50) or absent');
      }

      const core = Array.isArray(q.core) ? q.core.map(String) : [];
      const electives = Array.isArray(q.electives) ? q.electives.map(String) : [];
      if (core.length === 0) err(row, 'qualification.core', 'at least one core unit is required');
      const electivesRequired = asInt((q.awardRule as { electives?: unknown } | undefined)?.electives ?? 0);
      if (electivesRequired === undefined || electivesRequired < 0 || electivesRequired > electives.length) {
        err(row, 'qualification.awardRule', `electives required must be between 0 and the ${electives.length} elective unit(s) listed`);
      }
      const listed = [...core, ...electives];
      const dup = listed.find((c, k) => listed.indexOf(c) !== k);
      if (dup) err(row, 'qualification.units', `unit ${dup} is listed twice`);
      const known = new Map([...unitRows].map(([c, v]) => [c, { id: v.id, code: c, titles: JSON.parse(v.titles) as LocalizedText }]));
      const missing = listed.filter((c) => !known.has(c));
      if (missing.length > 0) {
        const found = await tx.selectFrom('units').select(['id', 'code', 'titles']).where('code', 'in', missing).execute();
        for (const f of found) known.set(f.code, { id: f.id, code: f.code, titles: JSON.parse(f.titles) });
        const unknown = missing.filter((c) => !known.has(c));
        if (unknown.length > 0) err(row, 'qualification.units', `unknown unit code(s): ${unknown.join(', ')}`);
      }
      if (!id || !framework?.country || level === undefined || !sector || !isText(q.titles) || !CODE.test(code)) continue;
      if (listed.some((c) => !known.has(c)) || validityYears === undefined) continue;

      const unitsOf = listed.map((c) => known.get(c)!);
      const values: Insertable<QualificationsTable> = {
        id,
        code,
        titles: JSON.stringify(q.titles),
        descriptions: q.descriptions ? JSON.stringify(q.descriptions) : null,
        framework_id: framework.id,
        national_level: level,
        country: framework.country,
        sector,
        occupation: occupation ? JSON.stringify({ isco08: occupation.isco08, title: occupation.title, escoUri: occupation.escoUri ?? null }) : null,
        award_rule: JSON.stringify({ electives: electivesRequired ?? 0 }),
        validity_years: validityYears,
        languages: `,${Object.keys(q.titles).join(',')},`,
        search_text: searchText(code, q.titles, unitsOf),
        source: optString(q.source),
        demo,
        created_at: now,
      };
      const links = unitsOf.map((u, k) => ({ unit_id: u.id, kind: k < core.length ? 'core' : 'elective', position: k }));
      const existing = await tx.selectFrom('qualifications').selectAll().where((eb) => eb.or([eb('code', '=', code), eb('id', '=', id)])).executeTakeFirst();
      if (!existing) {
        newQuals.push({ values, links });
        continue;
      }
      const existingLinks = await tx
        .selectFrom('qualification_units')
        .select(['unit_id', 'kind', 'position'])
        .where('qualification_id', '=', existing.id)
        .orderBy('position')
        .execute();
      const sameLinks = JSON.stringify(existingLinks.map((l) => [l.unit_id, l.kind, Number(l.position)])) === JSON.stringify(links.map((l) => [l.unit_id, l.kind, l.position]));
      if (sameContent({ ...existing, national_level: Number(existing.national_level), demo: Number(existing.demo) }, values) && sameLinks) result.unchanged++;
      else err(row, 'qualification.code', `${code} already exists with different content; publish a new code or version instead of changing it`);
    }

    if (errors.length > 0) throw importFailed(errors);
    if (newUnits.length > 0) await tx.insertInto('units').values(newUnits).execute();
    for (const { values, links } of newQuals) {
      await tx.insertInto('qualifications').values(values).execute();
      await tx.insertInto('qualification_units').values(links.map((l) => ({ ...l, qualification_id: values.id }))).execute();
    }
    result.unitsCreated = newUnits.length;
    result.qualificationsCreated = newQuals.length;
    return result;
  });
}
