import { m0001Core } from './0001-core.js';
import type { MigrationFactory } from './types.js';

/** Ordered by name; a released migration is never edited — add a new one. */
export const migrations: Record<string, MigrationFactory> = {
  '0001-core': m0001Core,
};
