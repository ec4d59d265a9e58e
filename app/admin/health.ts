// The sync's health in one verdict (issue 13): working, needs attention, or stopped. The rules
// are pure (no database, no clock of their own) so each is tested on its own and the dashboard,
// the e-mail alerts and the README say the same thing.
//
// STOPPED (nothing reaches the shop or the ERP until someone acts) when any of:
//   db_down           the shop's database cannot be reached;
//   module_off        the erp-bridge module is uninstalled in the shop (the URLs answer 503);
//   settings_missing  the webshop id or the password (or an import password) is not set, so the
//                     ERP cannot call in;
//   url_failing       the latest real (not dry-run) push to an integration URL was rejected, failed
//                     or was interrupted, and nothing succeeded on that URL since; except a refusal
//                     that says nothing about the ERP's own document (wrong credentials, throttled,
//                     another push still running: anyone who finds the URL can cause those) while
//                     the URL's last success is recent (within the staleness threshold, 24 h when
//                     0): that is `url_refused` below, so a stranger's wrong key is no "stopped";
//   export_stopped    orders wait for the ERP (in the outbox, or eligible and not yet queued) while
//                     nothing exports them: the scheduler is off (ERP_BRIDGE_SCHEDULER=off or the
//                     interval is "manual") and no export ran within the staleness threshold
//                     (24 h when the threshold is 0), so a system cron running `export-orders` counts.
// NEEDS ATTENTION (sync runs, but something is left behind) when none of the above and any of:
//   never             the prices or stock URL never had a successful push yet;
//   stale             a URL's last successful push is older than `stale_after_hours` (0 = never warn);
//                     only URLs that succeeded at least once and are active (categories: full sync),
//                     and never the optional order-status URL (see OPTIONAL_KINDS);
//   url_refused       the latest call to a URL was refused for its credentials, throttled or found
//                     the URL busy, but the ERP's last success there is recent (see url_failing), or
//                     the URL is optional and the ERP never used it (`optional_refused`: nothing
//                     depends on it yet);
//   partial           the latest push to a URL applied only part of its records (unknown, invalid,
//                     ambiguous products);
//   orders_held       orders held aside ("needs attention" in the outbox: a document that cannot be
//                     built, e.g. a missing ERP code);
//   orders_failed     orders whose delivery failed for good;
//   export_failing    the latest order export run failed, partly failed or was interrupted;
//   export_not_set_up the order export's required settings are missing (no order is queued).
// WORKING otherwise.
import type { RunRow } from '../plugin/journal.js';

export type Verdict = 'working' | 'attention' | 'stopped';

export const URL_KINDS = ['prices', 'stock', 'promo-prices', 'categories', 'order-status'] as const;
export type UrlKind = (typeof URL_KINDS)[number];

/**
 * URLs the ERP may never call: many ERPs send no order statuses (issue 15), and one that does
 * calls only when an order changes, so silence there is no warning ("never" or "stale"). A refused,
 * failing or partial push to them counts like any other.
 */
export const OPTIONAL_KINDS: ReadonlySet<UrlKind> = new Set(['order-status']);

export const SUCCESS_STATUSES = ['ok', 'partial'] as const;
export const FAILURE_STATUSES = ['rejected', 'failed', 'interrupted'] as const;

export interface UrlState {
  kind: UrlKind;
  /** Categories are taken only in full sync. */
  active: boolean;
  lastSuccess: RunRow | null;
  lastFailure: RunRow | null;
}

export interface HealthInput {
  now: Date;
  databaseOk: boolean;
  moduleUninstalled: boolean;
  missingSettings: string[];
  missingExport: string[];
  staleAfterHours: number;
  urls: UrlState[];
  /** The scheduler runs the export: ERP_BRIDGE_SCHEDULER is not off and the interval is not manual. */
  schedulerOn: boolean;
  /** Orders waiting for the ERP: in the outbox, or eligible in the shop and not queued yet (0 or more). */
  ordersWaiting: number;
  ordersHeld: number;
  ordersFailed: number;
  lastExport: RunRow | null;
}

export interface Reason {
  level: Exclude<Verdict, 'working'>;
  code: string;
  kind?: string;
  vars?: Record<string, string | number>;
  /** The journal run the reason points at. */
  run?: number;
}

export interface UrlHealth extends UrlState {
  /** Milliseconds since the last successful push, null when never. */
  sinceSuccessMs: number | null;
  stale: boolean;
  failing: boolean;
  /** Refused for who called or when (credentials, throttled, busy), with a recent success: a warning, not a stop. */
  refused: boolean;
  partial: boolean;
}

export interface Health {
  verdict: Verdict;
  reasons: Reason[];
  urls: UrlHealth[];
  /** A short, stable text of the state (verdict and reason codes), compared by the alerts. */
  signature: string;
}

const HOUR = 3_600_000;

/** The 503 message of a push that found another one running ("another push …", "another order status push …"). */
export const BUSY = /another (?:order status )?push/;

/** Failures that tell about the caller or the moment, not about the ERP's document (see url_refused). */
const CALLER_FAILURES = new Set(['failure.credentials', 'failure.throttled', 'failure.busy']);

