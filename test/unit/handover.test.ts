// The handover sheet the owner types into the ERP: address warnings, how the ERP proves itself,
// and the URLs (with the import password only for who may see it).
import { describe, expect, it } from 'vitest';
import { logTicks } from '../../app/admin/dashboard.js';
import { addressWarnings, handoverSheet } from '../../app/admin/handover.js';
import { DEFAULTS } from '../../app/settings/schema.js';

describe('the address warnings', () => {
  it.each([
    ['https://bolt.example.hu/erp', []],
    ['http://bolt.example.hu', ['plain_http']],
    ['http://localhost:8080', ['localhost', 'plain_http']],
    ['https://LOCALHOST', ['localhost']],
    ['https://erp.localhost', ['localhost']],
    ['https://127.0.0.2:8443', ['localhost']],
    ['https://[::1]:8443', ['localhost']],
    ['https://0.0.0.0', ['localhost']],
    ['https://localhost.example.hu', []],
    ['https://10.127.0.1', []],
  ])('%s', (url, want) => expect(addressWarnings(url)).toEqual(want));
});

describe('the handover sheet', () => {
  const base = { ...DEFAULTS, webshop_id: 'bolt1', password: 'jelszo', import_password: 'k&y', sync_type: 'full' as const, export_transport: ['feed' as const] };

  it('with the import password: the key in every URL, encoded; categories active in full sync; the feed when it is a transport', () => {
    const s = handoverSheet('https://bolt.hu', base, true);
    expect(s).toMatchObject({ publicUrl: 'https://bolt.hu', warnings: [], webshopId: 'bolt1', passwordSet: true, importPasswordSet: true, auth: 'key', syncType: 'full' });
    expect(s.urls.map((u) => [u.kind, u.url, u.active])).toEqual([
      ['prices', 'https://bolt.hu/integration/prices?key=k%26y', true],
      ['stock', 'https://bolt.hu/integration/stock?key=k%26y', true],
      ['promo-prices', 'https://bolt.hu/integration/promo-prices?key=k%26y', true],
      ['categories', 'https://bolt.hu/integration/categories?key=k%26y', true],
      ['order-status', 'https://bolt.hu/integration/order-status?key=k%26y', true],
      ['orders', 'https://bolt.hu/integration/orders?key=k%26y', true],
    ]);
  });

  it('without the key (a read-only user): no password in any URL, but the sheet still says one is set', () => {
    const s = handoverSheet('http://localhost:3000', { ...base, sync_type: 'stock_price', export_transport: ['http'] }, false);
    expect(s).toMatchObject({ warnings: ['localhost', 'plain_http'], importPasswordSet: true, auth: 'key', syncType: 'stock_price' });
    expect(s.urls.every((u) => !u.url.includes('key='))).toBe(true);
    expect(s.urls.filter((u) => !u.active).map((u) => u.kind)).toEqual(['categories', 'orders']);
  });

  it('how the ERP proves itself: the key, else the webshop id and password, else nothing yet', () => {
    expect(handoverSheet('https://b.hu', { ...base, import_password: '' }, true).auth).toBe('basic');
    expect(handoverSheet('https://b.hu', { ...base, import_password: '', password: '' }, true)).toMatchObject({ auth: 'none', passwordSet: false, importPasswordSet: false });
    expect(handoverSheet('https://b.hu', { ...base, import_password: '', webshop_id: '' }, true).auth).toBe('none');
  });
});

describe('the chart\'s log scale', () => {
  it('ticks at each power of ten up to the first at or over the largest value', () => {
    expect(logTicks(0)).toEqual({ top: 1, ticks: [1] });
    expect(logTicks(1)).toEqual({ top: 1, ticks: [1] });
    expect(logTicks(10)).toEqual({ top: 10, ticks: [1, 10] });
    expect(logTicks(11)).toEqual({ top: 100, ticks: [1, 10, 100] });
  });
});
