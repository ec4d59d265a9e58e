// Promo prices where OpenCart 4.1 keeps specials: `product_discount` rows with special = 1 for
// quantity 1, the "fixed amount" type F making the price the price shown. The real 4.1 install
// runs every promo suite (opencart-pushes, push-promo), but StrykerJS leaves the real-OpenCart
// suites out, so the columns only 4.1 has (the marker and the fixed type) went untested there.
// Here SpecialWriter writes into a table of 4.1's shape (its db_schema.php's columns and
// defaults) on every database: what our rows carry, what counts as unchanged, and that the
// owner's own rows (discounts, specials of another priority) are never touched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductStaging, type StageRow } from '../../app/shop/product-staging.js';
import { SpecialWriter } from '../../app/shop/specials.js';
import type { SpecialsTable } from '../../app/shop/schema.js';
import { DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, uniqueCode } from '../support/shop.js';

const TODAY = '2026-12-02';
const YESTERDAY = '2026-12-01';
const NOW = '2026-12-02 10:00:00';
const OPEN = '0000-00-00';

describe.each(DIALECT_TARGETS)('promo prices as 4.1-style specials on $name', (target) => {
  let env: TargetEnv;
  let groups: number[];
  let run = 9400;
  const db = () => env.ctx.db;
  const table = () => `${db().prefix}erpb_test_discount`;
  const profile = (): SpecialsTable => ({
    table: table(),
    idColumn: 'product_discount_id',
    filter: (a) => `${a}.special = 1 AND ${a}.quantity = 1`,
    marker: { quantity: 1, special: 1 },
    fixed: { type: 'F' },
  });
  type Row = { customer_group_id: number; quantity: number; priority: number; price: number; type: string; special: number; date_start: string; date_end: string };
  const rowsOf = async (productId: number): Promise<Row[]> =>
    (await db().knex(table()).where({ product_id: productId }).orderBy('product_discount_id').select('customer_group_id', 'quantity', 'priority', 'price', 'type', 'special', 'date_start', 'date_end')).map((r: Record<string, unknown>) => ({
      customer_group_id: Number(r.customer_group_id), quantity: Number(r.quantity), priority: Number(r.priority), price: Number(r.price), type: String(r.type), special: Number(r.special), date_start: String(r.date_start), date_end: String(r.date_end),
    }));
  const addRow = (productId: number, row: Partial<Row>) =>
    db().knex(table()).insert({ product_id: productId, customer_group_id: groups[0], quantity: 1, priority: 10, price: 50, type: 'F', special: 1, date_start: OPEN, date_end: OPEN, ...row });
  /** One push of promo prices through SpecialWriter, as applyProducts runs it; the records' outcomes. */
  const push = async (records: Array<{ productId: number; promo: number }>): Promise<string[]> => {
    const st = new ProductStaging(db(), ++run, 'promo-prices');
    const writer = new SpecialWriter(st, profile(), groups, TODAY, YESTERDAY);
    const rows: StageRow[] = records.map((r, i) => ({ seq: i + 1, code: `C${i}`, match_count: 1, product_id: r.productId, promo: r.promo, promo_end: OPEN }));
    try {
      await writer.prepare(rows);
      await st.load(rows);
      await writer.classify();
      await writer.apply(NOW);
      return (await db().knex(st.S).where({ run_id: run }).orderBy('seq').pluck('outcome')).map(String);
    } finally {
      await st.clear();
    }
  };

  beforeAll(async () => {
    env = await openTarget(target);
    groups = (await db().knex(db().t('customer_group')).orderBy('customer_group_id').pluck('customer_group_id')).map(Number);
    await db().knex.schema.dropTableIfExists(table());
    await db().knex.schema.createTable(table(), (t) => {
      t.increments('product_discount_id');
      t.integer('product_id').notNullable();
      t.integer('customer_group_id').notNullable();
      t.integer('quantity').notNullable().defaultTo(0);
      t.integer('priority').notNullable().defaultTo(1);
      t.decimal('price', 15, 4).notNullable().defaultTo(0);
      t.specificType('type', 'CHAR(1)').notNullable().defaultTo('P');
      t.tinyint('special').notNullable().defaultTo(0);
      t.date('date_start').notNullable();
      t.date('date_end').notNullable();
    });
  });
  afterAll(async () => {
    await env?.ctx.db.knex.schema.dropTableIfExists(table()).catch(() => {});
    await env?.cleanup();
  });

  it('writes a first promo as a special of quantity 1, fixed type F and priority 10 in every group, and a resend is unchanged', async () => {
    const id = await addProduct(db(), { model: uniqueCode('D41') });
    expect(await push([{ productId: id, promo: 44 }])).toEqual(['updated']);
    expect(await rowsOf(id)).toEqual(groups.map((g) => ({ customer_group_id: g, quantity: 1, priority: 10, price: 44, type: 'F', special: 1, date_start: TODAY, date_end: OPEN })));
    expect(await push([{ productId: id, promo: 44 }])).toEqual(['unchanged']);
    expect((await rowsOf(id)).map((r) => r.price)).toEqual(groups.map(() => 44));
  });

  it('counts our special changed while it is not of the fixed type (the admin turned it into a percentage), and writes it back as F', async () => {
    const id = await addProduct(db(), { model: uniqueCode('D41') });
    for (const g of groups) await addRow(id, { customer_group_id: g, price: 44, type: g === groups[0] ? 'P' : 'F', date_start: TODAY });
    expect(await push([{ productId: id, promo: 44 }])).toEqual(['updated']);
    expect((await rowsOf(id)).map((r) => [r.type, r.price, r.special, r.quantity])).toEqual(groups.map(() => ['F', 44, 1, 1]));
  });

  it('leaves the owner\'s rows alone: a quantity discount at priority 10, a special of another priority, a priority-10 row for more than one piece', async () => {
    const id = await addProduct(db(), { model: uniqueCode('D41') });
    const owners: Array<Partial<Row>> = [
      { priority: 10, special: 0, quantity: 5, type: 'P', price: 30 },
      { priority: 1, special: 1, quantity: 1, type: 'F', price: 20 },
      { priority: 10, special: 1, quantity: 3, type: 'F', price: 25 },
    ];
    for (const o of owners) await addRow(id, o);
    const before = await rowsOf(id);
    expect(await push([{ productId: id, promo: 44 }])).toEqual(['updated']);
    const after = await rowsOf(id);
    expect(after.slice(0, owners.length)).toEqual(before);
    expect(after.slice(owners.length)).toEqual(groups.map((g) => ({ customer_group_id: g, quantity: 1, priority: 10, price: 44, type: 'F', special: 1, date_start: TODAY, date_end: OPEN })));
    // A 0 ends our specials as of yesterday, and still none of the owner's rows.
    expect(await push([{ productId: id, promo: 0 }])).toEqual(['updated']);
    const ended = await rowsOf(id);
    expect(ended.slice(0, owners.length)).toEqual(before);
    expect(ended.slice(owners.length).map((r) => r.date_end)).toEqual(groups.map(() => YESTERDAY));
    expect(await push([{ productId: id, promo: 0 }])).toEqual(['unchanged']);
  });

  it('keeps one special of ours per group: a hand-made copy goes, a discount row beside it stays', async () => {
    const id = await addProduct(db(), { model: uniqueCode('D41') });
    await addRow(id, { price: 60 });
    await addRow(id, { price: 61 });
    await addRow(id, { special: 0, quantity: 5, type: 'P', price: 30 });
    expect(await push([{ productId: id, promo: 44 }])).toEqual(['updated']);
    const rows = await rowsOf(id);
    expect(rows.filter((r) => r.special === 1 && r.quantity === 1).map((r) => [r.customer_group_id, r.price, r.type])).toEqual(groups.map((g) => [g, 44, 'F']));
    expect(rows.filter((r) => r.special === 0)).toEqual([{ customer_group_id: groups[0], quantity: 5, priority: 10, price: 30, type: 'P', special: 0, date_start: OPEN, date_end: OPEN }]);
  });
});
