// Which lease each kind of journal run works under, and how long a run may wait for it. The
// services take their lease and wait from here, and so does the sweep that closes the runs of a
// process that died (dead-runs.ts): both must agree, or the sweep would close a run still waiting.
import { ORDER_STATUS_KIND, PUSH_KINDS } from '../sync/push-kinds.js';

export interface RunLease {
  /** The lease's name; null for a run that takes none (an order acknowledgement is one statement). */
  name: string | null;
  /** The longest the run waits for its lease after it is journaled as running. */
  waitMs: number;
}

/** A push waits for the one before it on the same URL (a big one can take minutes). */
export const PUSH_LEASE_WAIT_MS = 10 * 60_000;
/** The ERP's order statuses are small documents: a minute. */
export const STATUS_LEASE_WAIT_MS = 60_000;

export const RUN_KINDS = [...PUSH_KINDS, ORDER_STATUS_KIND, 'order-export', 'order-ack'] as const;

/** The lease of one integration URL: one push at a time per URL. */
export const pushLease = (kind: string): string => `push:${kind}`;
export const EXPORT_LEASE = 'task:order-export';

export function runLease(kind: string): RunLease {
  if ((PUSH_KINDS as readonly string[]).includes(kind)) return { name: pushLease(kind), waitMs: PUSH_LEASE_WAIT_MS };
  if (kind === ORDER_STATUS_KIND) return { name: pushLease(kind), waitMs: STATUS_LEASE_WAIT_MS };
  // The export journals its run only once it holds its lease.
  if (kind === 'order-export') return { name: EXPORT_LEASE, waitMs: 0 };
  return { name: null, waitMs: 0 };
}
