// The suites StrykerJS runs for each mutant (`npm run mutate`, see stryker.config.mjs and
// docs/testing.md). The real-OpenCart installs, the browser and the command line (which spawns
// processes that never see the active mutant) are left out: they take minutes per mutant.
// MUTATION_TESTS=unit runs test/unit only (the pure wire formats in app/erp, app/settings).
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const unitOnly = process.env.MUTATION_TESTS === 'unit';
process.env.REAL_OPENCART = '0';

export default defineConfig({
  test: {
    ...base.test,
    include: unitOnly ? ['test/unit/**/*.test.ts'] : ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    exclude: [
      'node_modules/**',
      'test/browser/**',
      'test/integration/opencart-*.test.ts',
      'test/integration/order-vat-opencart.test.ts',
      'test/integration/cli.test.ts',
    ],
  },
});
