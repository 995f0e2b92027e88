// `npm run build`'s second step: the project's own server (src/server/main.ts) bundled into one plain JavaScript file
// beside Astro's build (<outDir>/server/main.mjs), packages left to node_modules. The server then runs on plain Node:
// with the TypeScript loader's hooks registered in the process (`node --import tsx`), every dynamic import Astro makes
// while answering a request went through them (a CPU profile of the attendance page: a quarter of its time).
import { build } from 'esbuild';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const outDir = resolve(root, process.env.ASTRO_OUT_DIR ?? 'dist');
const outfile = resolve(outDir, 'server/main.mjs');
await build({
  entryPoints: [resolve(root, 'src/server/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(`server bundled: ${outfile.replace(`${root}/`, '')}`);
