import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['tests/**/*.test.ts'],
    // Every suite runs hermetically: tests/setup.ts blocks outbound network for the whole process.
    setupFiles: ['tests/setup.ts'],
    globalSetup: ['tests/pg-schemas.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // A worker runs file after file in one module graph instead of loading fastify, jsonld, kysely and the rest
    // afresh for each of 127 files: the suite takes about two thirds of the time (CI runs it three times). Every
    // file builds its own database, app and keys (tests/helpers), and the files that change process.env restore it.
    isolate: false,
  },
});
