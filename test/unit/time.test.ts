import { describe, expect, it } from 'vitest';
import { addDays, parseErpDate } from '../../app/util/time.js';

describe('dates', () => {
  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
  it('reads the date forms an ERP sends and rejects impossible dates', () => {
    expect(parseErpDate('2026.11.30.')).toBe('2026-11-30');
    expect(parseErpDate('2026-1-5')).toBe('2026-01-05');
    expect(parseErpDate('2026-11-30 00:00:00')).toBe('2026-11-30');
    expect(parseErpDate('2026-02-30')).toBeNull();
    expect(parseErpDate('tomorrow')).toBeNull();
  });
});
