import type { Accreditation, AssessmentCentre, Framework, MappingTable, Qualification } from './types.js';

/**
 * Everything registry verification needs, as plain JSON. The server builds it from the database
 * (`loadRegistrySnapshot`); the trust bundle carries it to the offline verifier, which runs the same
 * `checkCredentialAgainstRegistry` over it. Keep this file free of Node and database imports.
 */
export interface RegistrySnapshot {
  version: 1;
  generatedAt: string;
  issuers: SnapshotIssuer[];
  accreditations: Accreditation[];
  assessmentCentres: AssessmentCentre[];
  frameworks: Framework[];
  mappingTables: MappingTable[];
  qualifications: Qualification[];
}

export interface SnapshotVerificationMethod {
  id: string;
  publicKeyMultibase: string;
  /** `compromised` and `compromisedAt` exist from trust bundle format 2 on; format 1 knows current and retired only. */
  status: 'current' | 'retired' | 'compromised';
  createdAt: string;
  retiredAt: string | null;
  compromisedAt?: string | null;
}

export interface SnapshotIssuer {
  id: string;
  name: string;
  country: string;
  did: string;
  url: string | null;
  verificationMethods: SnapshotVerificationMethod[];
}

/** One line of a verdict (the credential checks' type): `valid` is false only for `fail`. */
export type { Check } from '../credentials/checks.js';
