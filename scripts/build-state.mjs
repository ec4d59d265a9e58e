// Whether build/ (the TypeScript sources of app/ and migrations/ compiled to JavaScript by
// scripts/build.mjs) may run instead of the sources: only when no source file is newer than the
// moment that build began. Shared by the build and bin/erp-bridge.js, so both mean the same sources.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = path.join(root, 'build');
export const stampFile = path.join(buildDir, '.built');
const SOURCE_DIRS = ['app', 'migrations'];

/** Every TypeScript source the build compiles, as paths from the project's root. */
export function sourceFiles() {
  return SOURCE_DIRS.flatMap((d) =>
    readdirSync(path.join(root, d), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => path.join(d, f)),
  );
}

/** True when build/ holds every source as it is now (its stamp: the ms the build began). */
export function buildIsFresh() {
  let began;
  try {
    began = Number(readFileSync(stampFile, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isFinite(began)) return false;
  for (const f of sourceFiles()) {
    // A source the build has no output for (added since) or one changed since it began.
    let out;
    try {
      out = statSync(path.join(buildDir, f.replace(/\.ts$/, '.js')));
    } catch {
      return false;
    }
    if (!out.isFile() || statSync(path.join(root, f)).mtimeMs > began) return false;
  }
  return true;
}
