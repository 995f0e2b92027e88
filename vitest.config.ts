import { defineConfig } from 'vitest/config';

// Tests run in a zone that is neither UTC nor a whole hour off it, so code that forgets
// Europe/Copenhagen (or leans on the machine's zone) fails here instead of in production.
process.env.TZ = 'America/St_Johns';

// CI collects every run's counts from JSON reports (VITEST_JSON_DIR) to print one closing summary line.
const jsonDir = process.env['VITEST_JSON_DIR'];
const database = process.env['DATABASE_URL']?.startsWith('postgres') ? 'postgres' : 'sqlite';

export default defineConfig({
  test: {
    reporters: jsonDir ? ['default', ['json', { outputFile: `${jsonDir}/unit-${database}.json` }]] : ['default'],
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
