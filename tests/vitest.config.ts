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
  },
});
