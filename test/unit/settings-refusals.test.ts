// Every setting parser's refusal carries a code and values (the admin translates them into the
// owner's language) besides the English message, and accepts exactly what its rule says.
import { describe, expect, it } from 'vitest';
import { formatSetting, normalizeRate, parseDay, parseSetting, SettingError, type SettingKey } from '../../app/settings/schema.js';

const refusal = (key: SettingKey, raw: string) => {
  try {
    parseSetting(key, raw);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingError);
    const err = e as SettingError;
    expect(err.message).toBe(`${key}: ${err.refusal.message}`);
    return err.refusal;
  }
  throw new Error(`${key} = ${JSON.stringify(raw)} was accepted`);
};

describe('setting refusals carry their code and values', () => {
  it('a value not among the choices names them', () => {
    expect(refusal('order_lines', 'all')).toEqual({ code: 'one_of', vars: { values: 'full, code_quantity, code_quantity_price' }, message: 'must be one of full, code_quantity, code_quantity_price' });
  });

  it('text: at most its length, no control characters', () => {
    expect(parseSetting('revenue_group', ` ${'x'.repeat(64)} `)).toBe('x'.repeat(64));
    expect(refusal('revenue_group', 'x'.repeat(65))).toEqual({ code: 'too_long', vars: { max: 64 }, message: 'must be at most 64 characters' });
    expect(refusal('revenue_group', 'a\u0001b')).toEqual({ code: 'control', vars: {}, message: 'must not contain control characters' });
  });

  it('id lists: whole numbers only, each named when refused; blanks between commas skipped', () => {
    expect(parseSetting('export_statuses', ' 12, ,5 ,12,')).toEqual([12, 5]);
    expect(refusal('export_statuses', '1,12a')).toEqual({ code: 'not_id', vars: { value: '12a' }, message: '"12a" is not an id (comma-separated whole numbers)' });
  });

  it('URLs: http or https only, or empty', () => {
    expect(parseSetting('shop_url', ' https://bolt.example.hu/ ')).toBe('https://bolt.example.hu/');
    expect(parseSetting('shop_url', 'http://localhost:8080')).toBe('http://localhost:8080');
    expect(parseSetting('shop_url', '  ')).toBe('');
    for (const bad of ['ftp://bolt.example.hu', 'javascript:alert(1)', 'bolt.example.hu'])
      expect(refusal('shop_url', bad), bad).toEqual({ code: 'url', vars: {}, message: 'must be an http(s) URL or empty' });
    expect(refusal('export_url', 'file:///etc/passwd').code).toBe('url');
  });

  it('order status ids: a whole number from 1, up to ten digits, or empty', () => {
    expect(parseSetting('status_map_szamlazva', ' 15 ')).toBe('15');
    expect(parseSetting('status_map_teljesitve', '')).toBe('');
    expect(parseSetting('status_map_sztornozva', '1234567890')).toBe('1234567890');
    for (const bad of ['0', '01', 'x5', '5x', '12345678901', '1.5'])
      expect(refusal('status_map_visszakuldve', bad), bad).toEqual({ code: 'status_id', vars: {}, message: 'must be an order status id or empty (the status of the matching name)' });
  });

  it('tracking pages: CARRIER=URL pairs separated by ;, names and URLs trimmed, blanks skipped', () => {
    expect(parseSetting('tracking_links', ' GLS = https://gls.hu/t?n={fuvarlevelszam} ;; MPL=http://posta.hu/{fuvarlevelszam};')).toEqual({ GLS: 'https://gls.hu/t?n={fuvarlevelszam}', MPL: 'http://posta.hu/{fuvarlevelszam}' });
    for (const bad of ['GLS', '=https://gls.hu', 'GLS=ftp://gls.hu', 'GLS=see https://gls.hu', 'GLS=https://gls.hu x', `${'C'.repeat(65)}=https://x.hu`])
      expect(refusal('tracking_links', bad), bad).toEqual({ code: 'tracking_pair', vars: { value: bad }, message: `"${bad}" is not CARRIER=URL (e.g. GLS=https://…?match={fuvarlevelszam}; entries separated by ;)` });
    expect(formatSetting('tracking_links', { GLS: 'https://gls.hu/{fuvarlevelszam}', MPL: 'http://posta.hu' })).toBe('GLS=https://gls.hu/{fuvarlevelszam}; MPL=http://posta.hu');
  });

  it('the staleness threshold: whole hours from 0 to 8760', () => {
    expect([' 0 ', '24', '8760'].map((v) => parseSetting('stale_after_hours', v))).toEqual([0, 24, 8760]);
    for (const bad of ['', ' ', '-1', '8761', '1.5', 'x'])
      expect(refusal('stale_after_hours', bad), JSON.stringify(bad)).toEqual({ code: 'hours', vars: {}, message: 'must be a whole number of hours from 0 (no warning) to 8760' });
  });

  it('alert e-mails: up to five addresses separated by , or ;, each one address, repeats dropped', () => {
    expect(parseSetting('alert_email', ' a@b.hu; c@d.hu , a@b.hu ,')).toBe('a@b.hu, c@d.hu');
    expect(parseSetting('alert_email', '')).toBe('');
    expect(parseSetting('alert_email', 'a@b.hu,b@b.hu,c@b.hu,d@b.hu,e@b.hu')).toBe('a@b.hu, b@b.hu, c@b.hu, d@b.hu, e@b.hu');
    expect(refusal('alert_email', 'a@b.hu,b@b.hu,c@b.hu,d@b.hu,e@b.hu,f@b.hu')).toEqual({ code: 'emails_max', vars: { max: 5 }, message: 'at most 5 addresses' });
    const long = `${'x'.repeat(245)}@example.hu`; // 256 characters
    for (const bad of ['ab.hu', 'a@b', 'a b@c.hu', '@b.hu', 'a@.hu', 'a@b.', 'a@b@c.hu', '<a@b.hu>', '"a"@b.hu', 'a@b.hu\r\nBcc: x@y.hu', long])
      expect(refusal('alert_email', bad).code, bad).toBe('email');
    expect(refusal('alert_email', 'ab.hu')).toEqual({ code: 'email', vars: { value: 'ab.hu' }, message: '"ab.hu" is not an e-mail address' });
    expect(parseSetting('alert_email', `${'x'.repeat(243)}@example.hu`)).toHaveLength(254);
  });

  it('the VAT map: rates with up to two decimals, each refused pair named', () => {
    expect(parseSetting('vat_map', '5.5=12, 27.00=9 ,')).toEqual({ '5.5': 12, '27': 9 });
    expect(refusal('vat_map', '27=9,5.555=10')).toEqual({ code: 'vat_pair', vars: { value: '5.555=10' }, message: '"5.555=10" is not RATE=TAX_CLASS_ID (e.g. 27=9,5=10)' });
    expect(formatSetting('vat_map', { '27': 9, '5.5': 12 })).toBe('27=9,5.5=12');
  });

  it('the body limit, the daily time, the date and the custom field id name their rule', () => {
    expect(refusal('max_body_mb', '0').code).toBe('body_mb');
    expect(refusal('export_daily_at', '25:00').code).toBe('time');
    expect(refusal('export_start_date', '2026.13.01.').code).toBe('date');
    expect(refusal('tax_number_field', 'x').code).toBe('field_id');
    expect(parseSetting('tax_number_field', ' 12 ')).toBe('12');
    expect(parseSetting('max_body_mb', ' 64 ')).toBe(64);
  });

  it('transports: blanks skipped, repeats dropped, an unknown one refused by name', () => {
    expect(parseSetting('export_transport', ' feed, ,file,feed ')).toEqual(['feed', 'file']);
    expect(refusal('export_transport', 'feed,ftp')).toEqual({ code: 'one_of', vars: { values: 'feed, http, file' }, message: 'must be one of feed, http, file' });
    expect(formatSetting('export_transport', ['feed', 'file'])).toBe('feed,file');
    expect(formatSetting('promo_customer_groups', [1, 2])).toBe('1,2');
  });
});

describe('settings: the edges the first mutation run left open', () => {
  it('tracking pages: a blank entry between separators is skipped, a URL running onto a second line refused', () => {
    expect(parseSetting('tracking_links', 'GLS=https://gls.hu/{fuvarlevelszam}; ;')).toEqual({ GLS: 'https://gls.hu/{fuvarlevelszam}' });
    expect(refusal('tracking_links', 'GLS=https://gls.hu\nx').code).toBe('tracking_pair');
  });

  it('the export start date: blank is no date; spaces around the separators are allowed; the year is four real digits', () => {
    expect(parseSetting('export_start_date', '   ')).toBe('');
    expect(parseSetting('export_start_date', '2026 .01 .05')).toBe('2026-01-05');
    expect(parseDay(' 2026-01-05 ')).toBe('2026-01-05');
    expect(parseDay('0050-01-01')).toBeNull(); // Date.UTC would read year 50 as 1950
    expect(parseDay('2026-02-29')).toBeNull();
    expect(parseDay('2028-02-29')).toBe('2028-02-29');
  });

  it('a VAT rate reads with a decimal point or comma', () => {
    expect([normalizeRate('5,5'), normalizeRate('27.00'), normalizeRate('18')]).toEqual(['5.5', '27', '18']);
  });
});
