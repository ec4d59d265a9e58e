// npm run build (and before npm start): app/ and migrations/ compiled to JavaScript in build/,
// file by file (esbuild strips the types; tsc still checks them in npm test). The server then
// runs without tsx's loader, which compiles every module on a thread of its own and held about
// 30 MB for the process's whole life (the idle server: 139 MB with tsx, 101 MB built).
// bin/erp-bridge.js runs the build only while it is as new as every source (build-state.mjs).
import { build } from 'esbuild';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDir, root, sourceFiles } from './build-state.mjs';

const began = Date.now();
// Built beside build/ and swapped in whole: a process starting meanwhile finds the old build or
// the new one, never a half-written file, and output of a removed source does not stay behind.
const next = `${buildDir}.next-${process.pid}`;
const old = `${buildDir}.old-${process.pid}`;
try {
  await build({
    absWorkingDir: root,
    entryPoints: sourceFiles(),
    outdir: next,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  writeFileSync(path.join(next, '.built'), String(began));
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(buildDir, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  renameSync(next, buildDir);
} finally {
  rmSync(next, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
