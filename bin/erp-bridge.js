#!/usr/bin/env -S node --max-semi-space-size=32 --heap-growing-percent=50
// (A 32 MB young generation: reading a 100,000-record push makes short-lived objects fast, and
// with the default one a third of its time went to collecting them. An old generation that grows
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
