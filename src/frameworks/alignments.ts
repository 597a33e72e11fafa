import { aqrfLevelFor } from './mapping-rules.js';
import type { LocalizedText, MappingTable, Qualification } from './types.js';
import { AQRF_ID, levelUrl } from './urls.js';

/** Open Badges 3.0 Alignment. `targetType` values with `ext:` are Tanda's, per the spec's extension rule. */
export interface Alignment {
  type: ['Alignment'];
  targetName: string;
  targetUrl: string;
  targetFramework?: string;
  targetCode?: string;
  targetType?: string;
}

export const NATIONAL_LEVEL_TYPE = 'ext:QualificationFrameworkLevel';
export const REFERENCE_LEVEL_TYPE = 'ext:ReferenceFrameworkLevel';
export const AQRF_ACRONYM = 'AQRF';
/** Frameworks of the optional occupation alignment: named, but not a qualification level. */
const OCCUPATION_FRAMEWORKS: ReadonlySet<unknown> = new Set(['ESCO', 'ISCO-08']);

type AlignmentShape = { targetType?: unknown; targetFramework?: unknown };

/**
 * The level alignments, told apart by their framework: AQRF is the reference framework; any other framework but an
 * occupation classification is the national one (a wrong one then fails the level check rather than going
 * unnoticed). Credentials issued before 2026-11-28 also tag them with an `ext:` targetType; newer ones leave it out
 * (4 bytes of QR each, a Tanda-private value only Tanda's verifier read, whose facts the registry holds).
 */
export const isReferenceLevel = (a: AlignmentShape): boolean =>
  a.targetType === REFERENCE_LEVEL_TYPE || (a.targetType === undefined && a.targetFramework === AQRF_ACRONYM);
export const isNationalLevel = (a: AlignmentShape): boolean =>
  a.targetType === NATIONAL_LEVEL_TYPE ||
  (a.targetType === undefined && typeof a.targetFramework === 'string' && a.targetFramework !== AQRF_ACRONYM && !OCCUPATION_FRAMEWORKS.has(a.targetFramework));

export interface BuildAlignmentsOptions {
  /** Issue date: selects the mapping table in force. */
  date: string;
  /** Mapping tables to choose from (any frameworks, any versions). */
  mappings: readonly MappingTable[];
  /** Units achieved, by catalogue id; default every core unit (a full award without electives). */
  achievedUnitIds?: readonly string[];
  /** Language of the unit titles; falls back to English, then to the first title. */
  lang?: string;
  /** Add the ISCO-08 / ESCO occupation alignment (about 20 bytes of QR payload). */
  occupation?: boolean;
}

export function pickText(text: LocalizedText, lang = 'en'): string {
  return text[lang] ?? text.en ?? Object.values(text)[0] ?? '';
}

/**
 * The alignments of an Achievement, lean enough for the QR budget: a unit carries only its title and catalogue
 * URL (code, framework and type are recovered from the catalogue by URL), a level its framework, code, name and URL
 * (no `targetType`: see isNationalLevel), and the AQRF level appears only when a
 * mapping table for the national level is in force on the issue date (`aqrfLevelFor` tells which table, and
 * whether it is official or provisional).
 */
export function buildAlignments(qualification: Qualification, options: BuildAlignmentsOptions): Alignment[] {
  const lang = options.lang ?? 'en';
  const achieved = options.achievedUnitIds ? new Set(options.achievedUnitIds) : undefined;
  const units = qualification.units.filter((u) => (achieved ? achieved.has(u.unitId) : u.kind === 'core'));
  const alignment: Alignment[] = units.map((u) => ({
    type: ['Alignment'],
    targetName: pickText(u.titles, lang),
    targetUrl: u.unitId,
  }));

  const level = qualification.nationalLevel;
  alignment.push({
    type: ['Alignment'],
    targetFramework: qualification.frameworkAcronym,
    targetCode: String(level),
    targetName: `${qualification.frameworkAcronym} Level ${level}`,
    targetUrl: levelUrl(qualification.frameworkId, level),
  });

  const resolved = aqrfLevelFor(options.mappings, qualification.frameworkId, level, options.date);
  if (resolved) {
    alignment.push({
      type: ['Alignment'],
      targetFramework: AQRF_ACRONYM,
      targetCode: String(resolved.aqrfLevel),
      targetName: `${AQRF_ACRONYM} Level ${resolved.aqrfLevel}`,
      targetUrl: levelUrl(AQRF_ID, resolved.aqrfLevel),
    });
  }

  const occ = qualification.occupation;
  if (options.occupation && occ) {
    alignment.push(
      occ.escoUri
        ? { type: ['Alignment'], targetFramework: 'ESCO', targetCode: occ.escoUri, targetName: occ.title, targetUrl: occ.escoUri }
        : {
            type: ['Alignment'],
            targetFramework: 'ISCO-08',
            targetCode: occ.isco08,
            targetName: occ.title,
            targetUrl: `http://data.europa.eu/esco/isco/C${occ.isco08}`,
          },
    );
  }

  return alignment;
}
