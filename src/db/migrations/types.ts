import type { Migration } from 'kysely';
import type { Dialect } from '../database.js';

/** A migration may need to know the dialect (e.g. for a partial index); most do not. */
export type MigrationFactory = (dialect: Dialect) => Migration;
