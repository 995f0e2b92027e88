import { defineConfig } from 'vitest/config';

process.env.TZ = 'America/St_Johns';

// Browser tests: one built server (started in global-setup) and Debian's Chromium driven by playwright-core.
// CI collects every run's counts from JSON reports (VITEST_JSON_DIR) to print one closing summary line.
const jsonDir = process.env['VITEST_JSON_DIR'];
const database = process.env['DATABASE_URL']?.startsWith('postgres') ? 'postgres' : 'sqlite';

export default defineConfig({
  test: {
    reporters: jsonDir ? ['default', ['json', { outputFile: `${jsonDir}/e2e-${database}.json` }]] : ['default'],
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // What a person waits for (a page after a form, a message in the mailbox) may take seconds on a busy machine:
    // expect.poll waits up to 10 s before it fails (vitest's default is 1 s).
    expect: { poll: { timeout: 10_000, interval: 50 } },
  },
});
