// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

export default defineConfig({
  output: 'server',
  // Browser tests of parallel work build into their own folder inside the project (so node_modules resolves).
  outDir: process.env.ASTRO_OUT_DIR ?? './dist',
  adapter: node({ mode: 'middleware' }),
  session: false,
  server: {
    port: Number(process.env.PORT ?? 4321),
    host: process.env.HOST ?? 'localhost',
  },
  security: {
    checkOrigin: true,
  },
  // Strict CSP (script-src/style-src 'self', set in src/middleware.ts): nothing may be inlined.
  build: { inlineStylesheets: 'never' },
  vite: { build: { assetsInlineLimit: 0 } },
  devToolbar: { enabled: false },
});
