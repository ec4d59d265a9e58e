// What the dashboard shows: connection state, last runs, next export, 30 days of activity.
import type { AppContext } from '../context.js';
import { schemaVersion } from '../db/migrate.js';
import { describeDbError } from '../db/database.js';
import { lastExportStart } from '../jobs/scheduler.js';
import { nextExportAt } from '../jobs/schedule.js';
import { Journal, type RunRow } from '../plugin/journal.js';
import { SettingsService } from '../settings/settings-service.js';
import { addDays, formatDateTime, today } from '../util/time.js';
import { moduleState } from '../shop/extension.js';
import { missingForExport } from '../sync/order-export.js';

export const RUN_KINDS = ['prices', 'stock', 'promo-prices', 'categories', 'order-status', 'order-export'] as const;

export interface ChartDay {
  day: string;
  applied: number;
  problems: number;
  exported: number;
}

export interface Dashboard {
  database: { ok: boolean; dialect: string; version: string; error?: string };
  missing: string[];
  lastRuns: Array<{ kind: string; run: RunRow | null }>;
  nextExport: string | null;
  /** The module is uninstalled in the shop: the scheduler idles. */
  idle: boolean;
  chart: { days: ChartDay[]; max: number };
}

export async function loadDashboard(ctx: AppContext): Promise<Dashboard> {
  const journal = new Journal(ctx.db);
  let version = 'none';
  try {
    version = await schemaVersion(ctx.db);
  } catch (err) {
    return { database: { ok: false, dialect: ctx.db.dialect.name, version, error: describeDbError(err) }, missing: [], lastRuns: [], nextExport: null, idle: false, chart: { days: [], max: 0 } };
  }
  const settings = await ctx.settings.get();
  const lastRuns = await Promise.all(RUN_KINDS.map(async (kind) => ({ kind, run: (await journal.lastOf(kind)) ?? null })));
  const idle = (await moduleState(ctx.db)) === 'uninstalled';
  const next = idle ? null : nextExportAt(settings, await lastExportStart(ctx), new Date());
  const from = addDays(today(), -29);
  const rows = await journal.days(from);
  const days: ChartDay[] = [];
  for (let i = 0; i < 30; i++) {
    const day = addDays(from, i);
    const of = rows.filter((r) => r.day === day);
    days.push({
      day,
      applied: of.filter((r) => r.kind !== 'order-export').reduce((a, r) => a + r.applied, 0),
      problems: of.reduce((a, r) => a + r.problems, 0),
      exported: of.filter((r) => r.kind === 'order-export').reduce((a, r) => a + r.applied, 0),
    });
  }
  return {
    database: { ok: true, dialect: ctx.db.dialect.name, version },
    // What the integration URLs need, then what the order export waits for (nothing is queued before).
    missing: [...new Set([...SettingsService.missing(settings), ...missingForExport(settings)])],
    lastRuns,
    nextExport: next ? formatDateTime(next) : null,
    idle,
    chart: { days, max: Math.max(1, ...days.flatMap((d) => [d.applied, d.problems, d.exported])) },
  };
}
