// Starts the built server (npm start, the browser tests, the benchmark): <outDir>/server/main.mjs, made by
// `npm run build` (scripts/build-server.mjs). Plain Node, one process, so a stop signal reaches the server itself.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const main = resolve(import.meta.dirname, '..', process.env.ASTRO_OUT_DIR ?? 'dist', 'server/main.mjs');
if (!existsSync(main)) {
  console.error(`No built server at ${main}: run "npm run build" first.`);
  process.exit(1);
}
await import(pathToFileURL(main).href);
