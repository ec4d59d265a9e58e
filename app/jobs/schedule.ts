// When the order export is due, from its interval setting and the last run. Pure, so the
// rules are tested without waiting for a clock.
import type { Settings } from '../settings/schema.js';

export function isExportDue(s: Pick<Settings, 'export_interval' | 'export_daily_at'>, lastRunAt: Date | null, now: Date): boolean {
  if (s.export_interval === 'manual') return false;
  if (s.export_interval === 'daily') {
    const [h, m] = s.export_daily_at.split(':').map(Number) as [number, number];
    const today = new Date(now);
    today.setHours(h, m, 0, 0);
    return now >= today && (!lastRunAt || lastRunAt < today);
  }
  if (!lastRunAt) return true;
  const minutes = Number(s.export_interval);
  // A few seconds of slack, so a run that took a moment does not slip a whole tick.
  return now.getTime() - lastRunAt.getTime() >= minutes * 60_000 - 5_000;
}

/** The next time a run is due, for the dashboard; null when manual only. */
export function nextExportAt(s: Pick<Settings, 'export_interval' | 'export_daily_at'>, lastRunAt: Date | null, now: Date): Date | null {
  if (s.export_interval === 'manual') return null;
  if (s.export_interval === 'daily') {
    const [h, m] = s.export_daily_at.split(':').map(Number) as [number, number];
    const at = new Date(now);
    at.setHours(h, m, 0, 0);
    if (at <= now && lastRunAt && lastRunAt >= at) at.setDate(at.getDate() + 1);
    return at;
  }
  if (!lastRunAt) return now;
  return new Date(Math.max(now.getTime(), lastRunAt.getTime() + Number(s.export_interval) * 60_000));
}
