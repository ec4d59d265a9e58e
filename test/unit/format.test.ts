// The admin's numbers, money, dates and "how long ago", in Hungarian and English.
import { describe, expect, it } from 'vitest';
import { formatter, parseStored } from '../../app/web/i18n/format.js';

// Intl separates groups with a no-break space (so "7 400 Ft" never wraps); compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
const hu = formatter('hu');
const en = formatter('en');

describe('format', () => {
  it('spells money the Hungarian way, whole forints without decimals', () => {
    expect(plain(hu.money(7400, 'HUF'))).toBe('7 400 Ft');
    expect(plain(hu.money('7400.0000', 'HUF'))).toBe('7 400 Ft');
    expect(plain(hu.money(7400.5, 'HUF'))).toBe('7 400,50 Ft');
    expect(plain(hu.money(1212.5, 'EUR'))).toBe('1 212,50 EUR');
    expect(plain(en.money(7400, 'HUF'))).toBe('HUF 7,400');
    expect(plain(en.money(1212.5, 'EUR'))).toBe('€1,212.50');
    expect(plain(hu.money(12, ''))).toBe('12');
    expect(hu.money(null, 'HUF')).toBe('');
  });

  it('groups every number of four digits or more', () => {
    expect(plain(hu.number(250000))).toBe('250 000');
    expect(plain(hu.number(1234.5))).toBe('1 234,5');
    expect(en.number(250000)).toBe('250,000');
    expect(hu.number('x')).toBe('');
  });

  it('spells stored dates and times without shifting the wall clock', () => {
    expect(hu.date('2026-11-23')).toBe('2026. 11. 23.');
    expect(hu.dateTime('2026-11-23 14:05:09')).toBe('2026. 11. 23. 14:05');
    expect(en.dateTime('2026-11-23 14:05:09')).toBe('23 Nov 2026, 14:05');
    expect(hu.time('2026-11-23 04:05:09')).toBe('04:05:09');
    expect(hu.date('0000-00-00')).toBe('');
    expect(parseStored('nonsense')).toBeNull();
  });

  it('says how long ago, in words', () => {
    const now = new Date(2026, 10, 23, 15, 0, 0);
    expect(hu.relative('2026-11-23 12:00:00', now)).toBe('3 órája');
    expect(en.relative('2026-11-23 12:00:00', now)).toBe('3 hours ago');
    expect(en.relative('2026-11-23 14:00:00', now)).toBe('1 hour ago');
    expect(hu.relative('2026-11-23 14:55:00', now)).toBe('5 perce');
    expect(hu.relative('2026-11-23 14:59:50', now)).toBe('épp most');
    expect(hu.relative('2026-11-20 15:00:00', now)).toBe('3 napja');
    expect(hu.relative('2026-11-23 15:30:00', now)).toBe('30 perc múlva');
    expect(en.relative('2026-11-24 15:00:00', now)).toBe('in 1 day');
  });

  it('spells durations', () => {
    expect(hu.duration(85)).toBe('85 ms');
    expect(hu.duration(1234)).toBe('1,2 mp');
    expect(en.duration(83_000)).toBe('1 min 23 s');
    expect(hu.duration(null)).toBe('');
  });
});
