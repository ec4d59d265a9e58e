import { describe, expect, it } from 'vitest';
import { SETTING_KEYS, DEFAULTS, formatSetting, parseSetting } from '../../app/settings/schema.js';

describe('settings schema', () => {
  it('parses each kind of value and names the accepted values on error', () => {
    expect(parseSetting('sync_type', ' full ')).toBe('full');
    expect(() => parseSetting('sync_type', 'all')).toThrow('sync_type: must be one of stock_price, full');
    expect(parseSetting('vat_map', '27=9, 5=10,18,0=11'.replace(',18', ''))).toEqual({ '27': 9, '5': 10, '0': 11 });
    expect(() => parseSetting('vat_map', '27:9')).toThrow(/RATE=TAX_CLASS_ID/);
    expect(parseSetting('promo_customer_groups', '1, 2,2')).toEqual([1, 2]);
    expect(() => parseSetting('promo_customer_groups', '1,x')).toThrow(/"x" is not an id/);
    expect(parseSetting('export_transport', 'feed,http')).toEqual(['feed', 'http']);
    expect(() => parseSetting('export_url', 'ftp://x')).toThrow(/http/);
  });

  it('takes the export start date the Hungarian way too, and stores it as YYYY-MM-DD', () => {
    for (const typed of ['2026-01-01', '2026.01.01.', '2026. 01. 01.', '2026.1.1', '2026/01/01']) expect(parseSetting('export_start_date', typed)).toBe('2026-01-01');
    expect(parseSetting('export_start_date', '')).toBe('');
    for (const bad of ['2026.02.30.', '01.01.2026', 'tegnap']) expect(() => parseSetting('export_start_date', bad)).toThrow(/date/);
  });

  it('formats every default so that parsing gives it back', () => {
    for (const key of SETTING_KEYS) expect(parseSetting(key, formatSetting(key, DEFAULTS[key]))).toEqual(DEFAULTS[key]);
  });
});
