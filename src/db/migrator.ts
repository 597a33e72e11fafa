import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import { TandaError } from '../errors.js';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';

/** Migrations are compiled into the code (not discovered on disk) so that tsx, a build and tests see the same list. */
class StaticProvider implements MigrationProvider {
  constructor(private readonly db: Db) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, factory] of Object.entries(migrations)) out[name] = factory(this.db.dialect);
    return out;
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  // Kysely looks its bookkeeping tables up across all schemas unless told one: confined to a schema, say which, or
  // a sibling schema's tables (parallel test files on one server) are taken for ours.
  const migrator = new Migrator({
    db: db.kysely,
    provider: new StaticProvider(db),
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new TandaError('internal', `migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
  return (results ?? []).map((r) => r.migrationName);
}
