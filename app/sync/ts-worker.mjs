// Starts a worker thread written in TypeScript when erp-bridge runs from source (tests, tsx):
// worker threads do not take the parent's loader, so tsx is registered here first. The build
// runs the compiled worker directly and never loads this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
