// StrykerJS: `npm run mutate` (every folder below), or one folder at a time:
//   MUTATE=erp MUTATION_TESTS=unit npm run mutate    # app/erp against the unit tests (minutes)
//   MUTATE=settings npm run mutate                   # app/settings against unit + integration
// Each folder keeps its own incremental file (reports/stryker-incremental-<folder>.json), so a
// re-run only tests the mutants whose code or covering tests changed, and one folder's run never
// drops another's results. The HTML report: reports/mutation/<folder>.html (index.html for all).
// Runs with MYSQL_URL set (package.json), so the integration suites run on SQLite and MariaDB.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The tests find ../shared (OpenCart's SQL and releases) beside the project, not beside the sandbox copy.
process.env.SHARED_DIR ??= path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../shared');
const FOLDERS = ['sync', 'shop', 'erp', 'plugin', 'settings', 'admin'];
const picked = (process.env.MUTATE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
for (const f of picked) if (!FOLDERS.includes(f)) throw new Error(`MUTATE=${f}: not one of ${FOLDERS.join(', ')}`);
const folders = picked.length ? picked : FOLDERS;
// A run narrowed with `-m file` keeps its own incremental file and report: StrykerJS rewrites the
// incremental file with only the files it mutated, so a narrowed run sharing the folder's file
// would drop every other file's results.
const argv = process.argv;
const narrowed = argv.flatMap((a, i) => (a === '-m' || a === '--mutate' ? [argv[i + 1] ?? ''] : a.startsWith('--mutate=') ? [a.slice(9)] : []));
const narrowName = narrowed.join(',').split(',').map((f) => path.basename(f.split(':')[0], '.ts')).filter(Boolean).join('-');
const name = (picked.length ? picked.join('-') : 'index') + (narrowName ? `-${narrowName}` : '');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: folders.map((f) => `app/${f}/**/*.ts`),
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
  reporters: ['html', 'clear-text', 'progress', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  // The machine is shared: one test runner by default (STRYKER_CONCURRENCY to raise it).
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // A unit-only run's tests take well under a second per mutant: a mutant that loops forever
  // (apportion's cent loop) is called a timeout after 8 s instead of 20 s.
  timeoutMS: process.env.MUTATION_TESTS === 'unit' ? 8_000 : 20_000,
  timeoutFactor: 2,
  ignorePatterns: ['/reports', '/data', 'test/artifacts', '/bench', '/opencart', '/build', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Static mutants (module-level constants, evaluated once at import) need every test re-run per
  // mutant: on this shared machine they took most of the time. They are reported as "Ignored"
  // and left out of the score; MUTATE_STATIC=1 tests them too.
  ignoreStatic: process.env.MUTATE_STATIC !== '1',
  thresholds: { high: 90, low: 85, break: null },
};
