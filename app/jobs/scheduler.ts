// The built-in scheduler: node-cron ticks every minute; the order export runs when its interval
// setting says it is due. Changing the setting needs no restart. Two app instances never run
// the export at once: the run itself holds a database lease. The same tick downloads product
// images the ERP sent as URLs (when SHOP_IMAGE_DIR is set). While the module is uninstalled in
// the shop's admin, every tick idles.
import cron from 'node-cron';
import type { AppContext } from '../context.js';
import { OrderExporter } from '../sync/order-export.js';
import { Journal } from '../plugin/journal.js';
import { isExportDue } from './schedule.js';
import { downloadPendingImages } from '../sync/image-downloads.js';
import { moduleState } from '../shop/extension.js';
import { applyWaitingStatuses } from './status-queue.js';
import { checkAlerts } from '../admin/alerts.js';
import { pruneJournal } from '../plugin/retention.js';
import { closeDeadRuns } from '../plugin/dead-runs.js';
import { referenceOf } from '../util/reference.js';

export async function lastExportStart(ctx: AppContext): Promise<Date | null> {
  const run = await new Journal(ctx.db).lastOf('order-export');
  return run ? new Date(run.started_at.replace(' ', 'T')) : null;
}

/** When this process last pruned the journal (once a day; the first tick after start prunes). */
let lastPrune = 0;

export type TickOutcome = 'disabled' | 'not_due' | 'exported';

/** One minute's work of the scheduler. */
export async function schedulerTick(ctx: AppContext, exporter: OrderExporter, now = new Date()): Promise<TickOutcome> {
  // Runs of a process that died are closed first, so the verdict below already sees them as interrupted.
  const closed = await closeDeadRuns(ctx.db, now.getTime());
  if (closed) ctx.log.warn({ runs: closed }, 'journal runs of a stopped process closed as interrupted');
  // The e-mail alerts watch the verdict every minute, also while the module is uninstalled (that is a stop).
  await checkAlerts(ctx, { now }).catch((err) => ctx.log.warn({ err: (err as Error).message }, 'alert check failed'));
  if ((await moduleState(ctx.db)) === 'uninstalled') return 'disabled';
  if (ctx.config.shopImageDir) {
    const images = await downloadPendingImages(ctx.db, ctx.config.shopImageDir);
    if (images.done || images.failed) ctx.log.info(images, 'product images downloaded');
  }
  await applyWaitingStatuses(ctx);
  if (now.getTime() - lastPrune >= 86_400_000) {
    lastPrune = now.getTime();
    const pruned = await pruneJournal(ctx.db, ctx.config.journalKeepDays, now);
    if (pruned.runs || pruned.items || pruned.changes || pruned.blocks) ctx.log.info(pruned, 'journal pruned');
  }
  const settings = await ctx.settings.get();
  if (!isExportDue(settings, await lastExportStart(ctx), now)) return 'not_due';
  const r = await exporter.run('scheduler');
  if (!r.skipped && (r.prepared || r.exported || r.errors.length)) ctx.log.info({ run: r.run, prepared: r.prepared, exported: r.exported, errors: r.errors.length }, 'order export');
  return 'exported';
}

export function startScheduler(ctx: AppContext): { stop(): void } {
  const exporter = new OrderExporter(ctx.db, ctx.settings);
  let running = false;
  const task = cron.schedule('* * * * *', async () => {
    if (running) return;
    running = true;
    try {
      await schedulerTick(ctx, exporter);
    } catch (err) {
      ctx.log.error({ ref: referenceOf(err), err: (err as Error).message }, 'scheduled order export failed');
    } finally {
      running = false;
    }
  });
  return { stop: () => void task.stop() };
}
