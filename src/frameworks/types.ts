/**
 * Registry domain types. They are plain data (no Date objects, no class instances) so the same shapes travel
 * from the database into the trust bundle and into the browser verifier unchanged.
 */

/** Text keyed by BCP 47 language tag, e.g. {en: 'Housekeeping NC II', fil: '…'}. */
export type LocalizedText = Record<string, string>;

/**
 * How far a fact can be trusted: `sourced` = seen in a retrieved primary or official text; `moderate` = from a
 * secondary summary; `uncertain` = recalled or partial, to be verified before it is shown as fact.
 */
export type Confidence = 'sourced' | 'moderate' | 'uncertain';

export type FrameworkKind = 'reference' | 'national' | 'sub-framework';

export interface DescriptorDomain {
  id: string;
  name: LocalizedText;
}

export interface FrameworkLevel {
  level: number;
  title?: LocalizedText;
  /** Keyed by descriptor-domain id (or `summary` when the framework's domains were not retrieved). */
  descriptors?: Record<string, LocalizedText>;
  source?: string;
  confidence?: Confidence;
}

export interface Framework {
  id: string;
  acronym: string;
  name: LocalizedText;
  /** ISO 3166-1 alpha-2; null for the regional reference framework. */
  country: string | null;
  kind: FrameworkKind;
  descriptorDomains: DescriptorDomain[];
  referencingStatus: string;
  sources: string[];
  confidence: Confidence;
  /** What is known to be missing (e.g. descriptors not retrieved), so a reader never mistakes absence for "none". */
  gaps?: string;
  levels: FrameworkLevel[];
}

export type MappingStatus = 'official' | 'provisional';

export interface MappingEntry {
  nationalLevel: number;
  aqrfLevel: number;
}

/**
 * One version of a national → AQRF level table. Tables are append-only: a new version supersedes an older one
 * only from its own `validFrom`, so a credential is always checked against the table that was in force when it
 * was issued.
 */
export interface MappingTable {
  id: string;
  frameworkId: string;
  status: MappingStatus;
  /** Where the table comes from; for `official`, the endorsed referencing report. */
  source: string;
  citation: string | null;
  validFrom: string;
  validUntil: string | null;
  createdAt: string;
  entries: MappingEntry[];
}

export interface Unit {
  /** Stable catalogue URL, e.g. https://tanda.example/units/D1.HHK.CL3.03 */
  id: string;
  code: string;
  titles: LocalizedText;
  /** The standard the unit belongs to: ACCSTP, TESDA TR, SKKNI, NOSS… */
  scheme: string;
  source: string | null;
  confidence: Confidence;
  demo: boolean;
}

export type UnitKind = 'core' | 'elective';

/** A unit as a qualification lists it; code and titles are carried along so a snapshot needs no join. */
export interface QualificationUnit {
  unitId: string;
  code: string;
  titles: LocalizedText;
  kind: UnitKind;
}

/** ISCO-08 unit group, optionally narrowed to an ESCO occupation (each ESCO occupation maps to one ISCO code). */
export interface Occupation {
  isco08: string;
  title: string;
  escoUri: string | null;
}

/** A full award needs every core unit and at least `electives` elective units. */
export interface AwardRule {
  electives: number;
}

export interface Qualification {
  /** Stable catalogue URL, e.g. https://tanda.example/qualifications/ph-housekeeping-nc2 */
  id: string;
  code: string;
  titles: LocalizedText;
  descriptions: LocalizedText | null;
  frameworkId: string;
  /** Denormalised from the framework: it is what credentials print as `targetFramework`. */
  frameworkAcronym: string;
  nationalLevel: number;
  country: string;
  sector: string;
  occupation: Occupation | null;
  awardRule: AwardRule;
  validityYears: number | null;
  units: QualificationUnit[];
  source: string | null;
  demo: boolean;
}

/** Scope: everything listed must match; a qualification is covered when it is named or its sector is listed. */
export interface Accreditation {
  id: string;
  issuerId: string;
  country: string;
  frameworkId: string | null;
  qualificationIds: string[];
  sectors: string[];
  validFrom: string;
  validUntil: string | null;
  accreditedBy: string | null;
  reference: string | null;
}

export interface AssessmentCentre {
  id: string;
  issuerId: string;
  name: string;
  country: string;
  city: string | null;
  address: string | null;
}
