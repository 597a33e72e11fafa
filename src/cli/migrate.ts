import { loadConfig } from '../config.js';
import { openConfiguredDatabase } from '../bootstrap.js';
import { migrateToLatest } from '../db/migrator.js';

/** `npm run db:migrate`: applies pending migrations and exits non-zero on failure. */
const config = loadConfig();
const db = openConfiguredDatabase(config);
try {
  const applied = await migrateToLatest(db);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
} catch (e) {
  const cause = (e as Error).cause as Error | undefined;
  process.stderr.write(`migration failed: ${(e as Error).message}${cause ? `: ${cause.message}` : ''}\n`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
