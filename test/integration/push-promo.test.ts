import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../app/web/server.js';
import { addDays, today } from '../../app/util/time.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, addSpecial, dayAt, effectiveSpecial, pushXml, specials, uniqueCode } from '../support/shop.js';

describe.each(TARGETS)('promo prices on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let groups: number[];
  const db = () => env.ctx.db;
  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY });
    app = createApp(env.ctx);
    // The OpenCart fixture has one customer group; a second one shows "every group".
    if ((await db().knex(db().t('customer_group')).count({ n: '*' }).first())!.n === 1) {
      await db().knex(db().t('customer_group')).insert({ customer_group_id: 7, approval: 0, sort_order: 2 });
    }
    groups = (await db().knex(db().t('customer_group')).orderBy('customer_group_id').pluck('customer_group_id')).map(Number);
    expect(groups.length).toBeGreaterThan(0); // every "each group" assertion below would pass on none
  });
  afterAll(async () => env?.cleanup());

  it('writes a priority-10 special for every customer group, starting today, with no end', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code, price: 1000 });
    const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 799 }]);
    expect(res.body.counts).toMatchObject({ updated: 1 });
    const rows = await specials(db(), id);
    expect(rows).toEqual(groups.map((g) => ({ customer_group_id: g, priority: 10, price: 799, date_start: today(), date_end: '0000-00-00' })));
    for (const g of groups) expect(await effectiveSpecial(db(), id, g, dayAt(0))).toBe(799);
    expect(await effectiveSpecial(db(), id, groups[0]!, dayAt(-1))).toBeNull();
  });

  it('stores an inclusive ERP end date as OpenCart exclusive date_end (+1 day)', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    const start = addDays(today(), -3);
    const end = addDays(today(), 5);
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 50, akcio_kezdete: start.replace(/-/g, '.'), akcio_vege: end }]);
    const [row] = await specials(db(), id);
    expect(row).toMatchObject({ date_start: start, date_end: addDays(end, 1) });
    expect(await effectiveSpecial(db(), id, groups[0]!, dayAt(5, '23:59:59'))).toBe(50);
    expect(await effectiveSpecial(db(), id, groups[0]!, dayAt(6, '00:00:01'))).toBeNull();
  });

  it('never touches specials of another priority; the lower priority number still wins', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code, price: 1000 });
    await addSpecial(db(), { product_id: id, customer_group_id: groups[0]!, priority: 1, price: 900 });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 700 }]);
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 0 }]);
    const owner = (await specials(db(), id)).filter((s) => Number(s.priority) === 1);
    expect(owner).toEqual([{ customer_group_id: groups[0], priority: 1, price: 900, date_start: '0000-00-00', date_end: '0000-00-00' }]);
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 700 }]);
    expect(await effectiveSpecial(db(), id, groups[0]!, dayAt(0))).toBe(900);
  });

  it('ends the priority-10 specials as of yesterday when arakcios is 0', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 60, akcio_kezdete: addDays(today(), -10) }]);
    const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: '0' }]);
    expect(res.body.counts.updated).toBe(1);
    const rows = await specials(db(), id);
    expect(rows).toHaveLength(groups.length);
    expect(rows.map((r) => r.date_end)).toEqual(groups.map(() => addDays(today(), -1)));
    expect(await effectiveSpecial(db(), id, groups[0]!, dayAt(0))).toBeNull();
    expect((await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 0 }])).body.counts).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it('updates its own row instead of adding one, and reports a resend as unchanged', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 80 }]);
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 75 }]);
    const rows = await specials(db(), id);
    expect(rows).toHaveLength(groups.length);
    expect(rows.map((r) => Number(r.price))).toEqual(groups.map(() => 75));
    const again = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 75 }]);
    expect(again.body.counts).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it('repairs what OpenCart admin left: duplicate priority-10 rows collapse to one per group', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    for (let i = 0; i < 2; i++)
      await addSpecial(db(), { product_id: id, customer_group_id: groups[0]!, priority: 10, price: 10 + i });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 33 }]);
    const rows = (await specials(db(), id)).filter((r) => Number(r.priority) === 10);
    expect(rows.map((r) => [r.customer_group_id, Number(r.price)])).toEqual(groups.map((g) => [g, 33]));
  });

  it('writes only the configured customer groups', async () => {
    await env.ctx.settings.update({ promo_customer_groups: String(groups[groups.length - 1]) });
    try {
      const code = uniqueCode();
      const id = await addProduct(db(), { model: code });
      await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 5 }]);
      expect((await specials(db(), id)).map((r) => r.customer_group_id)).toEqual([groups[groups.length - 1]]);
    } finally {
      await env.ctx.settings.update({ promo_customer_groups: '' });
    }
  });

  it('keeps the start of a running promo on a daily resend without a start date (unchanged)', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    const started = addDays(today(), -3);
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 44, akcio_kezdete: started }]);
    const again = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 44 }]);
    expect(again.body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await specials(db(), id)).map((r) => r.date_start)).toEqual(groups.map(() => started));
    // A promo that has not started yet is not "running": a resend without a start begins today.
    const code2 = uniqueCode();
    const id2 = await addProduct(db(), { model: code2 });
    await pushXml(app, 'promo-prices', [{ termekkod: code2, arakcios: 44, akcio_kezdete: addDays(today(), 4) }]);
    await pushXml(app, 'promo-prices', [{ termekkod: code2, arakcios: 44 }]);
    expect((await specials(db(), id2)).map((r) => r.date_start)).toEqual(groups.map(() => today()));
  });

  it('removes only surplus priority-10 copies: an owner\'s special of another priority added after ours stays', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code, price: 1000 });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 700 }]);
    // The owner adds a priority-1 special later (a higher id than ours), then the ERP changes the promo.
    await addSpecial(db(), { product_id: id, customer_group_id: groups[0]!, priority: 1, price: 650 });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 690 }]);
    const rows = await specials(db(), id);
    expect(rows.filter((r) => Number(r.priority) === 1)).toEqual([{ customer_group_id: groups[0], priority: 1, price: 650, date_start: '0000-00-00', date_end: '0000-00-00' }]);
    expect(rows.filter((r) => Number(r.priority) === 10).map((r) => Number(r.price))).toEqual(groups.map(() => 690));
  });

  it('leaves specials alone for a record without arakcios', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 12 }]);
    const before = await specials(db(), id);
    const res = await pushXml(app, 'promo-prices', [{ termekkod: code, ar: 99, szabadraktar: 1 }]);
    expect(res.body.counts).toMatchObject({ ignored: 1, updated: 0 });
    expect(res.body.ignoredFields).toEqual(['ar', 'szabadraktar']);
    expect(await specials(db(), id)).toEqual(before);
  });
});
