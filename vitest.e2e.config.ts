import { defineConfig } from 'vitest/config';

process.env.TZ = 'America/St_Johns';

// Browser tests: one built server (started in global-setup) and Debian's Chromium driven by playwright-core.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
