// Edges of the order side of app/shop that the first mutation run of shop-orders.test.ts left
// open, on the same databases (SQLite demo shop, MariaDB 3.0.3.8 fixture), called directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOrderTaxFacts, readShopTaxConfig } from '../../app/shop/order-tax.js';
import { methodOf } from '../../app/shop/orders.js';
import { readSoldVouchers } from '../../app/shop/order-vouchers.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { uniqueCode } from '../support/shop.js';

describe('methodOf on a name that is JSON but no object', () => {
  it('reads it as a plain name: only a text starting with "{" is 4.x JSON', () => {
    expect(methodOf('123', 'cod')).toEqual({ code: 'cod', name: '123' });
    expect(methodOf(' "Utánvét" ', 'cod')).toEqual({ code: 'cod', name: '"Utánvét"' });
  });
});

describe.each(FIXTURE_DIALECT_TARGETS)('order side edges on $name', (target) => {
  let env: TargetEnv;
  const db = () => env.ctx.db;
  const k = () => db().knex;

  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('readShopTaxConfig: the low-order fee\'s class is read; a key that only looks like a shipping class (LIKE\'s wildcards) is none', async () => {
    const keys = ['total_low_order_fee_tax_class_id', 'shipping_ups_tax_class_id_old_id', 'shipping_flat_tax_class_id', 'SHIPPINGshipping_dup_tax_class_id'];
    const saved = await k()(db().t('setting')).whereIn('key', keys).select();
    try {
      await k()(db().t('setting')).whereIn('key', keys).delete();
      await k()(db().t('setting')).insert([
        { store_id: 0, code: 'total_low_order_fee', key: 'total_low_order_fee_tax_class_id', value: '10', serialized: 0 },
        { store_id: 0, code: 'shipping_ups', key: 'shipping_ups_tax_class_id_old_id', value: '7', serialized: 0 },
        { store_id: 0, code: 'shipping_flat', key: 'shipping_flat_tax_class_id', value: '9', serialized: 0 },
        // LIKE is case-blind, the key's own pattern is not: this one does not start with "shipping_".
        { store_id: 0, code: 'shipping_dup', key: 'SHIPPINGshipping_dup_tax_class_id', value: '8', serialized: 0 },
      ]);
      const c = await readShopTaxConfig(db());
      expect(c.feeClasses.get('low_order_fee')).toBe(10);
      expect([...c.feeClasses].filter(([key]) => key.startsWith('shipping:'))).toEqual([['shipping:flat', 9]]);
    } finally {
      await k()(db().t('setting')).whereIn('key', keys).delete();
      if (saved.length) await k()(db().t('setting')).insert(saved);
    }
  });

  it('readOrderTaxFacts: a coupon total without a code finds no coupon, not even one stored with an empty code', async () => {
    const code = uniqueCode('E');
    const coupon = (c: string) => ({ name: c || 'üres', code: c, type: 'F', discount: 3, logged: 0, shipping: 0, total: 0, date_start: '2026-01-01', date_end: '2027-01-01', uses_total: 1, uses_customer: '1', status: 1, date_added: '2026-01-01 00:00:00' });
    await k()(db().t('coupon')).insert([coupon(''), coupon(code)]);
    try {
      const f = await readOrderTaxFacts(db(), [], [
        { order_id: 1, code: 'coupon', title: 'Kupon ()', value: -3, sort_order: 3 },
        { order_id: 1, code: 'coupon', title: 'Kupon', value: -3, sort_order: 4 },
        { order_id: 1, code: 'coupon', title: `Kupon (${code})`, value: -3, sort_order: 5 },
      ]);
      expect([...f.coupons.keys()]).toEqual([code]);
    } finally {
      await k()(db().t('coupon')).where({ code: '' }).delete();
    }
  });

  it('readSoldVouchers: a voucher row without description or code reads them as empty (a hand-made voucher table on SQLite, as a shop may have one)', async () => {
    if (target.dialect !== 'sqlite') return; // the fixture's columns are NOT NULL
    const table = db().t('order_voucher');
    await k().schema.createTable(table, (t) => {
      t.increments('order_voucher_id');
      t.integer('order_id').notNullable();
      t.string('description', 255).nullable();
      t.string('code', 10).nullable();
      t.decimal('amount', 15, 4).notNullable();
    });
    try {
      await k()(table).insert([
        { order_id: 7001, description: null, code: null, amount: 100 },
        { order_id: 7001, description: 'Ajándék', code: 'AJ1', amount: 200.5 },
        { order_id: 7002, description: 'Más', code: 'M1', amount: 1 },
      ]);
      expect(await readSoldVouchers(env.newContext().db, [7001])).toEqual([
        { order_id: 7001, description: '', code: '', amount: 100 },
        { order_id: 7001, description: 'Ajándék', code: 'AJ1', amount: 200.5 },
      ]);
    } finally {
      await k().schema.dropTableIfExists(table);
    }
  });
});
