// Rounding as the shop rounds (PHP's round(): half away from zero, floating-point noise removed).
import { describe, expect, it } from 'vitest';
import { roundHalfAway } from '../../app/erp/numbers.js';

describe('roundHalfAway', () => {
  it('rounds halves away from zero even where floating point holds them just below', () => {
    expect(0.7 * 0.0025).toBeLessThan(0.00175); // the trap itself: 0.0017499999999999998
    expect(roundHalfAway(0.7 * 0.0025, 4)).toBe(0.0018);
    expect(roundHalfAway(1.005, 2)).toBe(1.01); // 1.005 * 100 = 100.49999999999999
    expect(roundHalfAway(2.675, 2)).toBe(2.68);
    expect(roundHalfAway(-1.005, 2)).toBe(-1.01);
    expect(roundHalfAway(-0.125, 2)).toBe(-0.13);
  });

  it('leaves values below the half alone and keeps whole amounts', () => {
    expect(roundHalfAway(1.0049999, 2)).toBe(1);
    expect(roundHalfAway(37.0349, 2)).toBe(37.03);
    expect(roundHalfAway(7400, 2)).toBe(7400);
    expect(roundHalfAway(0, 4)).toBe(0);
    expect(roundHalfAway(123456.78905, 4)).toBe(123456.7891);
  });
});
