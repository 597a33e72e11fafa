import type { Selectable } from 'kysely';
import type {
  AccreditationsTable,
  AssessmentCentresTable,
  FrameworkLevelsTable,
  FrameworksTable,
  MappingTablesTable,
  QualificationsTable,
} from './tables.js';
import type {
  Accreditation,
  AssessmentCentre,
  Confidence,
  Framework,
  FrameworkKind,
  FrameworkLevel,
  MappingEntry,
  MappingStatus,
  MappingTable,
  Qualification,
  QualificationUnit,
} from './types.js';

/** Row ↔ domain conversions in one place, so JSON-in-text columns are parsed the same way everywhere. */

const json = <T>(text: string): T => JSON.parse(text) as T;

export function frameworkFromRows(row: Selectable<FrameworksTable>, levels: Selectable<FrameworkLevelsTable>[]): Framework {
  return {
    id: row.id,
    acronym: row.acronym,
    name: json(row.name),
    country: row.country,
    kind: row.kind as FrameworkKind,
    descriptorDomains: json(row.descriptor_domains),
    referencingStatus: row.referencing_status,
    sources: json(row.sources),
    confidence: row.confidence as Confidence,
    ...(row.gaps ? { gaps: row.gaps } : {}),
    levels: levels
      .filter((l) => l.framework_id === row.id)
      .sort((a, b) => a.level - b.level)
      .map(levelFromRow),
  };
}

function levelFromRow(l: Selectable<FrameworkLevelsTable>): FrameworkLevel {
  return {
    level: l.level,
    ...(l.title ? { title: json(l.title) } : {}),
    ...(l.descriptors ? { descriptors: json(l.descriptors) } : {}),
    ...(l.source ? { source: l.source } : {}),
    ...(l.confidence ? { confidence: l.confidence as Confidence } : {}),
  };
}

export function mappingTableFromRow(row: Selectable<MappingTablesTable>, entries: MappingEntry[]): MappingTable {
  return {
    id: row.id,
    frameworkId: row.framework_id,
    status: row.status as MappingStatus,
    source: row.source,
    citation: row.citation,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    createdAt: row.created_at,
    entries: [...entries].sort((a, b) => a.nationalLevel - b.nationalLevel),
  };
}

export function qualificationFromRow(
  row: Selectable<QualificationsTable>,
  frameworkAcronym: string,
  units: QualificationUnit[],
): Qualification {
  return {
    id: row.id,
    code: row.code,
    titles: json(row.titles),
    descriptions: row.descriptions ? json(row.descriptions) : null,
    frameworkId: row.framework_id,
    frameworkAcronym,
    nationalLevel: Number(row.national_level),
    country: row.country,
    sector: row.sector,
    occupation: row.occupation ? json(row.occupation) : null,
    awardRule: json(row.award_rule),
    validityYears: row.validity_years === null ? null : Number(row.validity_years),
    units,
    source: row.source,
    demo: Number(row.demo) === 1,
  };
}

export function accreditationFromRow(row: Selectable<AccreditationsTable>): Accreditation {
  return {
    id: row.id,
    issuerId: row.issuer_id,
    country: row.country,
    frameworkId: row.framework_id,
    qualificationIds: json(row.qualification_ids),
    sectors: json(row.sectors),
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    accreditedBy: row.accredited_by,
    reference: row.reference,
  };
}

export function centreFromRow(row: Selectable<AssessmentCentresTable>): AssessmentCentre {
  return { id: row.id, issuerId: row.issuer_id, name: row.name, country: row.country, city: row.city, address: row.address };
}
