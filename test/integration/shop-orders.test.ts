// The order side of app/shop called directly on SQLite (the demo shop) and the MariaDB 3.0.3.8
// fixture: which orders are eligible, an order batch with its products, options and totals, the
// method mappings and names, the export statuses, the tax configuration and facts, the account
// addresses (3.0's shape on MariaDB, 4.1's built on SQLite), sold vouchers, and the order status
// side (admin language, statuses, API users, the direct history write). Rows are written by hand
// in 3.0's shape; every test writes its own rows (unique codes, ids and statuses), and a test that
// replaces shop-wide rows (tax rules, settings, extensions) writes all it reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../app/db/database.js';
import { Outbox } from '../../app/plugin/outbox.js';
import type { OrderDocument } from '../../app/erp/order-document.js';
import { anyOrderToPrepare, defaultExportStatuses, findOrdersToPrepare, listShopMethods, loadMethodMap, loadOrders, setMethodMapping } from '../../app/shop/orders.js';
import { readOrderTaxFacts, readShopTaxConfig } from '../../app/shop/order-tax.js';
import {
  addHistoryDirectly, adminLanguageId, apiKeyOf, currentOrderStatuses, ensureApiUser, listAdminOrderStatuses, listApiUsers, shopApiFlavor,
} from '../../app/shop/order-history.js';
import { readAccountAddresses } from '../../app/shop/customer-addresses.js';
import { listCustomFields, shopMethodNames } from '../../app/shop/method-names.js';
import { readSoldVouchers } from '../../app/shop/order-vouchers.js';
import { shopSchema } from '../../app/shop/schema.js';
import { formatDateTime } from '../../app/util/time.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, uniqueCode } from '../support/shop.js';
import { placeOrder } from '../support/orders.js';

let counter = 0;
/** A number no other test of this file uses (statuses, category and country ids). */
const fresh = (base: number) => base + (++counter) * 10;

