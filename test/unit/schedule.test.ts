import { describe, expect, it } from 'vitest';
import { isExportDue, nextExportAt } from '../../app/jobs/schedule.js';
import { backoffMs } from '../../app/sync/order-export.js';

const at = (hm: string, day = 23) => new Date(2026, 10, day, Number(hm.slice(0, 2)), Number(hm.slice(3, 5)));

describe('export schedule', () => {
  it('runs every N minutes after the last run', () => {
    const s = { export_interval: '5' as const, export_daily_at: '02:00' };
    expect(isExportDue(s, null, at('10:00'))).toBe(true);
    expect(isExportDue(s, at('10:00'), at('10:04'))).toBe(false);
    expect(isExportDue(s, at('10:00'), at('10:05'))).toBe(true);
    expect(nextExportAt(s, at('10:00'), at('10:01'))).toEqual(at('10:05'));
  });
  it('runs daily once at the given time', () => {
    const s = { export_interval: 'daily' as const, export_daily_at: '02:30' };
    expect(isExportDue(s, at('02:30', 22), at('02:29'))).toBe(false);
    expect(isExportDue(s, at('02:30', 22), at('02:30'))).toBe(true);
    expect(isExportDue(s, at('02:30'), at('09:00'))).toBe(false);
    expect(nextExportAt(s, at('02:30'), at('09:00'))).toEqual(at('02:30', 24));
  });
  it('never runs by itself when manual', () => {
    expect(isExportDue({ export_interval: 'manual', export_daily_at: '02:00' }, null, at('10:00'))).toBe(false);
  });
  it('backs off exponentially up to a ceiling', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 30_000, 3_600_000))).toEqual([30_000, 60_000, 120_000, 240_000, 3_600_000]);
  });
});
