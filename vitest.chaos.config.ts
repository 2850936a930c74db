import { defineConfig } from 'vitest/config';

// The chaos suite (issue 14, `npm run test:chaos`): long runs of kill -9, Redis loss and KIS fault
// storms against the daemon as a child process. Kept out of `npm test` (vitest.config.ts) for time;
// one file at a time, since each runs a daemon that a parallel one would slow.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/global-redis.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 1_200_000,
    hookTimeout: 60_000,
  },
});
