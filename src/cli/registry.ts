import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isTandaError } from '../errors.js';
import { importCatalogue, parseCatalogueCsv, parseCatalogueJson } from '../frameworks/catalogue-import.js';
import type { ImportRowError } from '../frameworks/import-errors.js';
import { importMappingTable, parseMappingCsv, parseMappingJson } from '../frameworks/mapping-import.js';
import { seedFrameworks } from '../frameworks/seed.js';
import { loadRegistrySnapshot } from '../frameworks/snapshot-loader.js';
import { OPERATOR, authorize } from '../policy/policy.js';
import type { Services } from '../services.js';

export const REGISTRY_HELP = `usage: tanda registry <command>
  import-mapping <file.json|file.csv> [--framework ID --status official|provisional --source TEXT
                 --citation TEXT --valid-from DATE --valid-until DATE --id ID]
                 add a national → AQRF mapping table version (CSV columns: national_level,aqrf_level;
                 for JSON the metadata is in the file, flags override it)
  import-catalogue <file.json|file.csv> [--demo]
                 add units and qualifications, all or nothing
  load-frameworks
                 load the AQRF and the national frameworks shipped with Tanda (skips those present)
  snapshot       print the registry snapshot (JSON) that verification and the trust bundle use`;

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

function printRowErrors(e: unknown): boolean {
  if (!isTandaError(e) || e.code !== 'import_failed') return false;
  const errors = (e.details as { errors?: ImportRowError[] } | undefined)?.errors ?? [];
  err(`import failed, nothing was imported (${errors.length} error(s)):`);
  for (const r of errors) err(`  ${r.row === null ? 'file' : `row ${r.row}`}${r.field ? ` ${r.field}` : ''}: ${r.message}`);
  return true;
}

function readInput(file: string | undefined): { text: string; csv: boolean } {
  if (!file) throw new Error('give the file to import');
  return { text: fs.readFileSync(file, 'utf8'), csv: path.extname(file).toLowerCase() === '.csv' };
}

/** Admin commands for the registry; `main.ts` dispatches `tanda registry …` here. */
export async function registryCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  const ex = services.db.kysely;
  authorize(OPERATOR, sub === 'snapshot' ? 'read' : 'manage', { kind: 'registry' });
  try {
    switch (sub) {
      case 'import-mapping': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            framework: { type: 'string' },
            status: { type: 'string' },
            source: { type: 'string' },
            citation: { type: 'string' },
            'valid-from': { type: 'string' },
            'valid-until': { type: 'string' },
            id: { type: 'string' },
          },
        });
        const meta = {
          ...(values.id ? { id: values.id } : {}),
          ...(values.framework ? { frameworkId: values.framework } : {}),
          ...(values.status ? { status: values.status } : {}),
          ...(values.source ? { source: values.source } : {}),
          ...(values.citation ? { citation: values.citation } : {}),
          ...(values['valid-from'] ? { validFrom: values['valid-from'] } : {}),
          ...(values['valid-until'] ? { validUntil: values['valid-until'] } : {}),
        };
        const { text, csv } = readInput(positionals[0]);
        const input = csv ? parseMappingCsv(text, meta) : { ...parseMappingJson(text), ...meta };
        const table = await ex.transaction().execute(async (tx) => {
          const imported = await importMappingTable(tx, OPERATOR, input, { createdBy: 'cli' });
          await services.publishTypeTables(tx);
          return imported;
        });
        out(`imported ${table.status} mapping table ${table.id} for ${table.frameworkId}: ${table.entries.length} level(s), in force from ${table.validFrom}`);
        return 0;
      }
      case 'import-catalogue': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { demo: { type: 'boolean' } } });
        const { text, csv } = readInput(positionals[0]);
        const input = csv ? parseCatalogueCsv(text, { demo: values.demo === true }) : { ...parseCatalogueJson(text), ...(values.demo ? { demo: true } : {}) };
        const r = await ex.transaction().execute(async (tx) => {
          const imported = await importCatalogue(tx, OPERATOR, input);
          // A qualification entering the catalogue gets its QR type table now, not at its first certificate.
          await services.publishTypeTables(tx);
          return imported;
        });
        out(`imported ${r.qualificationsCreated} qualification(s) and ${r.unitsCreated} unit(s); ${r.unchanged} already present`);
        return 0;
      }
      case 'load-frameworks': {
        out(`loaded ${await seedFrameworks(ex)} framework(s)`);
        return 0;
      }
      case 'snapshot': {
        out(JSON.stringify(await loadRegistrySnapshot(ex), null, 2));
        return 0;
      }
      default:
        err(REGISTRY_HELP);
        return sub === undefined || sub === 'help' ? 0 : 2;
    }
  } catch (e) {
    if (printRowErrors(e)) return 1;
    throw e;
  }
}
