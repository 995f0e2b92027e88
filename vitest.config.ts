import { testConfig } from './test/support/vitest-config';

export default testConfig('unit', {
  include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
  testTimeout: 20_000,
  hookTimeout: 60_000,
});
