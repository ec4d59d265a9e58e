// Debian's Chromium driven by playwright-core (never a downloaded browser build).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test/artifacts');

/**
 * Whether the browser suites run. They always do, and fail (never skip) when Chromium is missing:
 * a green run must not hide an untested admin. SKIP_BROWSER=1 leaves them out on purpose.
 */
export const hasChromium = () => process.env.SKIP_BROWSER !== '1';

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's chromium, set CHROMIUM_PATH, or run with SKIP_BROWSER=1 to leave the browser suites out`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without these, Chromium keeps calling home, and this network refuses it.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
