import type { MappingEntry, MappingTable } from './types.js';
import { inPeriod } from './dates.js';

/**
 * The table in force for a framework at an instant: among the tables whose validity covers it, the one that
 * started last. Tables never overlap backwards (the importer refuses a table starting before an existing one),
 * so "started last" is the newest version, and what an older credential was checked against stays reachable.
 */
export function mappingInForce(
  tables: readonly MappingTable[],
  frameworkId: string,
  instant: string,
): MappingTable | undefined {
  let best: MappingTable | undefined;
  for (const t of tables) {
    if (t.frameworkId !== frameworkId || !inPeriod(instant, t.validFrom, t.validUntil)) continue;
    if (!best || t.validFrom > best.validFrom || (t.validFrom === best.validFrom && t.createdAt > best.createdAt)) best = t;
  }
  return best;
}

export interface ResolvedAqrfLevel {
  aqrfLevel: number;
  table: MappingTable;
}

export function aqrfLevelFor(
  tables: readonly MappingTable[],
  frameworkId: string,
  nationalLevel: number,
  instant: string,
): ResolvedAqrfLevel | undefined {
  const table = mappingInForce(tables, frameworkId, instant);
  const entry: MappingEntry | undefined = table?.entries.find((e) => e.nationalLevel === nationalLevel);
  return table && entry ? { aqrfLevel: entry.aqrfLevel, table } : undefined;
}
