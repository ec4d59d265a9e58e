// The admin's "retry" and "export again": the order's document is rebuilt from the shop's
// current rows first (a name fixed in the shop, a corrected total), then queued again. Only
// when the order is gone from the shop is the stored document sent as it was.
import type { Database } from '../db/database.js';
import { Outbox, type OutboxState } from '../plugin/outbox.js';
import type { SettingsService } from '../settings/settings-service.js';
import { orderDocumentBuilder } from './order-documents.js';

export interface RequeueResult {
  requeued: boolean;
  /** The state the order is in now: waiting, or attention when the rebuilt document still has a problem. */
  state?: OutboxState;
  problem?: string | null;
}

export async function requeueOrder(db: Database, settings: SettingsService, orderId: number, from: OutboxState[]): Promise<RequeueResult> {
  const outbox = new Outbox(db);
  const row = await outbox.get(orderId);
  if (!row || !from.includes(row.state)) return { requeued: false };
  const [built] = await (await orderDocumentBuilder(db, await settings.get())).build([orderId]);
  if (!(await outbox.requeue(orderId, from))) return { requeued: false };
  if (!built) return { requeued: true, state: 'waiting', problem: null };
  await outbox.replaceDocument(orderId, built.document, built.problem);
  return { requeued: true, state: built.problem ? 'attention' : 'waiting', problem: built.problem };
}
