import { testConfig } from './test/support/vitest-config';

// Browser tests: one built server (started in global-setup) and Debian's Chromium driven by playwright-core.
export default testConfig('e2e', {
  include: ['test/e2e/**/*.test.ts'],
  globalSetup: ['test/e2e/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // What a person waits for (a page after a form, a message in the mailbox) may take seconds on a busy machine:
  // expect.poll waits up to 10 s before it fails (vitest's default is 1 s).
  expect: { poll: { timeout: 10_000, interval: 50 } },
});
