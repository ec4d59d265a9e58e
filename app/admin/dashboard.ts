// What the dashboard shows: the sync's verdict (rules in ./health.ts), each URL's last success
// and failure, the order export, and 30 days of activity. Every query is an index seek or reads
// the per-day totals, so the page stays fast under a million journal runs.
import type { AppContext } from '../context.js';
import type { Database } from '../db/database.js';
import { describeDbError } from '../db/database.js';
import { nextExportAt } from '../jobs/schedule.js';
import { Journal, type RunRow } from '../plugin/journal.js';
import { Outbox } from '../plugin/outbox.js';
import { SettingsService } from '../settings/settings-service.js';
import type { Settings } from '../settings/schema.js';
import { addDays, formatDateTime, today } from '../util/time.js';
import { moduleState } from '../shop/extension.js';
import { anyOrderToPrepare, defaultExportStatuses } from '../shop/orders.js';
import { missingForExport } from '../sync/order-export.js';
import { BUSY, FAILURE_STATUSES, judge, runTime, SUCCESS_STATUSES, URL_KINDS, type Health, type UrlKind, type UrlState } from './health.js';

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
  health: Health;
  /** The latest order export run. */
  lastExport: RunRow | null;
  outbox: { waiting: number; held: number; failed: number; exported: number };
  /** The scheduler exports orders on its own (ERP_BRIDGE_SCHEDULER not off, interval not manual). */
  schedulerOn: boolean;
  nextExport: string | null;
  /** The module is uninstalled in the shop: the scheduler idles. */
  idle: boolean;
  staleAfterHours: number;
  /** The alert settings as stored (the dashboard's alert form). */
  alertEmail: string;
  /** Settings are filled in but a URL's latest push was refused for its credentials or configuration. */
  settingsRefused: UrlKind[];
  chart: { days: ChartDay[]; max: number; top: number; ticks: number[] };
}

/**
 * Each URL's newest real (not dry-run) successful and failed run, in two statements: one SELECT of
 * a MAX(id) per kind and status (each a seek at the end of the index (kind, dry_run, status, id),
 * migration 007), then those rows by id. An ORDER BY id DESC LIMIT 1 per status let MariaDB merge
 * the (status, id) and (kind, id) indexes instead: 5 s at a million runs.
 */
async function lastRunsOf(db: Database, kinds: readonly string[]): Promise<Map<string, { success: RunRow | null; failure: RunRow | null }>> {
  const table = db.own('journal_run');
  const statuses = [...SUCCESS_STATUSES, ...FAILURE_STATUSES];
  const cells = kinds.flatMap((kind) => statuses.map((status) => ({ kind, status })));
  const row = db.dialect.rows<Record<string, unknown>>(await db.knex.raw(
    `SELECT ${cells.map((_, i) => `(SELECT MAX(id) FROM ${table} WHERE kind = ? AND dry_run = 0 AND status = ?) AS m${i}`).join(', ')}`,
    cells.flatMap((c) => [c.kind, c.status]),
  ))[0] ?? {};
  const ids = cells.map((_, i) => Number(row[`m${i}`] ?? 0));
  const wanted = ids.filter((id) => id > 0);
  const runs = new Map<number, RunRow>();
  if (wanted.length) for (const r of (await db.knex(table).whereIn('id', wanted).select()) as RunRow[]) runs.set(Number(r.id), r);
  const out = new Map<string, { success: RunRow | null; failure: RunRow | null }>();
  for (const kind of kinds) {
    const newest = (group: readonly string[]) => {
      const id = Math.max(0, ...cells.map((c, i) => (c.kind === kind && group.includes(c.status) ? ids[i]! : 0)));
      return runs.get(id) ?? null;
    };
    out.set(kind, { success: newest(SUCCESS_STATUSES), failure: newest(FAILURE_STATUSES) });
  }
  return out;
}

export function schedulerOn(settings: Settings): boolean {
  return process.env.ERP_BRIDGE_SCHEDULER !== 'off' && settings.export_interval !== 'manual';
}

interface HealthData {
  health: Health;
  settings: Settings;
  idle: boolean;
  lastExport: RunRow | null;
  outbox: Dashboard['outbox'];
  missing: string[];
}

