// The architecture's boundaries, checked by a machine (`npm run lint`, run by .ci/run after the type check).
//
//   routes (src/pages) → features → components → lib
//
// - Kysely is the repositories' tool: value imports only in `*.repository.ts`, `src/lib/server/`, `db/`, scripts
//   and tests. Services may import its *types* (they receive `Kysely<Database>` and own the transaction).
// - Pages never import a repository (they call one service function).
// - `src/lib/` never imports a feature.
// - A feature's pure rule file (`src/features/<name>/<name>.ts`) imports no `node:` module, no repository, no
//   service and nothing from Kysely: it must run anywhere, with `now` passed in.
// - A disabled rule says why: `// eslint-disable-next-line rule -- the reason`.
//
// In flat config a later block that sets a rule replaces that rule's options from an earlier block, so each kind
// of file below gets one complete list, built from the same named restrictions.
import { readdirSync } from 'node:fs';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import astro from 'eslint-plugin-astro';
import tseslint from 'typescript-eslint';

const features = readdirSync(new URL('./src/features/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const KYSELY = {
  group: ['kysely', 'kysely/*'],
  message: 'Kysely belongs in *.repository.ts (and src/lib/server, db, scripts, tests): call a repository function.',
};
const KYSELY_VALUES = { ...KYSELY, allowTypeImports: true, message: `${KYSELY.message} A service may import its types only.` };
const REPOSITORY = {
  group: ['**/*.repository', '**/*.repository.ts'],
  message: "Pages and pure rule files never import a repository: go through the feature's service.",
};
const SERVICE = {
  group: ['**/*.service', '**/*.service.ts'],
  message: 'A pure rule file imports no service: rules take their data as arguments.',
};
const FEATURES = {
  group: ['**/features/**'],
  message: 'src/lib never imports a feature: imports flow from features to lib, not back.',
};
const NODE = {
  group: ['node:*'],
  message: 'A pure rule file imports no node: module (no I/O, no crypto): put that in the service or src/lib/server.',
};

const restrict = (...patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

const pureRuleFiles = features.map((name) => `src/features/${name}/${name}.ts`);

export default tseslint.config(
  {
    ignores: [
      'dist/**', 'node_modules/**', '.astro/**', 'test-results/**', 'db/data/**', 'public/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js', '**/*.astro'],
    extends: [tseslint.configs.base, comments.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: { '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }] },
  },
  // .astro files: the frontmatter is TypeScript.
  ...astro.configs['flat/base'],
  { files: ['**/*.astro'], languageOptions: { parserOptions: { parser: tseslint.parser } } },

  // Everything under src/ not matched more narrowly below: pages, components, layouts, browser scripts, middleware.
  { files: ['src/**/*.ts', 'src/**/*.astro'], rules: restrict(KYSELY, REPOSITORY) },
  { files: ['src/lib/**/*.ts'], rules: restrict(KYSELY, FEATURES) },
  { files: ['src/lib/server/**/*.ts'], rules: restrict(FEATURES) },
  { files: ['src/features/**/*.ts'], rules: restrict(KYSELY_VALUES) },
  { files: ['src/features/**/*.repository.ts'], rules: restrict() },
  { files: pureRuleFiles, rules: restrict(KYSELY, NODE, REPOSITORY, SERVICE) },
  {
    // Left as it is in this change: the demo data set is being reworked with the course lifecycle (issue 13, first
    // point) by another engineer, and it still types its raw rows with Kysely's `Selectable`. A type import only:
    // it runs no query.
    files: ['src/features/demo/demo.ts'],
    rules: restrict(KYSELY_VALUES, NODE, REPOSITORY, SERVICE),
  },
);
