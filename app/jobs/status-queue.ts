// The scheduler's share of the order status feature: every tick, changes still waiting for the
// shop's API (it was down, or not set up yet) are offered to it again, oldest first. A failure
// here never stops the tick's other work.
import type { AppContext } from '../context.js';
import { OrderStatusService } from '../sync/order-status.js';

export async function applyWaitingStatuses(ctx: AppContext): Promise<void> {
  try {
    const r = await new OrderStatusService(ctx.db, ctx.settings).drain();
    if (r.applied || r.direct || r.failed) ctx.log.info({ applied: r.applied, direct: r.direct, failed: r.failed, waiting: r.retrying }, 'order status changes applied in the shop');
    else if (r.error) ctx.log.warn({ waiting: r.retrying, error: r.error }, 'order status changes still wait for the shop');
  } catch (err) {
    ctx.log.error({ err: (err as Error).message }, 'applying waiting order status changes failed');
  }
}
