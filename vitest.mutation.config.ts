// The suites StrykerJS runs for each mutant (`npm run mutate`, see stryker.config.mjs and
// docs/testing.md). The real-OpenCart installs, the browser and the command line (which spawns
// processes that never see the active mutant) are left out: they take minutes per mutant.
// MUTATION_TESTS=unit runs test/unit only (the pure wire formats in app/erp, app/settings);
// MUTATION_TESTS=test/integration/foundation.test.ts,… runs test/unit and the files named (a file
// of a folder the integration suites cover, measured against the tests that cover it, in minutes).
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const chosen = process.env.MUTATION_TESTS ?? '';
const named = chosen === '' || chosen === 'unit' ? [] : chosen.split(',').map((s) => s.trim()).filter(Boolean);
const include = chosen === 'unit' || named.length ? ['test/unit/**/*.test.ts', ...named] : ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'];
process.env.REAL_OPENCART = '0';

export default defineConfig({
  test: {
    ...base.test,
    include,
    exclude: [
      'node_modules/**',
      'test/browser/**',
      'test/integration/opencart-*.test.ts',
      'test/integration/order-vat-opencart.test.ts',
      'test/integration/cli.test.ts',
      'test/integration/build.test.ts',
    ],
  },
});