describe.each(FIXTURE_DIALECT_TARGETS)('the order side of the shop on $name', (target) => {
  let env: TargetEnv;
  let langs: number[];
  const db = () => env.ctx.db;
  const k = () => db().knex;
  const sqlite = target.dialect === 'sqlite';

  /** An order as 3.0's checkout writes it (no products), then the columns given. */
  const order = async (over: Record<string, unknown> = {}) => {
    const { orderId } = await placeOrder(db(), { products: [] });
    if (Object.keys(over).length) await k()(db().t('order')).where({ order_id: orderId }).update(over);
    await k()(db().t('order_total')).where({ order_id: orderId }).delete();
    return orderId;
  };
  const setConfig = async (key: string, value: string | null, store = 0, code = 'config') => {
    await k()(db().t('setting')).where({ store_id: store, key }).delete();
    if (value !== null) await k()(db().t('setting')).insert({ store_id: store, code, key, value, serialized: value.startsWith('[') ? 1 : 0 });
  };
  const readConfig = async (key: string) => (await k()(db().t('setting')).where({ store_id: 0, key }).first('value'))?.value as string | undefined;
  /** Restores the settings rows of the keys given after `fn`. */
  const keepSettings = async (keys: string[], fn: () => Promise<void>) => {
    const rows = await k()(db().t('setting')).whereIn('key', keys).select();
    try {
      await fn();
    } finally {
      await k()(db().t('setting')).whereIn('key', keys).delete();
      if (rows.length) await k()(db().t('setting')).insert(rows);
    }
  };
  /** A handle on the same database whose shop tables carry another prefix (tables the test creates). */
  const prefixed = (prefix: string): Database => ({ knex: k(), dialect: db().dialect, prefix, t: (n: string) => prefix + n, own: db().own }) as unknown as Database;
  const apiTables = async (prefix: string) => {
    await k().schema.createTable(`${prefix}api`, (t) => {
      t.increments('api_id');
      t.string('username', 64).notNullable();
      t.text('key').notNullable();
      t.tinyint('status').notNullable();
      t.dateTime('date_added').notNullable();
      t.dateTime('date_modified').notNullable();
    });
    await k().schema.createTable(`${prefix}api_ip`, (t) => {
      t.increments('api_ip_id');
      t.integer('api_id').notNullable();
      t.string('ip', 40).notNullable();
    });
  };
  const dropTables = async (names: string[]) => {
    for (const n of names) await k().schema.dropTableIfExists(n);
  };

  beforeAll(async () => {
    env = await openTarget(target);
    langs = (await k()(db().t('language')).orderBy('language_id').pluck('language_id')).map(Number);
  });
  afterAll(async () => env?.cleanup());

  describe('findOrdersToPrepare', () => {
    it('finds orders in the statuses given, never status 0, oldest first, up to the limit', async () => {
      const s1 = fresh(5000);
      const s2 = fresh(5000);
      const a = await order({ order_status_id: s1 });
      const zero = await order({ order_status_id: 0 });
      const other = await order({ order_status_id: fresh(5000) });
      const b = await order({ order_status_id: s2 });
      const c = await order({ order_status_id: s1 });
      expect(await findOrdersToPrepare(db(), { statuses: [s2, s1, 0], startDate: '', limit: 10 })).toEqual([a, b, c]);
      expect(await findOrdersToPrepare(db(), { statuses: [s1, s2], startDate: '', limit: 2 })).toEqual([a, b]);
      expect(await findOrdersToPrepare(db(), { statuses: [s2], startDate: '', limit: 10 })).toEqual([b]);
      expect(await findOrdersToPrepare(db(), { statuses: [], startDate: '', limit: 10 })).toEqual([]);
      const withZero = await findOrdersToPrepare(db(), { statuses: [0], startDate: '', limit: 100000 });
      expect(withZero).not.toContain(zero);
      expect(withZero).toEqual([]);
      expect(await findOrdersToPrepare(db(), { statuses: [s1, s2], startDate: '', limit: 10 })).not.toContain(other);
    });

    it('leaves out the orders the outbox holds already', async () => {
      const s = fresh(5000);
      const a = await order({ order_status_id: s });
      const b = await order({ order_status_id: s });
      const c = await order({ order_status_id: s });
      await new Outbox(db()).add([{ orderId: b, document: { orderNumber: String(b), totals: { shopTotal: 1 } } as unknown as OrderDocument, problem: null }]);
      expect(await findOrdersToPrepare(db(), { statuses: [s], startDate: '', limit: 10 })).toEqual([a, c]);
    });

    it('with a start date, from that day\'s first second on', async () => {
      const s = fresh(5000);
      const before = await order({ order_status_id: s, date_added: '2026-03-09 23:59:59' });
      const first = await order({ order_status_id: s, date_added: '2026-03-10 00:00:00' });
      const later = await order({ order_status_id: s, date_added: '2026-03-11 08:00:00' });
      expect(await findOrdersToPrepare(db(), { statuses: [s], startDate: '2026-03-10', limit: 10 })).toEqual([first, later]);
      expect(await findOrdersToPrepare(db(), { statuses: [s], startDate: '', limit: 10 })).toEqual([before, first, later]);
    });

    it('anyOrderToPrepare (the dashboard) says whether one waits, by the same rules: status, never 0, not in the outbox, from the start date', async () => {
      const s = fresh(5000);
      const unused = fresh(5000);
      expect(await anyOrderToPrepare(db(), { statuses: [s], startDate: '' })).toBe(false);
      await order({ order_status_id: 0 });
      expect(await anyOrderToPrepare(db(), { statuses: [s, 0], startDate: '' })).toBe(false);
      const held = await order({ order_status_id: s, date_added: '2026-03-09 23:59:59' });
      expect(await anyOrderToPrepare(db(), { statuses: [s], startDate: '' })).toBe(true);
      expect(await anyOrderToPrepare(db(), { statuses: [unused], startDate: '' })).toBe(false);
      expect(await anyOrderToPrepare(db(), { statuses: [], startDate: '' })).toBe(false);
      expect(await anyOrderToPrepare(db(), { statuses: [s], startDate: '2026-03-10' })).toBe(false);
      await new Outbox(db()).add([{ orderId: held, document: { orderNumber: String(held), totals: { shopTotal: 1 } } as unknown as OrderDocument, problem: null }]);
      expect(await anyOrderToPrepare(db(), { statuses: [s], startDate: '' })).toBe(false);
    });
  });

  describe('loadOrders', () => {
    it('an empty list loads nothing', async () => {
      expect(await loadOrders(db(), [], 'model', langs[0]!)).toEqual({ orders: [], products: [], options: [], totals: [] });
    });

    it('loads the orders asked for, each once, with the status named in the language given (null without a status row)', async () => {
      const status = fresh(6000);
      await k()(db().t('order_status')).insert([
        { order_status_id: status, language_id: langs[0], name: 'Első nyelv' },
        { order_status_id: status, language_id: langs[1], name: 'Second language' },
      ]);
      const a = await order({ order_status_id: status, customer_id: 7, total: 1234.5678, currency_code: 'EUR', currency_value: 0.0025, comment: 'Kés &amp; villa' });
      const unnamed = await order({ order_status_id: fresh(6000) });
      const notAsked = await order({ order_status_id: status });
      const b = await loadOrders(db(), [unnamed, a], 'model', langs[1]!);
      expect(b.orders.map((o) => [o.order_id, o.status_name])).toEqual(expect.arrayContaining([[a, 'Second language'], [unnamed, null]]));
      expect(b.orders).toHaveLength(2);
      expect(b.orders.map((o) => o.order_id)).not.toContain(notAsked);
      const oa = b.orders.find((o) => o.order_id === a)!;
      expect(oa).toMatchObject({
        order_id: a, order_status_id: status, customer_id: 7, customer_group_id: 1, store_id: 0, total: 1234.5678, currency_code: 'EUR',
        currency_value: 0.0025, payment_country_id: 97, payment_zone_id: 1, shipping_country_id: 97, shipping_zone_id: 1, comment: 'Kés &amp; villa',
        invoice_prefix: 'INV-2026-', payment_code: 'cod', shipping_code: 'flat.flat', date_added: '2026-11-20 10:00:00',
      });
      for (const col of ['order_id', 'order_status_id', 'customer_id', 'customer_group_id', 'store_id', 'total', 'currency_value', 'payment_country_id', 'payment_zone_id', 'shipping_country_id', 'shipping_zone_id'])
        expect(typeof (oa as unknown as Record<string, unknown>)[col], col).toBe('number');
      expect(Object.keys(oa)).not.toContain('');
      expect((await loadOrders(db(), [a], 'model', langs[0]!)).orders.map((o) => o.status_name)).toEqual(['Első nyelv']);
    });

    it('loads products in order and line order, with the code from the field given and the unit from the map (null when missing)', async () => {
      const code = uniqueCode('LO');
      const sku = uniqueCode('SK');
      const p1 = await addProduct(db(), { model: code, sku });
      const p2 = await addProduct(db(), { model: uniqueCode('LO') });
      await k()(db().own('product_map')).insert({ product_id: p1, erp_code: code, unit: 'db', updated_at: '2026-11-20 10:00:00' });
      const first = await order();
      const second = await order();
      const other = await order();
      const line = (orderId: number, productId: number, id: number | undefined, name: string, quantity: number, price: number, tax: number) =>
        k()(db().t('order_product')).insert({ ...(id ? { order_product_id: id } : {}), order_id: orderId, product_id: productId, name, model: 'm-' + name, quantity, price, total: price * quantity, tax, reward: 0 });
      // The second order's line first, then the first order's two lines with their ids the other way round.
      await line(second, p2, undefined, 'S1', 1, 10, 2.7);
      const base = Number((await k()(db().t('order_product')).max({ m: 'order_product_id' }).first())!.m) + 100;
      await line(first, p2, base + 5, 'F2', 3, 2.5, 0.675);
      await line(first, p1, base + 1, 'F1', 2, 1000.25, 270.0675);
      await line(other, p1, undefined, 'O1', 1, 1, 0);
      await line(first, 987654321, base + 9, 'F3', 1, 5, 0);
      const b = await loadOrders(db(), [second, first], 'model', langs[0]!);
      expect(b.products).toEqual([
        { order_product_id: base + 1, order_id: first, product_id: p1, name: 'F1', model: 'm-F1', code, unit: 'db', quantity: 2, price: 1000.25, total: 2000.5, tax: 270.0675 },
        { order_product_id: base + 5, order_id: first, product_id: p2, name: 'F2', model: 'm-F2', code: expect.stringMatching(/^LO-/), unit: null, quantity: 3, price: 2.5, total: 7.5, tax: 0.675 },
        { order_product_id: base + 9, order_id: first, product_id: 987654321, name: 'F3', model: 'm-F3', code: null, unit: null, quantity: 1, price: 5, total: 5, tax: 0 },
        { order_product_id: expect.any(Number), order_id: second, product_id: p2, name: 'S1', model: 'm-S1', code: expect.stringMatching(/^LO-/), unit: null, quantity: 1, price: 10, total: 10, tax: 2.7 },
      ]);
      expect((await loadOrders(db(), [first], 'sku', langs[0]!)).products.map((p) => p.code)).toEqual([sku, '', null]);
    });

    it('loads the options of the orders asked for in their own order, and the totals by order and sort order', async () => {
      const first = await order();
      const second = await order();
      const other = await order();
      const base = Number((await k()(db().t('order_option')).max({ m: 'order_option_id' }).first())?.m ?? 0) + 100;
      const option = (orderId: number, id: number, opId: number, name: string, value: string) =>
        k()(db().t('order_option')).insert({ order_option_id: id, order_id: orderId, order_product_id: opId, product_option_id: 1, product_option_value_id: 1, name, value, type: 'select' });
      await option(second, base + 7, 71, 'Méret', 'XL');
      await option(first, base + 3, 31, 'Szín', 'Kék &amp; zöld');
      await option(first, base + 2, 32, 'Szín', 'Piros');
      await option(other, base + 1, 11, 'Más', 'x');
      const total = (orderId: number, code: string, title: string, value: number, sortOrder: number) =>
        k()(db().t('order_total')).insert({ order_id: orderId, code, title, value, sort_order: sortOrder });
      await total(second, 'total', 'Összesen', 12.7, 9);
      await total(first, 'total', 'Összesen', 1270.5, 9);
      await total(first, 'sub_total', 'Részösszeg', 1000.25, 1);
      await total(first, 'coupon', 'Kupon (X)', -0.5, 4);
      await total(other, 'total', 'Más', 1, 1);
      await total(second, 'sub_total', 'Részösszeg', 10, 1);
      const b = await loadOrders(db(), [second, first], 'model', langs[0]!);
      expect(b.options).toEqual([
        { order_product_id: 32, name: 'Szín', value: 'Piros' },
        { order_product_id: 31, name: 'Szín', value: 'Kék &amp; zöld' },
        { order_product_id: 71, name: 'Méret', value: 'XL' },
      ]);
      expect(b.totals).toEqual([
        { order_id: first, code: 'sub_total', title: 'Részösszeg', value: 1000.25, sort_order: 1 },
        { order_id: first, code: 'coupon', title: 'Kupon (X)', value: -0.5, sort_order: 4 },
        { order_id: first, code: 'total', title: 'Összesen', value: 1270.5, sort_order: 9 },
        { order_id: second, code: 'sub_total', title: 'Részösszeg', value: 10, sort_order: 1 },
        { order_id: second, code: 'total', title: 'Összesen', value: 12.7, sort_order: 9 },
      ]);
    });
  });

  describe('method mappings and the shop\'s methods', () => {
    it('setMethodMapping stores, replaces and (with no ERP code) removes one mapping; loadMethodMap reads them all by type and code', async () => {
      const code = uniqueCode('pm');
      await setMethodMapping(db(), 'payment', code, 'UTANVET');
      await setMethodMapping(db(), 'shipping', code, 'FUTAR');
      expect((await loadMethodMap(db())).get(`payment:${code}`)).toBe('UTANVET');
      await setMethodMapping(db(), 'payment', code, 'KESZPENZ');
      let map = await loadMethodMap(db());
      expect([map.get(`payment:${code}`), map.get(`shipping:${code}`)]).toEqual(['KESZPENZ', 'FUTAR']);
      expect(await k()(db().own('method_map')).where({ shop_code: code }).orderBy('type').select('type', 'erp_code')).toEqual([
        { type: 'payment', erp_code: 'KESZPENZ' }, { type: 'shipping', erp_code: 'FUTAR' },
      ]);
      await setMethodMapping(db(), 'payment', code, '');
      map = await loadMethodMap(db());
      expect(map.has(`payment:${code}`)).toBe(false);
      expect(map.get(`shipping:${code}`)).toBe('FUTAR');
      expect(await k()(db().own('method_map')).where({ shop_code: code }).count({ n: '*' }).first()).toEqual({ n: 1 });
    });

    it('loadMethodMap gives every mapping under "type:code"', async () => {
      await k()(db().own('method_map')).delete();
      await setMethodMapping(db(), 'payment', 'cod', 'UTANVET');
      await setMethodMapping(db(), 'shipping', 'flat', 'FUTAR');
      expect(await loadMethodMap(db())).toEqual(new Map([['payment:cod', 'UTANVET'], ['shipping:flat', 'FUTAR']]));
    });

    it('listShopMethods: the installed payment and shipping extensions by type and code with their ERP codes, then mapped codes no longer installed', async () => {
      await k()(db().t('extension')).whereIn('type', ['payment', 'shipping', 'total']).delete();
      await k()(db().t('extension')).insert([
        { type: 'shipping', code: 'pickup' }, { type: 'payment', code: 'cod' }, { type: 'total', code: 'coupon' }, { type: 'shipping', code: 'flat' },
        { type: 'payment', code: 'bank_transfer' },
      ]);
      await k()(db().own('method_map')).delete();
      await setMethodMapping(db(), 'payment', 'cod', 'UTANVET');
      await setMethodMapping(db(), 'shipping', 'pickup', 'SZEMELYES');
      await setMethodMapping(db(), 'shipping', 'old:a:b', 'REGI');
      expect(await listShopMethods(db())).toEqual([
        { type: 'payment', code: 'bank_transfer', erpCode: '' },
        { type: 'payment', code: 'cod', erpCode: 'UTANVET' },
        { type: 'shipping', code: 'flat', erpCode: '' },
        { type: 'shipping', code: 'pickup', erpCode: 'SZEMELYES' },
        { type: 'shipping', code: 'old:a:b', erpCode: 'REGI' },
      ]);
    });
  });

  describe('defaultExportStatuses', () => {
    it('the union of the shop\'s processing and complete statuses (store 0, config), without 0, in number order', async () => {
      await keepSettings(['config_processing_status', 'config_complete_status'], async () => {
        await setConfig('config_processing_status', '["10","2","0"]');
        await setConfig('config_complete_status', '["5","2"]');
        await k()(db().t('setting')).insert([
          { store_id: 1, code: 'config', key: 'config_processing_status', value: '["7"]', serialized: 1 },
          { store_id: 0, code: 'other', key: 'config_complete_status', value: '["8"]', serialized: 1 },
        ]);
        expect(await defaultExportStatuses(db())).toEqual([2, 5, 10]);
      });
    });

    it('skips a hand-edited value that is no JSON, and reads the other', async () => {
      await keepSettings(['config_processing_status', 'config_complete_status'], async () => {
        await setConfig('config_processing_status', '2,3');
        await setConfig('config_complete_status', '["5"]');
        expect(await defaultExportStatuses(db())).toEqual([5]);
        await setConfig('config_complete_status', null);
        expect(await defaultExportStatuses(db())).toEqual([]);
      });
    });
  });

  describe('readShopTaxConfig', () => {
    const taxTables = ['tax_rule', 'tax_rate', 'zone_to_geo_zone', 'tax_rate_to_customer_group'];
    const taxKeys = ['config_country_id', 'config_zone_id', 'config_tax_default', 'config_currency', 'total_handling_tax_class_id', 'total_low_order_fee_tax_class_id', 'shipping_flat_tax_class_id', 'shipping_weight_tax_class_id', 'shippingXtaxYclassZid'];
    /** Replaces the shop's tax rows and the settings it reads (every store's) for `fn`, then puts the old ones back. */
    const withTaxRows = async (fn: () => Promise<void>) => {
      const saved = await Promise.all(taxTables.map((t) => k()(db().t(t)).select()));
      const settings = () => k()(db().t('setting')).where((q) => q.whereIn('key', taxKeys).orWhere('key', 'like', 'shipping%tax%class%id'));
      const savedSettings = await settings().select();
      try {
        for (const t of taxTables) await k()(db().t(t)).delete();
        await settings().delete();
        await fn();
      } finally {
        for (const [i, t] of taxTables.entries()) {
          await k()(db().t(t)).delete();
          if (saved[i]!.length) await k()(db().t(t)).insert(saved[i]!);
        }
        await settings().delete();
        if (savedSettings.length) await k()(db().t('setting')).insert(savedSettings);
      }
    };
    const at = '2026-01-01 00:00:00';

    it('reads every rule with its rate in priority and rule order, the geo zones, the rates\' groups, the stores and the fee classes', async () => {
      await withTaxRows(async () => {
        await k()(db().t('tax_rate')).insert([
          { tax_rate_id: 501, geo_zone_id: 11, name: 'ÁFA 27%', rate: 27, type: 'P', date_added: at, date_modified: at },
          { tax_rate_id: 502, geo_zone_id: 12, name: 'Öko díj', rate: 2.5, type: 'F', date_added: at, date_modified: at },
          { tax_rate_id: 503, geo_zone_id: 11, name: 'Other', rate: 5, type: 'X', date_added: at, date_modified: at },
        ]);
        // Rule 3 is written before rule 2: equal priorities come in rule order, not in the table's.
        await k()(db().t('tax_rule')).insert([
          { tax_rule_id: 1, tax_class_id: 9, tax_rate_id: 501, based: 'shipping', priority: 2 },
          { tax_rule_id: 3, tax_class_id: 10, tax_rate_id: 503, based: 'store', priority: 1 },
          { tax_rule_id: 2, tax_class_id: 9, tax_rate_id: 502, based: 'payment', priority: 1 },
          { tax_rule_id: 4, tax_class_id: 10, tax_rate_id: 999, based: 'store', priority: 0 },
        ]);
        await k()(db().t('zone_to_geo_zone')).insert([
          { country_id: 97, zone_id: 0, geo_zone_id: 11, date_added: at, date_modified: at },
          { country_id: 1, zone_id: 0, geo_zone_id: 12, date_added: at, date_modified: at },
          { country_id: 97, zone_id: 5, geo_zone_id: 11, date_added: at, date_modified: at },
        ]);
        await k()(db().t('tax_rate_to_customer_group')).insert([
          { tax_rate_id: 501, customer_group_id: 1 }, { tax_rate_id: 502, customer_group_id: 2 }, { tax_rate_id: 501, customer_group_id: 2 },
        ]);
        await setConfig('config_country_id', '97');
        await setConfig('config_zone_id', '5');
        await setConfig('config_tax_default', 'payment');
        await setConfig('config_currency', 'EUR');
        await setConfig('total_handling_tax_class_id', '9', 0, 'total_handling');
        await setConfig('total_low_order_fee_tax_class_id', 'x', 0, 'total_low_order_fee');
        await setConfig('shipping_flat_tax_class_id', '9', 0, 'shipping_flat');
        await setConfig('shipping_weight_tax_class_id', '10', 0, 'shipping_weight');
        await setConfig('shippingXtaxYclassZid', '3', 0, 'shipping');
        // Other stores: their address only; their shipping classes are not the default store's.
        await k()(db().t('setting')).insert([
          { store_id: 1, code: 'config', key: 'config_country_id', value: '81', serialized: 0 },
          { store_id: 1, code: 'config', key: 'config_zone_id', value: '1256', serialized: 0 },
          { store_id: 2, code: 'config', key: 'config_zone_id', value: '12', serialized: 0 },
          { store_id: 1, code: 'shipping_flat', key: 'shipping_flat_tax_class_id', value: '11', serialized: 0 },
          { store_id: 1, code: 'config', key: 'config_currency', value: 'HUF', serialized: 0 },
        ]);
        const c = await readShopTaxConfig(db());
        expect(c.rules).toEqual([
          { taxClassId: 9, based: 'payment', priority: 1, taxRateId: 502, geoZoneId: 12, name: 'Öko díj', rate: 2.5, type: 'F' },
          { taxClassId: 10, based: 'store', priority: 1, taxRateId: 503, geoZoneId: 11, name: 'Other', rate: 5, type: 'P' },
          { taxClassId: 9, based: 'shipping', priority: 2, taxRateId: 501, geoZoneId: 11, name: 'ÁFA 27%', rate: 27, type: 'P' },
        ]);
        expect(c.geoZones).toEqual(new Map([[11, [{ countryId: 97, zoneId: 0 }, { countryId: 97, zoneId: 5 }]], [12, [{ countryId: 1, zoneId: 0 }]]]));
        expect(c.rateGroups).toEqual(new Map([[501, new Set([1, 2])], [502, new Set([2])]]));
        expect(c.store).toEqual({ countryId: 97, zoneId: 5 });
        expect(c.otherStores).toEqual(new Map([[1, { countryId: 81, zoneId: 1256 }], [2, { countryId: 0, zoneId: 12 }]]));
        expect(c.taxDefault).toBe('payment');
        expect(c.currency).toBe('EUR');
        expect(c.feeClasses).toEqual(new Map([['shipping:flat', 9], ['shipping:weight', 10], ['handling', 9], ['low_order_fee', 0]]));
      });
    });

    it('with no rules, zones or settings: empty lists, store 0/0, empty default and currency, fee classes 0', async () => {
      await withTaxRows(async () => {
        expect(await readShopTaxConfig(db())).toEqual({
          rules: [], geoZones: new Map(), rateGroups: new Map(), store: { countryId: 0, zoneId: 0 }, otherStores: new Map(), taxDefault: '', currency: '',
          feeClasses: new Map([['handling', 0], ['low_order_fee', 0]]),
        });
      });
    });
  });

  describe('readOrderTaxFacts', () => {
    const coupon = async (code: string, type: string, discount: number, shipping: number) => {
      const [id] = await k()(db().t('coupon')).insert({
        name: code, code, type, discount, logged: 0, shipping, total: 0, date_start: '2026-01-01', date_end: '2027-01-01', uses_total: 10, uses_customer: '1', status: 1, date_added: '2026-01-01 00:00:00',
      });
      return Number(id);
    };
    const total = (title: string, code = 'coupon') => ({ order_id: 1, code, title, value: -1, sort_order: 3 });

    it('the products\' tax classes and points, each product once; products that no longer exist are left out', async () => {
      const a = await addProduct(db(), { model: uniqueCode('TF'), tax_class_id: 10 });
      const b = await addProduct(db(), { model: uniqueCode('TF'), tax_class_id: 9 });
      await k()(db().t('product')).where({ product_id: b }).update({ points: 150 });
      const f = await readOrderTaxFacts(db(), [a, b, a, 987654321], []);
      expect(f.products).toEqual(new Map([[a, { taxClassId: 10, points: 0 }], [b, { taxClassId: 9, points: 150 }]]));
      expect(f.coupons).toEqual(new Map());
      expect(await readOrderTaxFacts(db(), [], [])).toEqual({ products: new Map(), coupons: new Map() });
    });

    it('the coupons named in coupon totals: type, discount, free shipping, and the products they are limited to (categories with their subcategories)', async () => {
      const [p1, p2, p3, p4] = [await addProduct(db(), { model: uniqueCode('TF') }), await addProduct(db(), { model: uniqueCode('TF') }), await addProduct(db(), { model: uniqueCode('TF') }), await addProduct(db(), { model: uniqueCode('TF') })];
      const [top, sub, elsewhere] = [fresh(70000), fresh(70000), fresh(70000)];
      await k()(db().t('category_path')).insert([
        { category_id: top, path_id: top, level: 0 }, { category_id: sub, path_id: top, level: 0 }, { category_id: sub, path_id: sub, level: 1 },
        { category_id: elsewhere, path_id: elsewhere, level: 0 },
      ]);
      await k()(db().t('product_to_category')).insert([
        { product_id: p2, category_id: top }, { product_id: p3, category_id: sub }, { product_id: p4, category_id: elsewhere }, { product_id: p1, category_id: sub },
      ]);
      const [whole, limited, byCategory, unused] = [uniqueCode('C'), uniqueCode('C'), uniqueCode('C'), uniqueCode('C')];
      await coupon(whole, 'P', 10, 1);
      const l = await coupon(limited, 'F', 500.5, 0);
      const c = await coupon(byCategory, 'X', 5, 2);
      await coupon(unused, 'F', 1, 0);
      await k()(db().t('coupon_product')).insert([{ coupon_id: l, product_id: p1 }, { coupon_id: l, product_id: p4 }]);
      await k()(db().t('coupon_category')).insert([{ coupon_id: c, category_id: top }, { coupon_id: l, category_id: elsewhere }]);
      const f = await readOrderTaxFacts(db(), [], [
        total(`Kupon (${whole})`), total(`Coupon (${limited})`), total(`Kupon (${limited})`), total(`Kupon (${byCategory})`), total(`Ajándékutalvány (${unused})`, 'voucher'),
        total('Kupon ()'), total(`Kupon (${uniqueCode('C')})`),
      ]);
      expect(f.coupons).toEqual(new Map([
        [whole, { type: 'P', discount: 10, freeShipping: true, productIds: null }],
        [limited, { type: 'F', discount: 500.5, freeShipping: false, productIds: new Set([p1, p4]) }],
        [byCategory, { type: 'P', discount: 5, freeShipping: false, productIds: new Set([p2, p3, p1]) }],
      ]));
    });
  });

  describe('readAccountAddresses', () => {
    it('3.0 (MariaDB): the address the customer account points at, with country and zone names; unknown ones empty', async () => {
      if (sqlite) return; // the demo shop has no customer tables; 4.1's shape is built on SQLite below
      const schema = await shopSchema(db());
      const country = fresh(9000);
      const zone = fresh(90000);
      await k()(db().t('country')).insert(schema.completeRow('country', { country_id: country, name: 'Teszt Ország', iso_code_2: 'TO', iso_code_3: 'TOR', status: 1 }));
      await k()(db().t('zone')).insert(schema.completeRow('zone', { zone_id: zone, country_id: country, name: 'Teszt Megye', code: 'TM', status: 1 }));
      const customer = async () => Number((await k()(db().t('customer')).insert(schema.completeRow('customer', { firstname: 'x', lastname: 'y', email: uniqueCode('c') + '@example.hu', date_added: '2026-01-01 00:00:00' })))[0]);
      const address = async (customerId: number, over: Record<string, unknown>) => Number((await k()(db().t('address')).insert(schema.completeRow('address', {
        customer_id: customerId, firstname: 'Éva', lastname: 'Kovács', company: 'Kovács Kft.', address_1: 'Fő utca 1.', address_2: '2. em.', city: 'Szeged', postcode: '6720', country_id: country, zone_id: zone, custom_field: '', ...over,
      })))[0]);
      const [c1, c2, c3, c4] = [await customer(), await customer(), await customer(), await customer()];
      await address(c1, { city: 'Nem ez' });
      const chosen = await address(c1, { city: 'Szeged' });
      await address(c1, { city: 'Ez sem' });
      const nowhere = await address(c2, { firstname: 'Anna', company: '', address_2: '', country_id: 1234567, zone_id: 7654321 });
      await address(c3, { city: 'Nincs alapértelmezett' });
      await k()(db().t('customer')).where({ customer_id: c1 }).update({ address_id: chosen });
      await k()(db().t('customer')).where({ customer_id: c2 }).update({ address_id: nowhere });
      const got = await readAccountAddresses(db(), [c1, c2, c3, c4, c1, 0, -1], langs[0]!);
      expect(got).toEqual(new Map([
        [c1, { firstname: 'Éva', lastname: 'Kovács', company: 'Kovács Kft.', address_1: 'Fő utca 1.', address_2: '2. em.', city: 'Szeged', postcode: '6720', country: 'Teszt Ország', zone: 'Teszt Megye' }],
        [c2, { firstname: 'Anna', lastname: 'Kovács', company: '', address_1: 'Fő utca 1.', address_2: '', city: 'Szeged', postcode: '6720', country: '', zone: '' }],
      ]));
      expect(await readAccountAddresses(db(), [], langs[0]!)).toEqual(new Map());
      expect(await readAccountAddresses(db(), [0, -5], langs[0]!)).toEqual(new Map());
    });

    it('4.1 (built on SQLite): the address flagged default, country and zone named in the language given; without the name tables empty names', async () => {
      if (!sqlite) return;
      const p = db().prefix;
      const made = [`${p}address`, `${p}country_description`, `${p}zone_description`];
      try {
        await k().schema.createTable(`${p}address`, (t) => {
          t.increments('address_id');
          for (const c of ['customer_id', 'country_id', 'zone_id']) t.integer(c).notNullable().defaultTo(0);
          for (const c of ['firstname', 'lastname', 'company', 'address_1', 'address_2', 'city', 'postcode']) t.string(c, 128).nullable();
          t.text('custom_field').notNullable().defaultTo('');
          t.tinyint('default').notNullable().defaultTo(0);
        });
        const address = (customerId: number, isDefault: number, over: Record<string, unknown> = {}) => k()(`${p}address`).insert({
          customer_id: customerId, firstname: 'Éva', lastname: 'Kovács', company: 'Kft.', address_1: 'Fő utca 1.', address_2: 'fsz.', city: 'Szeged', postcode: '6720', country_id: 97, zone_id: 5, default: isDefault, ...over,
        });
        await address(3, 0, { city: 'Nem ez' });
        await address(3, 1);
        await address(4, 0);
        await address(0, 1, { city: 'Vendég' });
        await address(6, 1, { company: null, address_2: null, country_id: 1, zone_id: 1 });
        // No country or zone table yet: the names are empty.
        let got = await readAccountAddresses(env.newContext().db, [3, 4, 0, 6], langs[1]!);
        const eva = { firstname: 'Éva', lastname: 'Kovács', company: 'Kft.', address_1: 'Fő utca 1.', address_2: 'fsz.', city: 'Szeged', postcode: '6720' };
        expect(got).toEqual(new Map([
          [3, { ...eva, country: '', zone: '' }],
          [6, { ...eva, company: '', address_2: '', country: '', zone: '' }],
        ]));
        await k().schema.createTable(`${p}country_description`, (t) => {
          t.integer('country_id');
          t.integer('language_id');
          t.string('name', 128);
        });
        await k().schema.createTable(`${p}zone_description`, (t) => {
          t.integer('zone_id');
          t.integer('language_id');
          t.string('name', 128);
        });
        await k()(`${p}country_description`).insert([{ country_id: 97, language_id: langs[0], name: 'Magyarország' }, { country_id: 97, language_id: langs[1], name: 'Hungary' }]);
        await k()(`${p}zone_description`).insert([{ zone_id: 5, language_id: langs[1], name: 'Csongrád' }, { zone_id: 5, language_id: langs[0], name: 'Csongrád megye' }]);
        got = await readAccountAddresses(env.newContext().db, [3, 6], langs[1]!);
        expect(got).toEqual(new Map([
          [3, { ...eva, country: 'Hungary', zone: 'Csongrád' }],
          [6, { ...eva, company: '', address_2: '', country: '', zone: '' }],
        ]));
        expect((await readAccountAddresses(env.newContext().db, [3], langs[0]!)).get(3)).toMatchObject({ country: 'Magyarország', zone: 'Csongrád megye' });
      } finally {
        await dropTables(made);
      }
    });

    it('a shop without an address table has no account addresses', async () => {
      if (!sqlite) return;
      expect(await readAccountAddresses(env.newContext().db, [1, 2, 3], langs[0]!)).toEqual(new Map());
    });
  });

  describe('readSoldVouchers', () => {
    it('the vouchers of the orders asked for, by order and in their own order (MariaDB; the demo shop has no voucher table)', async () => {
      const a = await order();
      const b = await order();
      const other = await order();
      if (sqlite) {
        expect(await readSoldVouchers(db(), [a, b])).toEqual([]);
        return;
      }
      const schema = await shopSchema(db());
      const base = Number((await k()(db().t('order_voucher')).max({ m: 'order_voucher_id' }).first())?.m ?? 0) + 100;
      const voucher = (id: number, orderId: number, description: string, code: string, amount: number) =>
        k()(db().t('order_voucher')).insert(schema.completeRow('order_voucher', { order_voucher_id: id, order_id: orderId, voucher_id: 1, description, code, amount, from_name: 'a', to_name: 'b', message: '' }));
      await voucher(base + 1, b, 'B utalvány', 'VB1', 5000);
      await voucher(base + 9, a, 'Második', 'VA2', 2500.5);
      await voucher(base + 5, a, 'Ajándék &amp; más', 'VA1', 1000);
      await voucher(base + 2, other, 'Más', 'VO', 1);
      expect(await readSoldVouchers(db(), [b, a])).toEqual([
        { order_id: a, description: 'Ajándék &amp; más', code: 'VA1', amount: 1000 },
        { order_id: a, description: 'Második', code: 'VA2', amount: 2500.5 },
        { order_id: b, description: 'B utalvány', code: 'VB1', amount: 5000 },
      ]);
      expect(await readSoldVouchers(db(), [])).toEqual([]);
    });
  });

  describe('method names and custom fields', () => {
    it('names each method by its extension code from the newest order that used it, decoded; 4.x JSON too; empty codes or names skipped', async () => {
      const [pay, ship, json, noName] = [uniqueCode('p'), uniqueCode('s'), uniqueCode('j'), uniqueCode('n')];
      await order({ payment_method: 'Régi név', payment_code: pay, shipping_method: 'Régi futár', shipping_code: `${ship}.${ship}` });
      await order({ payment_method: 'Utánvét &amp; díj', payment_code: pay, shipping_method: 'Futár &quot;gyors&quot;', shipping_code: `${ship}.express` });
      await order({ payment_method: JSON.stringify({ name: 'Bankkártya &lt;online&gt;', code: `${json}.card` }), payment_code: '', shipping_method: '', shipping_code: noName });
      await order({ payment_method: 'Kód nélkül', payment_code: '' });
      const names = await shopMethodNames(db());
      expect(names.get(`payment:${pay}`)).toBe('Utánvét & díj');
      expect(names.get(`shipping:${ship}`)).toBe('Futár "gyors"');
      expect(names.get(`payment:${json}`)).toBe('Bankkártya <online>');
      expect(names.has(`shipping:${noName}`)).toBe(false);
      expect(names.has('payment:')).toBe(false);
      expect(names.has('shipping:')).toBe(false);
      expect([...names.keys()].every((key) => /^(payment|shipping):[^.]+$/.test(key))).toBe(true);
    });

    it('the custom fields by sort order and id, named in the language given (empty without a name there), with their location', async () => {
      await k()(db().t('custom_field_description')).delete();
      await k()(db().t('custom_field')).delete();
      const field = (id: number, location: string, sortOrder: number) => ({ custom_field_id: id, type: 'text', value: '', validation: '', location, status: 1, sort_order: sortOrder });
      // Field 3 is written before field 2: the same sort order comes in id order.
      await k()(db().t('custom_field')).insert([field(1, 'account', 2), field(3, 'address', 1), field(2, 'account', 1), field(4, 'address', 3)]);
      await k()(db().t('custom_field_description')).insert([
        { custom_field_id: 1, language_id: langs[0], name: 'Adószám' }, { custom_field_id: 1, language_id: langs[1], name: 'Tax number' },
        { custom_field_id: 2, language_id: langs[1], name: 'EU VAT &amp; more' }, { custom_field_id: 3, language_id: langs[1], name: 'Company reg.' },
        { custom_field_id: 4, language_id: langs[0], name: 'Csak az első' },
      ]);
      expect(await listCustomFields(db(), langs[1]!)).toEqual([
        { id: 2, name: 'EU VAT & more', location: 'account' },
        { id: 3, name: 'Company reg.', location: 'address' },
        { id: 1, name: 'Tax number', location: 'account' },
        { id: 4, name: '', location: 'address' },
      ]);
      expect((await listCustomFields(db(), langs[0]!)).map((f) => f.name)).toEqual(['', '', 'Adószám', 'Csak az első']);
    });

    it('a shop without custom field names has no custom fields (SQLite, the table renamed away for a moment)', async () => {
      if (!sqlite) return;
      const p = db().prefix;
      await k()(db().t('custom_field')).insert({ type: 'text', value: '', validation: '', location: 'account', status: 1, sort_order: 1 });
      await k().raw(`ALTER TABLE "${p}custom_field_description" RENAME TO "${p}cfd_away"`);
      try {
        expect(await listCustomFields(env.newContext().db, langs[0]!)).toEqual([]);
      } finally {
        await k().raw(`ALTER TABLE "${p}cfd_away" RENAME TO "${p}custom_field_description"`);
      }
    });
  });

  describe('the order status side', () => {
    it('adminLanguageId: config_admin_language, else 4.x config_language_admin, else the storefront\'s default', async () => {
      const codes = new Map((await k()(db().t('language')).select('language_id', 'code')).map((l) => [Number(l.language_id), String(l.code)]));
      const storefront = await readConfig('config_language');
      const defaultId = [...codes].find(([, c]) => c === storefront)![0];
      const otherId = langs.find((id) => id !== defaultId)!;
      await keepSettings(['config_admin_language', 'config_language_admin'], async () => {
        await setConfig('config_admin_language', codes.get(otherId)!);
        await setConfig('config_language_admin', codes.get(defaultId)!);
        expect(await adminLanguageId(db())).toBe(otherId);
        await setConfig('config_admin_language', null);
        expect(await adminLanguageId(db())).toBe(defaultId);
        await setConfig('config_language_admin', codes.get(otherId)!);
        expect(await adminLanguageId(db())).toBe(otherId);
        await setConfig('config_language_admin', 'xx-xx');
        expect(await adminLanguageId(db())).toBe(defaultId);
        await setConfig('config_language_admin', null);
        expect(await adminLanguageId(db())).toBe(defaultId);
      });
    });

    it('listAdminOrderStatuses: every status in the admin\'s language, by id', async () => {
      const [s1, s2] = [fresh(8000), fresh(8000)];
      const codes = new Map((await k()(db().t('language')).select('language_id', 'code')).map((l) => [Number(l.language_id), String(l.code)]));
      await k()(db().t('order_status')).insert([
        { order_status_id: s2, language_id: langs[1], name: 'Later, second' }, { order_status_id: s2, language_id: langs[0], name: 'Később, első' },
        { order_status_id: s1, language_id: langs[1], name: 'Earlier, second' }, { order_status_id: s1, language_id: langs[0], name: 'Korábban, első' },
      ]);
      await keepSettings(['config_admin_language', 'config_language_admin'], async () => {
        await setConfig('config_admin_language', codes.get(langs[1]!)!);
        const list = await listAdminOrderStatuses(db());
        const expected = await k()(db().t('order_status')).where({ language_id: langs[1] }).count({ n: '*' }).first();
        expect(list).toHaveLength(Number(expected!.n));
        expect(list.map((s) => s.orderStatusId)).toEqual([...list.map((s) => s.orderStatusId)].sort((a, b) => a - b));
        expect(list.filter((s) => s.orderStatusId === s1 || s.orderStatusId === s2)).toEqual([
          { orderStatusId: s1, name: 'Earlier, second' }, { orderStatusId: s2, name: 'Later, second' },
        ]);
        await setConfig('config_admin_language', codes.get(langs[0]!)!);
        expect((await listAdminOrderStatuses(db())).filter((s) => s.orderStatusId >= s1 && s.orderStatusId <= s2).map((s) => s.name)).toEqual(['Korábban, első', 'Később, első']);
      });
    });

    it('currentOrderStatuses: the status of each order asked for that exists and is not status 0, in pieces of a thousand', async () => {
      const a = await order({ order_status_id: 1 });
      const b = await order({ order_status_id: 7 });
      const zero = await order({ order_status_id: 0 });
      const notAsked = await order({ order_status_id: 2 });
      const filler = Array.from({ length: 1500 }, (_, i) => 900_000_000 + i);
      const got = await currentOrderStatuses(db(), [a, ...filler.slice(0, 1200), b, a, zero, ...filler.slice(1200)]);
      expect(got).toEqual(new Map([[a, 1], [b, 7]]));
      expect(got.has(notAsked)).toBe(false);
      expect(await currentOrderStatuses(db(), [])).toEqual(new Map());
    });

    it('shopApiFlavor: read from which API tables exist', async () => {
      expect(await shopApiFlavor(db())).toBe(sqlite ? null : 'session3');
      const p = `zf${++counter}_`;
      const table = (n: string) => k().schema.createTable(p + n, (t) => t.integer('id'));
      const all = ['api', 'api_session', 'api_history', 'startup'].map((n) => p + n);
      try {
        const alt = prefixed(p);
        expect(await shopApiFlavor(alt)).toBeNull();
        await table('api_history');
        await table('startup');
        expect(await shopApiFlavor(alt)).toBeNull();
        await table('api');
        expect(await shopApiFlavor(alt)).toBe('signed4');
        await table('api_session');
        expect(await shopApiFlavor(alt)).toBe('session4');
        await k().schema.dropTable(p + 'startup');
        expect(await shopApiFlavor(alt)).toBe('session3');
        await k().schema.dropTable(p + 'api_history');
        expect(await shopApiFlavor(alt)).toBe('session3');
        await table('startup');
        expect(await shopApiFlavor(alt)).toBe('session4');
      } finally {
        await dropTables(all);
      }
    });

    it('API users: listed by id without keys, with their addresses; a key only for an enabled user; none without the tables', async () => {
      const p = `za${++counter}_`;
      const alt = prefixed(p);
      expect(await listApiUsers(alt)).toEqual([]);
      expect(await apiKeyOf(alt, 'Default')).toBeNull();
      try {
        await apiTables(p);
        expect(await listApiUsers(alt)).toEqual([]);
        await k()(`${p}api`).insert([
          { api_id: 4, username: 'Második', key: 'k4', status: 0, date_added: '2026-01-01 00:00:00', date_modified: '2026-01-01 00:00:00' },
          { api_id: 2, username: 'Default', key: 'k2-secret', status: 1, date_added: '2026-01-01 00:00:00', date_modified: '2026-01-01 00:00:00' },
          { api_id: 5, username: 'Kettő', key: 'k5', status: 2, date_added: '2026-01-01 00:00:00', date_modified: '2026-01-01 00:00:00' },
        ]);
        await k()(`${p}api_ip`).insert([{ api_id: 2, ip: '127.0.0.1' }, { api_id: 4, ip: '10.0.0.1' }, { api_id: 2, ip: '::1' }, { api_id: 9, ip: '1.2.3.4' }]);
        expect(await listApiUsers(alt)).toEqual([
          { apiId: 2, username: 'Default', status: true, ips: ['127.0.0.1', '::1'] },
          { apiId: 4, username: 'Második', status: false, ips: ['10.0.0.1'] },
          { apiId: 5, username: 'Kettő', status: false, ips: [] },
        ]);
        expect(await apiKeyOf(alt, 'Default')).toBe('k2-secret');
        expect(await apiKeyOf(alt, 'Második')).toBeNull();
        expect(await apiKeyOf(alt, 'Kettő')).toBeNull();
        expect(await apiKeyOf(alt, 'nobody')).toBeNull();
      } finally {
        await dropTables([`${p}api`, `${p}api_ip`]);
      }
    });

    it('ensureApiUser creates an enabled user with a random 64-character key and the addresses once; again, it enables it and adds only new addresses', async () => {
      const p = `ze${++counter}_`;
      const alt = prefixed(p);
      try {
        await apiTables(p);
        await k()(`${p}api`).insert({ api_id: 3, username: 'Default', key: 'other', status: 1, date_added: '2026-01-01 00:00:00', date_modified: '2026-01-01 00:00:00' });
        const before = formatDateTime(new Date(Date.now() - 1000));
        const r = await ensureApiUser(alt, 'erp-bridge', ['127.0.0.1', '::1', '127.0.0.1']);
        const after = formatDateTime(new Date(Date.now() + 1000));
        expect(r).toEqual({ created: true, apiId: 4 });
        const row = await k()(`${p}api`).where({ api_id: 4 }).first();
        expect(row).toMatchObject({ username: 'erp-bridge', status: 1 });
        expect(row.key).toMatch(/^[0-9a-f]{64}$/);
        for (const d of [row.date_added, row.date_modified]) {
          expect(String(d) >= before && String(d) <= after, String(d)).toBe(true);
        }
        expect(await k()(`${p}api_ip`).orderBy('api_ip_id').select('api_id', 'ip')).toEqual([{ api_id: 4, ip: '127.0.0.1' }, { api_id: 4, ip: '::1' }]);
        const second = await ensureApiUser(alt, 'x-other', []);
        expect(second).toEqual({ created: true, apiId: 5 });
        expect((await k()(`${p}api`).where({ api_id: 5 }).first()).key).not.toBe(row.key);

        await k()(`${p}api`).where({ api_id: 4 }).update({ status: 0, date_modified: '2026-01-01 00:00:00' });
        await k()(`${p}api_ip`).insert({ api_id: 3, ip: '10.0.0.9' });
        const again = await ensureApiUser(alt, 'erp-bridge', ['::1', '10.0.0.9', '10.0.0.9']);
        expect(again).toEqual({ created: false, apiId: 4 });
        const row2 = await k()(`${p}api`).where({ api_id: 4 }).first();
        expect(row2).toMatchObject({ status: 1, key: row.key, date_added: row.date_added });
        expect(String(row2.date_modified) >= before).toBe(true);
        expect(await k()(`${p}api`).where({ api_id: 3 }).first()).toMatchObject({ status: 1, key: 'other', date_modified: '2026-01-01 00:00:00' });
        expect(await k()(`${p}api_ip`).orderBy('api_ip_id').select('api_id', 'ip')).toEqual([
          { api_id: 4, ip: '127.0.0.1' }, { api_id: 4, ip: '::1' }, { api_id: 3, ip: '10.0.0.9' }, { api_id: 4, ip: '10.0.0.9' },
        ]);
        expect(await k()(`${p}api`).count({ n: '*' }).first()).toEqual({ n: 3 });
        expect(await ensureApiUser(alt, 'erp-bridge', [])).toEqual({ created: false, apiId: 4 });
        expect(await k()(`${p}api_ip`).count({ n: '*' }).first()).toEqual({ n: 4 });
      } finally {
        await dropTables([`${p}api`, `${p}api_ip`]);
      }
    });

    it('addHistoryDirectly writes the history row (not notified, the comment HTML-encoded) and the order\'s status, and no other order\'s', async () => {
      const a = await order({ order_status_id: 1, date_modified: '2026-01-01 00:00:00' });
      const b = await order({ order_status_id: 1, date_modified: '2026-01-01 00:00:00' });
      const before = formatDateTime(new Date(Date.now() - 1000));
      await addHistoryDirectly(db(), { orderId: a, orderStatusId: 3, comment: 'Kés & "villa" <b>' });
      const after = formatDateTime(new Date(Date.now() + 1000));
      const history = await k()(db().t('order_history')).whereIn('order_id', [a, b]).select('order_id', 'order_status_id', 'notify', 'comment', 'date_added');
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ order_id: a, order_status_id: 3, notify: 0, comment: 'Kés &amp; &quot;villa&quot; &lt;b&gt;' });
      const added = String(history[0].date_added);
      expect(added >= before && added <= after, added).toBe(true);
      const ra = await k()(db().t('order')).where({ order_id: a }).first('order_status_id', 'date_modified');
      expect(Number(ra.order_status_id)).toBe(3);
      expect(String(ra.date_modified)).toBe(added);
      expect(await k()(db().t('order')).where({ order_id: b }).first('order_status_id', 'date_modified')).toEqual({ order_status_id: 1, date_modified: '2026-01-01 00:00:00' });
    });
  });
});

