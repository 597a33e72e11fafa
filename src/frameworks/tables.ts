/** Column types of the registry tables. JSON columns are text (same bytes on SQLite and PostgreSQL). */

export interface FrameworksTable {
  id: string;
  acronym: string;
  /** JSON LocalizedText */
  name: string;
  country: string | null;
  kind: string;
  /** JSON DescriptorDomain[] */
  descriptor_domains: string;
  referencing_status: string;
  /** JSON string[] */
  sources: string;
  confidence: string;
  gaps: string | null;
  created_at: string;
}

export interface FrameworkLevelsTable {
  framework_id: string;
  level: number;
  /** JSON LocalizedText or null */
  title: string | null;
  /** JSON Record<domain, LocalizedText> or null */
  descriptors: string | null;
  source: string | null;
  confidence: string | null;
}

export interface MappingTablesTable {
  id: string;
  framework_id: string;
  status: string;
  source: string;
  citation: string | null;
  valid_from: string;
  valid_until: string | null;
  created_at: string;
  created_by: string | null;
}

export interface MappingEntriesTable {
  table_id: string;
  national_level: number;
  aqrf_level: number;
}

export interface UnitsTable {
  id: string;
  code: string;
  titles: string;
  scheme: string;
  source: string | null;
  confidence: string;
  demo: number;
  created_at: string;
}

export interface QualificationsTable {
  id: string;
  code: string;
  titles: string;
  descriptions: string | null;
  framework_id: string;
  national_level: number;
  country: string;
  sector: string;
  /** JSON Occupation or null */
  occupation: string | null;
  /** JSON AwardRule */
  award_rule: string;
  validity_years: number | null;
  /** ",en,fil," so a language filter is a portable LIKE. */
  languages: string;
  /** Lower-cased codes and titles of the qualification and its units: one portable LIKE serves `q=`. */
  search_text: string;
  source: string | null;
  demo: number;
  created_at: string;
}

export interface QualificationUnitsTable {
  qualification_id: string;
  unit_id: string;
  kind: string;
  position: number;
}

export interface AccreditationsTable {
  id: string;
  issuer_id: string;
  country: string;
  framework_id: string | null;
  /** JSON string[] */
  qualification_ids: string;
  /** JSON string[] */
  sectors: string;
  valid_from: string;
  valid_until: string | null;
  accredited_by: string | null;
  reference: string | null;
  created_at: string;
}

export interface AssessmentCentresTable {
  id: string;
  issuer_id: string;
  name: string;
  country: string;
  city: string | null;
  address: string | null;
  created_at: string;
}

export interface FrameworkTables {
  frameworks: FrameworksTable;
  framework_levels: FrameworkLevelsTable;
  mapping_tables: MappingTablesTable;
  mapping_entries: MappingEntriesTable;
  units: UnitsTable;
  qualifications: QualificationsTable;
  qualification_units: QualificationUnitsTable;
  accreditations: AccreditationsTable;
  assessment_centres: AssessmentCentresTable;
}
