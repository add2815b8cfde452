import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'emulators/**/*.test.ts', 'web/**/*.test.ts', 'test/**/*.test.ts'],
    // The reliability suite has its own config and command (`npm run test:reliability`).
    exclude: [...configDefaults.exclude, 'test/reliability/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for an outcome, not a duration: 1 s (the default) is too short for a
    // browser rendering a week on a loaded two-core CI machine, and a pass never waits longer.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    reporters: ['default'],
    globalSetup: ['test/support/global-setup.ts'],
  },
});
