import type { Executor } from '../db/database.js';
import { listAccreditations, listAssessmentCentres } from './accreditation-repository.js';
import { listAllQualifications } from './catalogue-repository.js';
import { listFrameworks, listMappingTables } from './framework-repository.js';
import type { RegistrySnapshot, SnapshotIssuer } from './snapshot.js';

/** Reads the whole registry into the plain snapshot the verifier (online, or offline via the trust bundle) uses. */
export async function loadRegistrySnapshot(ex: Executor, options: { now?: string } = {}): Promise<RegistrySnapshot> {
  const issuers = await ex.selectFrom('issuers').select(['id', 'name', 'country', 'did', 'url']).orderBy('id').execute();
  const keys = await ex
    .selectFrom('issuer_keys')
    .select(['issuer_id', 'verification_method', 'public_key_multibase', 'status', 'created_at', 'retired_at', 'compromised_at'])
    .orderBy('created_at')
    .execute();
  const snapshotIssuers: SnapshotIssuer[] = issuers.map((i) => ({
    ...i,
    verificationMethods: keys
      .filter((k) => k.issuer_id === i.id)
      .map((k) => ({
        id: k.verification_method,
        publicKeyMultibase: k.public_key_multibase,
        status: k.status,
        createdAt: k.created_at,
        retiredAt: k.retired_at,
        compromisedAt: k.compromised_at,
      })),
  }));
  return {
    version: 1,
    generatedAt: options.now ?? new Date().toISOString(),
    issuers: snapshotIssuers,
    accreditations: await listAccreditations(ex),
    assessmentCentres: await listAssessmentCentres(ex),
    frameworks: await listFrameworks(ex),
    mappingTables: await listMappingTables(ex),
    qualifications: await listAllQualifications(ex),
  };
}
