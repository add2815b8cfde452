import { defineConfig } from 'vitest/config';

/**
 * The reliability suite (`npm run test:reliability`): separate API and worker processes on
 * PostgreSQL and Redis, against the emulators, through crashes and outages. Slow by nature,
 * so kept out of `npm test`; `.ci/run` runs it after the main tests.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    testTimeout: 150_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file at a time: each drives several processes, and the machine has few cores.
    fileParallelism: false,
    reporters: ['default'],
  },
});
