#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
// (An 8 MB young generation: since round 20 a push's document is read on its own thread, with a
// young generation of its own; this thread's 32 MB, set when it read documents itself, then only
// added 60–75 MB to a 100,000-record push's peak, at no gain in time. An old generation that grows
// by half, not up to four times, before its next full collection: during a million-record push
// the heap otherwise filled to 400 MB with garbage of a 100 MB live set. `npm start` passes the same.)
// Runs build/ (`npm run build`, done by `npm start`) when it is as new as every source; else the
// TypeScript sources themselves through tsx, so an edited source never runs stale.
import { buildIsFresh } from '../scripts/build-state.mjs';

let main;
if (process.env.ERP_BRIDGE_SOURCES !== '1' && buildIsFresh()) {
  ({ main } = await import('../build/app/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../app/cli/main.ts'));
}
const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
