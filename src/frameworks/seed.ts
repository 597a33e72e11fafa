import type { Executor } from '../db/database.js';
import { addAccreditation, addAssessmentCentre } from './accreditation-repository.js';
import { importCatalogue, type CatalogueInput } from './catalogue-import.js';
import { insertFrameworkIfAbsent } from './framework-repository.js';
import { inTransaction } from './import-errors.js';
import { importMappingTable, type MappingTableInput } from './mapping-import.js';
import type { Framework } from './types.js';
import frameworksData from './data/frameworks.json' with { type: 'json' };
import demoCatalogue from './data/demo-catalogue.json' with { type: 'json' };
import demoMapping from './data/demo-mapping.json' with { type: 'json' };
import demoAccreditation from './data/demo-accreditation.json' with { type: 'json' };
import { OPERATOR } from '../policy/policy.js';

// Shapes are checked by tests/frameworks/data.test.ts; JSON imports type their string unions as plain strings.
export const FRAMEWORKS = frameworksData as unknown as Framework[];
export const DEMO_CATALOGUE = demoCatalogue as CatalogueInput;
export const DEMO_MAPPING = demoMapping as MappingTableInput;

interface DemoScope {
  frameworkId: string;
  sectors: string[];
  validFrom: string;
  validUntil: string;
  accreditedBy: string;
  centres: { name: string; country: string; city: string }[];
}

/** Frameworks and levels are reference data every installation needs, demo or not. */
export async function seedFrameworks(ex: Executor): Promise<number> {
  let added = 0;
  for (const f of FRAMEWORKS) if (await insertFrameworkIfAbsent(ex, f)) added++;
  return added;
}

/**
 * Demo registry: frameworks, the illustrative provisional PQF → AQRF table, the demo catalogue, and for each given
 * certifying body (by its country) a demo accreditation and assessment centres, overseas ones included.
 * Idempotent: running it again adds nothing.
 */
export async function seedRegistry(ex: Executor, options: { issuers: string[] }): Promise<void> {
  await inTransaction(ex, async (tx) => {
    await seedFrameworks(tx);
    const mappingId = DEMO_MAPPING.id ?? '';
    if (!(await tx.selectFrom('mapping_tables').select('id').where('id', '=', mappingId).executeTakeFirst())) {
      // Recorded as of its own start date: the demo table is what demo credentials were "issued under".
      await importMappingTable(tx, OPERATOR, DEMO_MAPPING, { now: new Date(`${DEMO_MAPPING.validFrom}T00:00:00Z`).toISOString(), createdBy: 'seed' });
    }
    await importCatalogue(tx, OPERATOR, DEMO_CATALOGUE);

    const scopes = demoAccreditation.byCountry as Record<string, DemoScope>;
    for (const issuerId of options.issuers) {
      const issuer = await tx.selectFrom('issuers').select(['id', 'country']).where('id', '=', issuerId).executeTakeFirst();
      const scope = issuer ? scopes[issuer.country] : undefined;
      if (!issuer || !scope) continue;
      const accreditationId = `demo-${issuer.id}-${issuer.country.toLowerCase()}`;
      if (!(await tx.selectFrom('accreditations').select('id').where('id', '=', accreditationId).executeTakeFirst())) {
        await addAccreditation(tx, OPERATOR, issuer.id, {
          id: accreditationId,
          country: issuer.country,
          frameworkId: scope.frameworkId,
          sectors: scope.sectors,
          validFrom: scope.validFrom,
          validUntil: scope.validUntil,
          accreditedBy: scope.accreditedBy,
          reference: 'demo',
        });
      }
      for (const [i, c] of scope.centres.entries()) {
        const id = `demo-${issuer.id}-centre-${i + 1}`;
        if (await tx.selectFrom('assessment_centres').select('id').where('id', '=', id).executeTakeFirst()) continue;
        await addAssessmentCentre(tx, OPERATOR, { id, issuerId: issuer.id, name: c.name, country: c.country, city: c.city });
      }
    }
  });
}