/** Reads what the verdict needs and judges it (the dashboard and the alerts share this). */
export async function loadHealth(ctx: AppContext, now = new Date()): Promise<HealthData> {
  // Independent reads side by side (a MySQL pool runs them at once).
  const [settings, state, last, counts, lastExportRow] = await Promise.all([
    ctx.settings.get(),
    moduleState(ctx.db),
    lastRunsOf(ctx.db, URL_KINDS),
    new Outbox(ctx.db).counts(),
    new Journal(ctx.db).lastOf('order-export'),
  ]);
  const idle = state === 'uninstalled';
  const urls: UrlState[] = URL_KINDS.map((kind) => ({
    kind,
    active: kind !== 'categories' || settings.sync_type === 'full',
    lastSuccess: last.get(kind)!.success,
    lastFailure: last.get(kind)!.failure,
  }));
  const missingExport = missingForExport(settings);
  let eligible = 0;
  if (!missingExport.length && !idle) {
    const statuses = settings.export_statuses.length ? settings.export_statuses : await defaultExportStatuses(ctx.db);
    eligible = (await anyOrderToPrepare(ctx.db, { statuses, startDate: settings.export_start_date })) ? 1 : 0;
  }
  const lastExport = lastExportRow ?? null;
  const outbox = { waiting: counts.waiting ?? 0, held: counts.attention ?? 0, failed: counts.failed ?? 0, exported: counts.exported ?? 0 };
  const missing = SettingsService.missing(settings);
  const health = judge({
    now,
    databaseOk: true,
    moduleUninstalled: idle,
    missingSettings: missing,
    missingExport,
    staleAfterHours: settings.stale_after_hours,
    urls,
    schedulerOn: schedulerOn(settings),
    ordersWaiting: outbox.waiting + eligible,
    ordersHeld: outbox.held,
    ordersFailed: outbox.failed,
    lastExport,
  });
  return { health, settings, idle, lastExport, outbox, missing: [...new Set([...missing, ...missingExport])] };
}

/** 1, 10, 100, … up to the first power of ten at or over the largest value (a log scale's ticks). */
export function logTicks(max: number): { top: number; ticks: number[] } {
  const ticks = [1];
  while (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! * 10);
  return { top: ticks[ticks.length - 1]!, ticks };
}

export async function loadDashboard(ctx: AppContext): Promise<Dashboard> {
  const journal = new Journal(ctx.db);
  let version = 'none';
  try {
    // The last migration's name, read directly: the admin runs after `serve` migrated, and asking
    // information_schema whether the table exists took 40 ms on a server with many databases.
    const row = await ctx.db.knex(ctx.db.own('migrations')).orderBy('id', 'desc').first('name');
    version = (row?.name as string | undefined) ?? 'none';
  } catch (err) {
    return {
      database: { ok: false, dialect: ctx.db.dialect.name, version, error: describeDbError(err) },
      missing: [], health: judge({ now: new Date(), databaseOk: false } as never), lastExport: null,
      outbox: { waiting: 0, held: 0, failed: 0, exported: 0 }, schedulerOn: false, nextExport: null, idle: false, staleAfterHours: 0, alertEmail: '', settingsRefused: [],
      chart: { days: [], max: 0, top: 1, ticks: [1] },
    };
  }
  const from = addDays(today(), -29);
  const [h, rows] = await Promise.all([loadHealth(ctx), journal.days(from)]);
  const on = schedulerOn(h.settings) && !h.idle;
  const next = on ? nextExportAt(h.settings, runTime(h.lastExport?.started_at), new Date()) : null;
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
  const max = Math.max(0, ...days.flatMap((d) => [d.applied, d.problems, d.exported]));
  const settingsRefused = h.health.urls
    .filter((u) => u.failing && [401, 403, 503].includes(Number(u.lastFailure?.http_status)) && !BUSY.test(String(u.lastFailure?.message ?? '')) && !/unavailable/.test(String(u.lastFailure?.message ?? '')))
    .map((u) => u.kind);
  return {
    database: { ok: true, dialect: ctx.db.dialect.name, version },
    // What the integration URLs need, then what the order export waits for (nothing is queued before).
    missing: h.missing,
    health: h.health,
    lastExport: h.lastExport,
    outbox: h.outbox,
    schedulerOn: on,
    nextExport: next ? formatDateTime(next) : null,
    idle: h.idle,
    staleAfterHours: h.settings.stale_after_hours,
    alertEmail: h.settings.alert_email,
    settingsRefused,
    chart: { days, max, ...logTicks(max) },
  };
}
