// The edges of the promo writer (app/shop/specials.ts) that push-promo.test.ts does not reach:
// which of our specials count as running today, which are still open for a 0 to end, what a
// hand-made copy or a group outside the setting changes, gross promos, and codes that match no
// product or several. Each case was a mutant that survived the mutation run (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../app/web/server.js';
import { addDays, today } from '../../app/util/time.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, addSpecial, pushXml, specials, uniqueCode } from '../support/shop.js';
import { ProductStaging } from '../../app/shop/product-staging.js';
import { SpecialWriter } from '../../app/shop/specials.js';
import { shopSchema } from '../../app/shop/schema.js';
import { ProductHistory } from '../../app/plugin/product-history.js';

describe.each(TARGETS)('promo price edges on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let groups: number[];
  const db = () => env.ctx.db;
  const ours = async (id: number) => (await specials(db(), id)).filter((r) => Number(r.priority) === 10).map((r) => ({ ...r, price: Number(r.price) }));
  beforeAll(async () => {
    env = await openTarget(target);
    await env.ctx.settings.update({ import_password: KEY, vat_map: '27=9' });
    app = createApp(env.ctx);
    if ((await db().knex(db().t('customer_group')).count({ n: '*' }).first())!.n === 1) {
      await db().knex(db().t('customer_group')).insert({ customer_group_id: 7, approval: 0, sort_order: 2 });
    }
    groups = (await db().knex(db().t('customer_group')).orderBy('customer_group_id').pluck('customer_group_id')).map(Number);
    expect(groups.length).toBeGreaterThan(1); // the group cases below need two
  });
  afterAll(async () => env?.cleanup());

  /** Our special, by hand, in every group (as an earlier push or the owner's admin left it). */
  const addOurs = async (id: number, price: number, date_start: string, date_end: string) => {
    for (const g of groups) await addSpecial(db(), { product_id: id, customer_group_id: g, priority: 10, price, date_start, date_end });
  };

  it('a promo that ends today is not running: a resend without a start begins today', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await addOurs(id, 40, addDays(today(), -5), today());
    const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 40 }]);
    expect(res.body.counts).toMatchObject({ updated: 1 });
    expect((await ours(id)).map((r) => [r.date_start, r.date_end])).toEqual(groups.map(() => [today(), '0000-00-00']));
  });

  it('a running special without a start date keeps it on a resend, and the resend is unchanged', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await addOurs(id, 44, '0000-00-00', '0000-00-00');
    const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 44 }]);
    expect(res.body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    expect((await ours(id)).map((r) => r.date_start)).toEqual(groups.map(() => '0000-00-00'));
  });

  // A resend is unchanged only where each group holds exactly the promo sent, once (decided in
  // memory from one grouped read of our specials: each of these differs from it in one way).
  it('a resend with another end date updates the promo\'s end in every group', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 30, akcio_vege: addDays(today(), 10) }]);
    const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 30, akcio_vege: addDays(today(), 20) }]);
    expect(res.body.counts).toMatchObject({ updated: 1, unchanged: 0 });
    expect((await ours(id)).map((r) => r.date_end)).toEqual(groups.map(() => addDays(today(), 21)));
    expect((await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 30, akcio_vege: addDays(today(), 20) }])).body.counts).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it('a resend is not unchanged while one group\'s promo ends on another day', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    const end = addDays(today(), 11);
    for (const [i, g] of groups.entries()) await addSpecial(db(), { product_id: id, customer_group_id: g, priority: 10, price: 30, date_start: today(), date_end: i ? addDays(end, 5) : end });
    const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 30, akcio_kezdete: today(), akcio_vege: addDays(end, -1) }]);
    expect(res.body.counts).toMatchObject({ updated: 1, unchanged: 0 });
    expect((await ours(id)).map((r) => r.date_end)).toEqual(groups.map(() => end));
  });

  // Net promos are compared in memory, gross ones in SQL once they are net: the same rule both ways.
  it.each(['net', 'gross'] as const)('a %s resend is not unchanged while one group holds two copies of the promo and another none: the copy goes, the other group gets its row', async (basis) => {
    await env.ctx.settings.update({ price_basis: basis });
    try {
      const code = uniqueCode();
      const id = await addProduct(db(), { model: code, tax_class_id: 9 });
      for (let i = 0; i < groups.length; i++) await addSpecial(db(), { product_id: id, customer_group_id: groups[0]!, priority: 10, price: 30, date_start: today(), date_end: '0000-00-00' });
      // 27% VAT (vat_map 27=9): 38.10 gross is 30 net.
      const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: basis === 'net' ? 30 : 38.1, akcio_kezdete: today() }]);
      expect(res.body.counts).toMatchObject({ updated: 1, unchanged: 0 });
      expect((await ours(id)).map((r) => [r.customer_group_id, r.price])).toEqual(groups.map((g) => [g, 30]));
    } finally {
      await env.ctx.settings.update({ price_basis: 'net' });
    }
  });

  it('a resend is not unchanged while a hand-made copy of ours with another price stands beside the right one', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 30 }]);
    await addSpecial(db(), { product_id: id, customer_group_id: groups[0]!, priority: 10, price: 31, date_start: today() });
    const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 30 }]);
    expect(res.body.counts).toMatchObject({ updated: 1, unchanged: 0 });
    expect((await ours(id)).map((r) => [r.customer_group_id, r.price])).toEqual(groups.map((g) => [g, 30]));
  });

  it('a 0 for a promo that ended yesterday is unchanged; for one that ends today it ends it as of yesterday', async () => {
    const endedCode = uniqueCode();
    const ended = await addProduct(db(), { model: endedCode });
    await addOurs(ended, 20, addDays(today(), -9), addDays(today(), -1));
    const endingCode = uniqueCode();
    const ending = await addProduct(db(), { model: endingCode });
    await addOurs(ending, 20, addDays(today(), -9), today());
    const res = await pushXml(app, 'promo-prices', [{ termekkod: endedCode, arakcios: 0 }, { termekkod: endingCode, arakcios: 0 }]);
    expect(res.body.counts).toMatchObject({ updated: 1, unchanged: 1 });
    expect((await ours(ended)).map((r) => r.date_end)).toEqual(groups.map(() => addDays(today(), -1)));
    expect((await ours(ending)).map((r) => r.date_end)).toEqual(groups.map(() => addDays(today(), -1)));
  });

  it('a 0 ends the open specials of ours and leaves the end of one that ended long ago', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await addSpecial(db(), { product_id: id, customer_group_id: groups[0]!, priority: 10, price: 20, date_start: addDays(today(), -30), date_end: addDays(today(), -20) });
    await addSpecial(db(), { product_id: id, customer_group_id: groups[1]!, priority: 10, price: 20, date_start: addDays(today(), -5), date_end: '0000-00-00' });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 0 }]);
    expect((await ours(id)).map((r) => [r.customer_group_id, r.date_end])).toEqual([[groups[0], addDays(today(), -20)], [groups[1], addDays(today(), -1)]]);
  });

  it('a 0 ends every copy of ours, deleting none', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    for (const price of [20, 21]) await addSpecial(db(), { product_id: id, customer_group_id: groups[0]!, priority: 10, price });
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 0 }]);
    expect((await ours(id)).map((r) => [r.price, r.date_end])).toEqual([[20, addDays(today(), -1)], [21, addDays(today(), -1)]]);
  });

  it('leaves specials of ours in a customer group outside the setting alone, copies included', async () => {
    const [other, chosen] = [groups[0]!, groups[groups.length - 1]!];
    await env.ctx.settings.update({ promo_customer_groups: String(chosen) });
    try {
      const code = uniqueCode();
      const id = await addProduct(db(), { model: code });
      for (const price of [10, 11]) await addSpecial(db(), { product_id: id, customer_group_id: other, priority: 10, price });
      await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 5 }]);
      expect((await ours(id)).map((r) => [r.customer_group_id, r.price])).toEqual([[other, 10], [other, 11], [chosen, 5]]);
      // The chosen group's row is all there is to compare: a resend is unchanged.
      expect((await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 5 }])).body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    } finally {
      await env.ctx.settings.update({ promo_customer_groups: '' });
    }
  });

  it('writes a gross promo as net, and a resend of it is unchanged', async () => {
    await env.ctx.settings.update({ price_basis: 'gross' });
    try {
      const code = uniqueCode();
      const id = await addProduct(db(), { model: code, tax_class_id: 9 });
      const first = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 127 }]);
      expect(first.body.counts).toMatchObject({ updated: 1 });
      expect((await ours(id)).map((r) => r.price)).toEqual(groups.map(() => 100));
      expect((await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 127 }])).body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    } finally {
      await env.ctx.settings.update({ price_basis: 'net' });
    }
  });

  // The only 0 of the push comes from the gross-to-net step: the statements over promos of 0
  // run all the same (they are skipped only when no staged promo can be 0). The ERP's values keep
  // 4 decimals, so that takes a VAT class of 100% or more: the shop's own rates, as here (the
  // owner's VAT mapping stops at 99.99%).
  it('a gross promo that is 0 once net ends the promo as a 0 does; a promo above 0 ends none', async () => {
    const at = '2026-01-01 00:00:00';
    const k = db().knex;
    const [cls, rate, rule] = [9_301, 9_301, 9_301];
    // The columns each release has (4.1 dates neither its tax classes nor its rates).
    const insert = async (table: string, row: Record<string, unknown>) => {
      const has = new Set((await db().dialect.describeColumns(k, [db().t(table)])).map((c) => c.name));
      await k(db().t(table)).insert(Object.fromEntries(Object.entries(row).filter(([c]) => has.has(c))));
    };
    await env.ctx.settings.update({ price_basis: 'gross', vat_map: '' });
    try {
      await insert('tax_class', { tax_class_id: cls, title: 'Teszt 300%', description: '', date_added: at, date_modified: at });
      await insert('tax_rate', { tax_rate_id: rate, geo_zone_id: 0, name: 'Teszt 300%', rate: 300, type: 'P', date_added: at, date_modified: at });
      await insert('tax_rule', { tax_rule_id: rule, tax_class_id: cls, tax_rate_id: rate, based: 'store', priority: 1 });
      const [code, other] = [uniqueCode(), uniqueCode()];
      const id = await addProduct(db(), { model: code, tax_class_id: cls });
      const otherId = await addProduct(db(), { model: other, tax_class_id: cls });
      for (const p of [id, otherId]) await addOurs(p, 20, addDays(today(), -9), '0000-00-00');
      // Above 0 net: the running promo takes the new price (400 gross at 300%), its end stays open.
      expect((await pushXml(app, 'promo-prices', [{ termekkod: other, arakcios: 400 }])).body.counts).toMatchObject({ updated: 1 });
      expect((await ours(otherId)).map((r) => [r.price, r.date_end])).toEqual(groups.map(() => [100, '0000-00-00']));
      // The smallest gross the ERP can send: 0.000025 net, 0 in the stage's 4 decimals.
      const res = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 0.0001 }]);
      expect(res.body.counts).toMatchObject({ updated: 1 });
      expect((await ours(id)).map((r) => [r.price, r.date_end])).toEqual(groups.map(() => [20, addDays(today(), -1)]));
    } finally {
      await env.ctx.settings.update({ price_basis: 'net', vat_map: '27=9' });
      await k(db().t('tax_rule')).where({ tax_rule_id: rule }).delete();
      await k(db().t('tax_rate')).where({ tax_rate_id: rate }).delete();
      await k(db().t('tax_class')).where({ tax_class_id: cls }).delete();
    }
  });

  it('answers a code no product has as unknown and one two products share as ambiguous, writing no special', async () => {
    const twin = uniqueCode();
    const a = await addProduct(db(), { model: twin });
    const b = await addProduct(db(), { model: twin });
    // Two unknown, one ambiguous: swapped outcomes would not give the same counts.
    const unknown = [uniqueCode('NONE'), `${uniqueCode('NONE')}&<"'>`];
    const res = await pushXml(app, 'promo-prices', [{ termekkod: unknown[0]!, arakcios: 9 }, { termekkod: unknown[1]!, arakcios: 9 }, { termekkod: twin, arakcios: 9 }]);
    expect(res.body.counts).toMatchObject({ updated: 0, unknown: 2, ambiguous: 1 });
    // Journaled in the document's order, each under its code as sent (the stage keeps it HTML-encoded, as the shop does).
    const items = await db().knex(db().own('journal_item')).where({ run_id: res.body.run }).orderBy('seq').select('seq', 'code', 'outcome');
    expect(items.map((i) => [Number(i.seq), i.code, i.outcome])).toEqual([[1, unknown[0], 'unknown'], [2, unknown[1], 'unknown'], [3, twin, 'ambiguous']]);
    expect([...(await specials(db(), a)), ...(await specials(db(), b))]).toEqual([]);
  });

  it("writes a net promo push's history as blocks with its dates (no rows, the run not listed); a 0, compared in SQL, writes rows and lists its run only when it wrote some", async () => {
    const code = uniqueCode('P&B');
    const stored = code.replace('&', '&amp;');
    await addProduct(db(), { model: stored });
    const listed = async (run: number) => Number((await db().knex(db().own('product_change_run')).where({ run_id: run }).count({ n: '*' }))[0]!.n);
    const rowsOf = async (run: number) => Number((await db().knex(db().own('product_change')).where({ run_id: run }).count({ n: '*' }))[0]!.n);
    const blocksOf = async (run: number) => Number((await db().knex(db().own('product_change_block')).where({ run_id: run, field: 'promo' }).count({ n: '*' }))[0]!.n);
    const end = addDays(today(), 30);
    const first = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 12.5, akcio_vege: end }]);
    expect(first.body.counts).toMatchObject({ updated: 1 });
    expect([await blocksOf(first.body.run), await rowsOf(first.body.run), await listed(first.body.run)]).toEqual([1, 0, 0]);
    // Unchanged: nothing written, in either form.
    const again = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 12.5, akcio_vege: end }]);
    expect(again.body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    expect([await blocksOf(again.body.run), await rowsOf(again.body.run), await listed(again.body.run)]).toEqual([0, 0, 0]);
    // A 0 ends the promo: decided in SQL, so its history is a row, its run listed.
    const ended = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 0 }]);
    expect(ended.body.counts).toMatchObject({ updated: 1 });
    expect([await blocksOf(ended.body.run), await rowsOf(ended.body.run), await listed(ended.body.run)]).toEqual([0, 1, 1]);
    // Nothing open to end: no row, and the run is taken off the list again.
    const endedAgain = await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 0 }]);
    expect(endedAgain.body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    expect([await rowsOf(endedAgain.body.run), await listed(endedAgain.body.run)]).toEqual([0, 0]);
    // The product page shows both forms, newest first, the block's promo with its dates as the
    // special holds them (OpenCart's date_end is the first day without it), under the stored code.
    const page = await new ProductHistory(db()).changes({ codes: [stored, code], limit: 10 });
    expect(page.map((r) => [r.run_id, r.field, r.code, Number(r.new_value), r.promo_start, r.promo_end])).toEqual([
      [ended.body.run, 'promo', stored, 0, null, '0000-00-00'],
      [first.body.run, 'promo', stored, 12.5, today(), addDays(end, 1)],
    ]);
  });

  it('records a 0 in the product history as an end with no start date', async () => {
    const code = uniqueCode();
    const id = await addProduct(db(), { model: code });
    await addOurs(id, 20, addDays(today(), -9), '0000-00-00');
    await pushXml(app, 'promo-prices', [{ termekkod: code, arakcios: 0 }]);
    const rows = await db().knex(db().own('product_change')).where({ product_id: id, field: 'promo' }).select('new_value', 'promo_start');
    expect(rows.map((r) => [Number(r.new_value), r.promo_start])).toEqual([[0, null]]);
  });
  it('writes the promos\' history beside the specials from their first statement on, and a history that fails still lets them be written', async () => {
    const schema = await shopSchema(db());
    const staged = async (run: number) => {
      const code = uniqueCode('HB');
      const id = await addProduct(db(), { model: code });
      const st = new ProductStaging(db(), run, 'promo-prices');
      await st.load([{ seq: 1, code, match_count: 1, product_id: id, promo: 44, promo_start: today(), promo_end: '0000-00-00', outcome: 'updated' }]);
      return { id, st, writer: new SpecialWriter(st, schema.specials, groups, today(), addDays(today(), -1)) };
    };
    // The history waits until the specials' last statement: begun with them, it does not hold them up.
    const a = await staged(9301);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    try {
      await a.writer.apply('2026-12-02 10:00:00', async (name) => {
        order.push(name);
        if (name === 'specials:inserted') release();
      }, async () => {
        order.push('history begun');
        await gate;
      });
    } finally {
      release();
      await a.st.clear();
    }
    expect(order).toEqual(['history begun', 'specials:deduplicated', 'specials:updated', 'specials:inserted']);
    expect((await ours(a.id)).map((r) => r.price)).toEqual(groups.map(() => 44));
    // A history that fails: the specials are written all the same, and the failure is the push's.
    const b = await staged(9302);
    try {
      await expect(b.writer.apply('2026-12-02 10:00:00', async () => {}, async () => {
        throw new Error('history lost');
      })).rejects.toThrow('history lost');
    } finally {
      await b.st.clear();
    }
    expect((await ours(b.id)).map((r) => r.price)).toEqual(groups.map(() => 44));
  });
});
