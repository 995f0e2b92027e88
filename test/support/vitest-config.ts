import { defineConfig, type ViteUserConfig } from 'vitest/config';

type TestOptions = NonNullable<ViteUserConfig['test']>;

/**
 * What both test configurations share (vitest.config.ts for unit and integration tests, vitest.e2e.config.ts for the
 * browser tests): the odd time zone, one file at a time, and CI's JSON report named after the suite and the database.
 */
export function testConfig(suite: 'unit' | 'e2e', test: TestOptions): ViteUserConfig {
  // Tests run in a zone that is neither UTC nor a whole hour off it, so code that forgets
  // Europe/Copenhagen (or leans on the machine's zone) fails here instead of in production.
  process.env.TZ = 'America/St_Johns';
  // CI collects every run's counts from JSON reports (VITEST_JSON_DIR) to print one closing summary line.
  const jsonDir = process.env['VITEST_JSON_DIR'];
  const database = process.env['DATABASE_URL']?.startsWith('postgres') ? 'postgres' : 'sqlite';
  return defineConfig({
    test: {
      reporters: jsonDir ? ['default', ['json', { outputFile: `${jsonDir}/${suite}-${database}.json` }]] : ['default'],
      environment: 'node',
      fileParallelism: false,
      ...test,
    },
  });
}
