import { parse as parseCsv } from 'csv-parse/sync';
import type { Executor } from '../db/database.js';
import { toInstant } from './dates.js';
import { getFramework, insertMappingTable, listMappingTables } from './framework-repository.js';
import { importFailed, inTransaction, type ImportRowError, parseJsonObject } from './import-errors.js';
import type { MappingStatus, MappingTable } from './types.js';
import { AQRF_ID } from './urls.js';
import { authorize, type Actor } from '../policy/policy.js';

/** Table metadata; in JSON it sits beside `entries`, for CSV it comes from CLI flags or query parameters. */
export interface MappingTableMeta {
  id?: string;
  frameworkId?: string;
  status?: string;
  source?: string;
  citation?: string | null;
  validFrom?: string;
  validUntil?: string | null;
}

export interface MappingTableInput extends MappingTableMeta {
  entries?: unknown;
}

interface RawEntry {
  row: number;
  nationalLevel: unknown;
  aqrfLevel: unknown;
}

export interface MappingImportOptions {
  /** Import time: a table may not take effect before it (default: the clock). */
  now?: string;
  createdBy?: string | null;
}

const AQRF_LEVELS = 8;

export function parseMappingJson(text: string): MappingTableInput {
  return parseJsonObject(text, 'one mapping table object') as unknown as MappingTableInput;
}

/** CSV with a header row `national_level,aqrf_level`; the table's metadata is passed separately. */
export function parseMappingCsv(text: string, meta: MappingTableMeta): MappingTableInput {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true });
  } catch (e) {
    throw importFailed([{ row: null, message: `not valid CSV: ${(e as Error).message}` }]);
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  if (records.length > 0 && (!header.includes('national_level') || !header.includes('aqrf_level'))) {
    throw importFailed([{ row: 1, message: `the header must name national_level and aqrf_level (found: ${header.join(', ')})` }]);
  }
  return {
    ...meta,
    entries: records.map((r) => ({ row: r.info.lines, nationalLevel: r.record.national_level, aqrfLevel: r.record.aqrf_level })),
  };
}

const asInt = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
};

/**
 * Validates and stores a new mapping table version. Never updates an existing table: a correction is a new version
 * that takes effect from its own start date, which may not lie before the import time nor before the newest
 * existing version, so no credential already issued is ever checked against a table it was not issued under.
 */
export async function importMappingTable(
  ex: Executor,
  actor: Actor,
  input: MappingTableInput,
  options: MappingImportOptions = {},
): Promise<MappingTable> {
  authorize(actor, 'manage', { kind: 'registry' });
  const now = options.now ?? new Date().toISOString();
  return inTransaction(ex, async (tx) => {
    const errors: ImportRowError[] = [];
    const err = (field: string, message: string, row: number | null = null) => errors.push({ row, field, message });

    const frameworkId = typeof input.frameworkId === 'string' ? input.frameworkId : '';
    const framework = frameworkId ? await getFramework(tx, frameworkId) : undefined;
    if (!frameworkId) err('frameworkId', 'required');
    else if (!framework) err('frameworkId', `unknown framework ${frameworkId}`);
    else if (framework.id === AQRF_ID) err('frameworkId', 'the AQRF is the target of a mapping, not its source');
    else if (framework.levels.length === 0) err('frameworkId', `${frameworkId} has no levels in the registry to map`);

    const status = input.status as MappingStatus;
    if (status !== 'official' && status !== 'provisional') err('status', 'must be official or provisional');
    const source = typeof input.source === 'string' ? input.source.trim() : '';
    if (!source) err('source', 'required: where the table comes from');
    const citation = typeof input.citation === 'string' && input.citation.trim() ? input.citation.trim() : null;
    if (status === 'official' && !citation) {
      err('citation', 'an official table needs the citation of the endorsed referencing report (section and page)');
    }

    const validFrom = input.validFrom === undefined ? now : toInstant(String(input.validFrom));
    const validUntil = input.validUntil == null ? null : toInstant(String(input.validUntil));
    if (!validFrom) err('validFrom', 'must be a date (YYYY-MM-DD) or an ISO date-time');
    if (input.validUntil != null && !validUntil) err('validUntil', 'must be a date (YYYY-MM-DD) or an ISO date-time');
    if (validFrom && validUntil && validUntil <= validFrom) err('validUntil', 'must be after validFrom');
    if (validFrom && validFrom < now) {
      err('validFrom', `may not lie before the import time (${now}): credentials already issued keep the table they were checked against`);
    }
    if (validFrom && framework) {
      const newest = (await listMappingTables(tx, { frameworkId: framework.id })).at(-1);
      if (newest && validFrom < newest.validFrom) {
        err('validFrom', `may not lie before the newest ${framework.id} table ${newest.id} (valid from ${newest.validFrom})`);
      }
    }

    const id = typeof input.id === 'string' && input.id.trim() ? input.id.trim() : `${frameworkId}-${(validFrom ?? now).slice(0, 10)}-${status}`;
    if (!/^[a-z0-9][a-z0-9._-]{0,99}$/.test(id)) err('id', 'use lower-case letters, digits, dot, dash or underscore');
    else if (await tx.selectFrom('mapping_tables').select('id').where('id', '=', id).executeTakeFirst()) {
      err('id', `table ${id} already exists; tables are never rewritten, import a new version with a new id`);
    }

    const entries = Array.isArray(input.entries) ? input.entries : undefined;
    if (!entries || entries.length === 0) err('entries', 'at least one national level → AQRF level row is required');
    const levels = new Set(framework?.levels.map((l) => l.level));
    const seen = new Map<number, number>();
    const parsed = (entries ?? []).map((raw: unknown, i) => {
      const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<RawEntry>;
      const row = typeof e.row === 'number' ? e.row : i + 1;
      const national = asInt(e.nationalLevel);
      const aqrf = asInt(e.aqrfLevel);
      if (national === undefined) err('nationalLevel', 'must be an integer', row);
      else if (framework && !levels.has(national)) err('nationalLevel', `${framework.acronym} has no level ${national}`, row);
      else if (seen.has(national)) err('nationalLevel', `level ${national} is mapped twice (first on row ${seen.get(national)})`, row);
      else seen.set(national, row);
      if (aqrf === undefined || aqrf < 1 || aqrf > AQRF_LEVELS) err('aqrfLevel', `must be an integer from 1 to ${AQRF_LEVELS}`, row);
      return { nationalLevel: national ?? 0, aqrfLevel: aqrf ?? 0 };
    });

    if (errors.length > 0) throw importFailed(errors);
    const table: MappingTable = {
      id,
      frameworkId,
      status,
      source,
      citation,
      validFrom: validFrom!,
      validUntil: validUntil ?? null,
      createdAt: now,
      entries: parsed,
    };
    await insertMappingTable(tx, table, options.createdBy ?? null);
    return table;
  });
}
