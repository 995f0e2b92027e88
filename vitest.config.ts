import { defineConfig } from 'vitest/config';

// Tests run in a zone that is neither UTC nor a whole hour off it, so code that forgets
// Europe/Copenhagen (or leans on the machine's zone) fails here instead of in production.
process.env.TZ = 'America/St_Johns';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
