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

  it('refuses a value that only contains a valid one: whole-value patterns, bounds and lengths', () => {
    const refused = (key: Parameters<typeof parseSetting>[0], raw: string, message: RegExp) => {
      let err: unknown;
      try {
        parseSetting(key, raw);
      } catch (e) {
        err = e;
      }
      expect(err, `${key} = ${JSON.stringify(raw)}`).toMatchObject({ name: 'SettingError', message: expect.stringMatching(message) });
      expect((err as Error).message.startsWith(`${key}: `)).toBe(true);
    };
    for (const v of ['1x', 'x1', '1 2']) refused('promo_customer_groups', v, new RegExp(`^promo_customer_groups: "${v.split(',')[0]}" is not an id`));
    for (const v of ['0', '1025', '1.5', '', 'x']) refused('max_body_mb', v, /^max_body_mb: must be a whole number of megabytes from 1 to 1024$/);
    expect([parseSetting('max_body_mb', ' 1 '), parseSetting('max_body_mb', '1024')]).toEqual([1, 1024]);
    for (const v of ['24:00', '9:00', 'x09:00', '09:00x', '09:60']) refused('export_daily_at', v, /^export_daily_at: must be a time HH:MM$/);
    expect([parseSetting('export_daily_at', ' 23:59 '), parseSetting('export_daily_at', '00:00'), parseSetting('export_daily_at', '19:05')]).toEqual(['23:59', '00:00', '19:05']);
    for (const v of ['x2026-01-01', '2026-01-01x', '2026-02-30']) refused('export_start_date', v, /^export_start_date: must be a date YYYY-MM-DD/);
    expect([parseSetting('export_start_date', ' 2026-01-31 '), parseSetting('export_start_date', '')]).toEqual(['2026-01-31', '']);
    for (const v of ['1a', 'a1']) refused('tax_number_field', v, /^tax_number_field: must be a custom field id or empty$/);
    expect(parseSetting('tax_number_field', ' 12 ')).toBe('12');
    for (const v of ['x27=9', '27=9x', '27=', '=9', '123=9']) refused('vat_map', v, /is not RATE=TAX_CLASS_ID/);
    expect(parseSetting('vat_map', ' 5.5 = 10 ;'.replace(';', ''))).toEqual({ '5.5': 10 });
    for (const v of ['ftp://erp.example/in', 'mailto:a@b.hu', 'erp.example']) refused('export_url', v, /^export_url: must be an http\(s\) URL or empty$/);
    expect([parseSetting('export_url', ' https://erp.example/in '), parseSetting('export_url', 'http://10.0.0.1:8080/x')]).toEqual(['https://erp.example/in', 'http://10.0.0.1:8080/x']);
    expect(parseSetting('webshop_id', 'x'.repeat(64))).toBe('x'.repeat(64));
    refused('webshop_id', 'x'.repeat(65), /^webshop_id: must be at most 64 characters$/);
    refused('webshop_id', 'a\u0001b', /^webshop_id: must not contain control characters/);
    expect(parseSetting('export_transport', ' http , http,feed ')).toEqual(['http', 'feed']);
    refused('export_transport', 'http,ftp', /^export_transport: must be one of feed, http, file$/);
  });
});

