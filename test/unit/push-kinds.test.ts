// The integration URLs and the fields each applies (docs/integration.md, the table at the top):
// which URL names exist, which fields a URL applies (the others it reports as ignored), and the
// URLs handed to the ERP with the import password in them. Pure: no database.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Settings } from '../../app/settings/schema.js';
import { integrationUrls } from '../../app/sync/integration-urls.js';
import { isIntegrationKind, isPushKind, ownFields } from '../../app/sync/push-kinds.js';

describe('the integration URL names', () => {
  it('the four push URLs are push kinds; order-status is an integration URL but no push; nothing else is either', () => {
    for (const k of ['prices', 'stock', 'promo-prices', 'categories']) {
      expect(isPushKind(k)).toBe(true);
      expect(isIntegrationKind(k)).toBe(true);
    }
    expect(isPushKind('order-status')).toBe(false);
    expect(isIntegrationKind('order-status')).toBe(true);
    for (const k of ['orders', 'orders-ack', 'Prices', 'price', '', 'constructor', 'toString']) {
      expect(isPushKind(k)).toBe(false);
      expect(isIntegrationKind(k)).toBe(false);
    }
  });
});

describe('the fields each URL applies', () => {
  it('prices applies ar, and in full sync the product data too; stock, promo prices and categories their own fields whatever the sync type', () => {
    expect(ownFields('prices', false)).toEqual(['ar']);
    expect(ownFields('prices', true)).toEqual(['ar', 'nev', 'mee', 'afakulcs', 'kep', 'kat', 'tmegjegyzes']);
    for (const full of [false, true]) {
      expect(ownFields('stock', full)).toEqual(['szabadraktar']);
      expect(ownFields('promo-prices', full)).toEqual(['arakcios', 'akcio_kezdete', 'akcio_vege']);
      expect(ownFields('categories', full)).toEqual(['kod', 'szulo', 'nev', 'sorrend', 'aktiv']);
    }
  });
});

describe('the URLs handed to the ERP', () => {
  const settings = (over: Partial<Settings> = {}): Settings => ({ ...DEFAULTS, ...over });
  const view = (urls: ReturnType<typeof integrationUrls>) => urls.map((u) => [u.kind, u.url, u.active]);

  it('without an import password the URLs carry no key; categories are off in stock-and-price sync, the feed when it is no transport', () => {
    expect(view(integrationUrls('https://bolt.hu/erp', settings({ export_transport: ['http', 'file'] })))).toEqual([
      ['prices', 'https://bolt.hu/erp/integration/prices', true],
      ['stock', 'https://bolt.hu/erp/integration/stock', true],
      ['promo-prices', 'https://bolt.hu/erp/integration/promo-prices', true],
      ['categories', 'https://bolt.hu/erp/integration/categories', false],
      ['order-status', 'https://bolt.hu/erp/integration/order-status', true],
      ['orders', 'https://bolt.hu/erp/integration/orders', false],
    ]);
  });

  it('with an import password every URL carries it URL-encoded as ?key=; categories are on in full sync, the feed when it is a transport', () => {
    expect(view(integrationUrls('http://localhost:3000', settings({ import_password: 'a b&c=d/é', sync_type: 'full', export_transport: ['http', 'feed'] })))).toEqual([
      ['prices', 'http://localhost:3000/integration/prices?key=a%20b%26c%3Dd%2F%C3%A9', true],
      ['stock', 'http://localhost:3000/integration/stock?key=a%20b%26c%3Dd%2F%C3%A9', true],
      ['promo-prices', 'http://localhost:3000/integration/promo-prices?key=a%20b%26c%3Dd%2F%C3%A9', true],
      ['categories', 'http://localhost:3000/integration/categories?key=a%20b%26c%3Dd%2F%C3%A9', true],
      ['order-status', 'http://localhost:3000/integration/order-status?key=a%20b%26c%3Dd%2F%C3%A9', true],
      ['orders', 'http://localhost:3000/integration/orders?key=a%20b%26c%3Dd%2F%C3%A9', true],
    ]);
  });
});
