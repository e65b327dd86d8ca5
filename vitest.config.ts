import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // a hang guard, not a speed check: the slowest tests take ~45 s on a 2-core box whose cores are kept busy
    // (npm run test:repeat -- 1 --busy); no test asserts on time
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
