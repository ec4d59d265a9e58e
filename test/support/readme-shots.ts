// Screenshots of the owner's install steps: always into test/artifacts/; with
// README_SHOTS=1 also into docs/img/ (small PNGs the README shows), for one release per major.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS } from './browser.js';

const DOCS = path.resolve('docs/img');
const DOC_RELEASES = new Set(['3.0.4.1', '4.0.2.3']);
/** The shots the README shows. */
const DOC_SHOTS = new Set(['oc3-1-installer', 'oc4-1-installer', 'oc4-2-modules', 'oc3-3-module-page', 'oc4-4-erp-bridge', 'oc3-5-disabled']);

export async function shot(page: Page, name: string, release: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${release}.png`) });
  if (process.env.README_SHOTS === '1' && DOC_RELEASES.has(release) && DOC_SHOTS.has(name)) {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: path.join(DOCS, `${name}.png`) });
  }
}