/** 'YYYY-MM-DD HH:MM:SS' (local wall-clock time, as the journal writes it) → Date. */
export function runTime(at: string | null | undefined): Date | null {
  if (!at) return null;
  const d = new Date(String(at).replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? null : d;
}

function urlHealth(u: UrlState, i: HealthInput): UrlHealth {
  const successAt = runTime(u.lastSuccess?.finished_at ?? u.lastSuccess?.started_at);
  const sinceSuccessMs = successAt ? Math.max(0, i.now.getTime() - successAt.getTime()) : null;
  const failedLast = !!u.lastFailure && Number(u.lastFailure.id) > Number(u.lastSuccess?.id ?? 0);
  const recentSuccess = sinceSuccessMs !== null && sinceSuccessMs <= (i.staleAfterHours > 0 ? i.staleAfterHours : 24) * HOUR;
  // An optional URL the ERP never used stops nothing: a wrong key there is a warning, not a stop.
  const nothingDepends = recentSuccess || (OPTIONAL_KINDS.has(u.kind) && !u.lastSuccess);
  const refused = failedLast && nothingDepends && CALLER_FAILURES.has(failureKey(u.lastFailure!));
  const failing = failedLast && !refused;
  const partial = !failing && u.lastSuccess?.status === 'partial';
  const stale = u.active && !OPTIONAL_KINDS.has(u.kind) && i.staleAfterHours > 0 && sinceSuccessMs !== null && sinceSuccessMs > i.staleAfterHours * HOUR;
  return { ...u, sinceSuccessMs, stale, failing, refused, partial };
}

export function judge(i: HealthInput): Health {
  const reasons: Reason[] = [];
  const stop = (code: string, extra: Omit<Reason, 'level' | 'code'> = {}) => reasons.push({ level: 'stopped', code, ...extra });
  const warn = (code: string, extra: Omit<Reason, 'level' | 'code'> = {}) => reasons.push({ level: 'attention', code, ...extra });
  if (!i.databaseOk) {
    stop('db_down');
    return finish(reasons, []);
  }
  const urls = i.urls.map((u) => urlHealth(u, i));
  if (i.moduleUninstalled) stop('module_off');
  if (i.missingSettings.length) stop('settings_missing', { vars: { count: i.missingSettings.length } });
  for (const u of urls) if (u.failing) stop('url_failing', { kind: u.kind, run: Number(u.lastFailure!.id) });
  const exportWindowMs = (i.staleAfterHours > 0 ? i.staleAfterHours : 24) * HOUR;
  const lastExportAt = runTime(i.lastExport?.started_at);
  const exportRanLately = !!lastExportAt && i.now.getTime() - lastExportAt.getTime() <= exportWindowMs;
  if (i.ordersWaiting > 0 && !i.schedulerOn && !exportRanLately) stop('export_stopped', { vars: { count: i.ordersWaiting } });

  for (const u of urls) {
    if (u.failing) continue;
    if (!u.lastSuccess && (u.kind === 'prices' || u.kind === 'stock')) warn('never', { kind: u.kind });
    else if (u.stale) warn('stale', { kind: u.kind, vars: { hours: i.staleAfterHours }, run: Number(u.lastSuccess!.id) });
    if (u.refused) warn(u.lastSuccess ? 'url_refused' : 'optional_refused', { kind: u.kind, run: Number(u.lastFailure!.id) });
    if (u.partial) warn('partial', { kind: u.kind, run: Number(u.lastSuccess!.id) });
  }
  if (i.ordersHeld > 0) warn('orders_held', { vars: { count: i.ordersHeld } });
  if (i.ordersFailed > 0) warn('orders_failed', { vars: { count: i.ordersFailed } });
  const e = i.lastExport;
  if (e && (['failed', 'interrupted', 'partial', 'rejected'] as string[]).includes(e.status)) warn('export_failing', { run: Number(e.id) });
  if (i.missingExport.length) warn('export_not_set_up', { vars: { count: i.missingExport.length } });
  return finish(reasons, urls);
}

function finish(reasons: Reason[], urls: UrlHealth[]): Health {
  const verdict: Verdict = reasons.some((r) => r.level === 'stopped') ? 'stopped' : reasons.length ? 'attention' : 'working';
  // Counts stay out of the signature: a second held order is the same state, not a new alert.
  const codes = [...new Set(reasons.map((r) => (r.kind ? `${r.code}.${r.kind}` : r.code)))].sort();
  return { verdict, reasons, urls, signature: verdict === 'working' ? 'working' : `${verdict}:${codes.join(',')}` };
}

/** The words for a failed run: what happened, by HTTP status (the journal's message is for the log). */
export function failureKey(run: Pick<RunRow, 'status' | 'http_status' | 'message'>): string {
  const s = Number(run.http_status ?? 0);
  if (run.status === 'interrupted') return 'failure.interrupted';
  if (s === 401 || s === 403) return 'failure.credentials';
  if (s === 429) return 'failure.throttled';
  if (s === 503 && /disabled/.test(String(run.message ?? ''))) return 'failure.disabled';
  if (s === 503 && /not configured/.test(String(run.message ?? ''))) return 'failure.not_configured';
  if (s === 413) return 'failure.too_large';
  if (s === 409) return 'failure.sync_type';
  if (s === 503 && BUSY.test(String(run.message ?? ''))) return 'failure.busy';
  if (s === 503 && /unavailable/.test(String(run.message ?? ''))) return 'failure.database';
  if (s >= 400 && s < 500) return 'failure.document';
  return 'failure.server';
}
