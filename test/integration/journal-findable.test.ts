// Every record findable, on every target (SQLite, the 3.0 fixture on MariaDB, and each real
// OpenCart release): a refused record keeps its reason as a code and values (the ERP's answer
// keeps the English sentence), a run's records page by outcome to the last one, and what each
// push changed on a product (stock, price, promo price; stock-and-price and full sync) is kept
// per product, found by its code; a dry run records no change.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../app/web/server.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { KEY, addProduct, product, uniqueCode } from '../support/shop.js';
import { loginWithForm } from '../support/admin-forms.js';
import { ChangeTable } from '../../app/shop/product-changes.js';
import { Journal } from '../../app/plugin/journal.js';
import { ProductHistory, historyStep, runChanges } from '../../app/plugin/product-history.js';
import { changesByCode } from '../support/history.js';

const PASSWORD = 'Admin-jelszo-2026';
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe.each(TARGETS)('findable records on $name', (target) => {
  let env: TargetEnv;
  let app: Express;
  let cookie: string;
  const db = () => env.ctx.db;
  const push = (kind: string, records: unknown[], query = '') =>
    request(app).post(`/integration/${kind}?key=${KEY}${query}`).set('Content-Type', 'application/json').send(JSON.stringify(records));
  const changesOf = async (code: string) => (await changesByCode(db(), code)).map(({ run_id: _, ...c }) => c);
  const page = (path: string, lang = 'hu') => request(app).get(path).set('Cookie', `${cookie}; erpb_lang=${lang}`);

  beforeAll(async () => {
    env = await openTarget(target, { ADMIN_PASSWORD: PASSWORD });
    await env.ctx.settings.update({ import_password: KEY, vat_map: '27=9' });
    app = createApp(env.ctx);
    const r = await loginWithForm(app, 'admin', PASSWORD);
    expect(r.status).toBe(302);
    cookie = r.cookie;
  });
  afterAll(async () => env?.cleanup());

  it('keeps a refused record\'s reason as a code with values, and answers the ERP in the same English as before', async () => {
    const code = uniqueCode('RSN');
    await addProduct(db(), { model: code, price: 100 });
    const res = await push('prices', [{ termekkod: code, ar: '-5' }]);
    expect(res.body.notApplied).toEqual([{ record: 1, code, outcome: 'invalid', reason: 'ar -5 is negative' }]);
    const item = await db().knex(db().own('journal_item')).where({ run_id: res.body.run }).first();
    expect(item).toMatchObject({ outcome: 'invalid', reason: 'ar -5 is negative', reason_code: 'negative' });
    expect(JSON.parse(item.reason_vars)).toEqual({ field: 'ar', value: '-5' });
    expect((await page(`/admin/journal/${res.body.run}`)).text).toContain('a(z) ár negatív: -5');
    expect((await page(`/admin/journal/${res.body.run}`, 'en')).text).toContain('ar -5 is negative');
  });

  it('pages a run\'s records by outcome to the last one, with the totals', async () => {
    const known = uniqueCode('PG');
    await addProduct(db(), { model: known, quantity: 1 });
    const unknown = Array.from({ length: 250 }, (_, i) => `${known}-X${String(i).padStart(3, '0')}`);
    const res = await push('stock', [...unknown.map((c) => ({ termekkod: c, szabadraktar: 2 })), { termekkod: known, szabadraktar: -3 }]);
    expect(res.body.counts).toMatchObject({ received: 251, unknown: 250, invalid: 1 });
    const first = plain((await page(`/admin/journal/${res.body.run}`)).text);
    expect(first).toContain('251 fel nem dolgozott tétel: 250 ismeretlen, 1 hibás.');
    const seen: string[] = [];
    let path = `/admin/journal/${res.body.run}?outcome=unknown`;
    for (;;) {
      const html = (await page(path)).text;
      seen.push(...[...html.matchAll(/journal\/product\?code=([^"&]+)"/g)].map((m) => decodeURIComponent(m[1]!)));
      const next = /id="items-next" href="([^"]+)"/.exec(html);
      if (!next) break;
      path = next[1]!.replace(/&amp;/g, '&');
    }
    expect(seen).toEqual(unknown);
    const invalid = (await page(`/admin/journal/${res.body.run}?outcome=invalid`)).text;
    expect(invalid).toContain('a(z) szabad készlet negatív: -3');
    expect(invalid).not.toContain('id="items-next"');
  });

  it('keeps what each push changed on a product, found by its code; a dry run and an unchanged value record nothing', async () => {
    const code = uniqueCode('HIST');
    await addProduct(db(), { model: code, price: 100, quantity: 4 });
    expect((await push('stock', [{ termekkod: code, szabadraktar: 9 }])).body.counts.updated).toBe(1);
    expect((await push('stock', [{ termekkod: code, szabadraktar: 9 }])).body.counts.unchanged).toBe(1);
    expect((await push('prices', [{ termekkod: code, ar: 250 }], '&dry_run=1')).body.counts.updated).toBe(1);
    expect((await push('prices', [{ termekkod: code, ar: 250 }])).body.counts.updated).toBe(1);
    expect((await push('promo-prices', [{ termekkod: code, arakcios: 199, akcio_kezdete: '2026-01-01', akcio_vege: '2026-01-31' }])).body.counts.updated).toBe(1);
    const rows = (await changesOf(code)).map((r) => ({ ...r, old_value: r.old_value === null ? null : Number(r.old_value), new_value: Number(r.new_value) }));
    expect(rows).toEqual([
      { field: 'quantity', old_value: 4, new_value: 9, promo_start: null, promo_end: null },
      { field: 'price', old_value: 100, new_value: 250, promo_start: null, promo_end: null },
      // OpenCart's date_end is exclusive: the ERP's last day plus one.
      { field: 'promo', old_value: null, new_value: 199, promo_start: '2026-01-01', promo_end: '2026-02-01' },
    ]);
    const html = plain((await page(`/admin/journal/product?code=${encodeURIComponent(code)}`)).text);
    expect(html).toContain('4 → 9');
    // In the shop's currency (HUF on the demo shop: "100 Ft → 250 Ft").
    expect(html).toMatch(/100(?:,00)?[^0-9→]* → [^0-9]*250/);
    expect(html).toMatch(/199(?:,00)?[^0-9]*, kezdete: 2026\. 01\. 01\., vége: 2026\. 01\. 31\./);
    if (target.dialect === 'sqlite') expect(html).toContain('100 Ft → 250 Ft');
  });

  // A stock or price push loads its history rows while it still reads the document (beside its
  // change table): they must describe only what was written.
  it('keeps a push\'s history only once it writes: loaded rows leave with a push stopped before writing, and a crash while reading shows none', async () => {
    const journal = new Journal(db());
    const history = new ProductHistory(db());
    const codes = [uniqueCode('HL'), uniqueCode('HL')];
    const ids = [await addProduct(db(), { model: codes[0]!, price: 100 }), await addProduct(db(), { model: codes[1]!, price: 100 })];
    const changes = ids.map((productId, k) => ({ productId, code: codes[k]!, value: 150 + k, old: 100 }));
    const list = { length: 2, productId: (k: number) => changes[k]!.productId, code: (k: number) => changes[k]!.code, value: (k: number) => changes[k]!.value, old: (k: number) => changes[k]!.old };
    const rowsOf = async (run: number) => (await runChanges(db(), run)).sort((a, b) => a.product_id - b.product_id);

    // Stopped before writing (a refused document, an error): the rows loaded with the changes leave.
    const refused = await journal.start('prices', 'test');
    const stopped = await ChangeTable.open(db(), 'model', 'price', refused);
    await stopped.load(list);
    await stopped.close();
    expect(await rowsOf(refused)).toEqual([]);

    // Written: each row keeps the old value the push compared against and the new one.
    const written = await journal.start('prices', 'test');
    await journal.progress(written, 2, 'writing');
    const table = await ChangeTable.open(db(), 'model', 'price', written);
    try {
      await table.load(list);
      expect(await table.write('2026-12-02 10:00:00', { rows: 2 })).toBe(2);
    } finally {
      await table.close();
    }
    expect((await rowsOf(written)).map((r) => [r.product_id, r.code, r.field, r.old_value, r.new_value])).toEqual([
      [ids[0], codes[0], 'price', 100, 150],
      [ids[1], codes[1], 'price', 100, 151],
    ]);
    expect(Number((await product(db(), ids[1]!)).price)).toBe(151);
    await journal.finish(written, { status: 'ok', httpStatus: 200, durationMs: 1 });

    // A process that died while reading leaves its loaded rows behind: the run never wrote, so the
    // product's history does not show them (the run that wrote does).
    const crashed = await journal.start('prices', 'test');
    await journal.progress(crashed, 2, 'reading');
    await historyStep(db(), crashed, 'price', [[ids[0], codes[0], 999, 150]])();
    await journal.markInterrupted(crashed);
    const shown = await history.changes({ codes: [codes[0]!], limit: 10 });
    expect(shown.map((r) => [Number(r.run_id), r.new_value])).toEqual([[written, 150]]);

    // A run that failed while writing keeps its rows (the change may have been made, on MyISAM
    // part of it), and the product's page says it may not be in the shop.
    const broken = await journal.start('prices', 'test');
    await journal.progress(broken, 1, 'writing');
    await historyStep(db(), broken, 'price', [[ids[1], codes[1], 777, 151]])();
    await journal.finish(broken, { status: 'failed', httpStatus: 500, message: 'internal error', durationMs: 1 });
    const listed = await history.changes({ codes: [codes[1]!], limit: 10 });
    expect(listed.map((r) => [Number(r.run_id), r.new_value, r.run_status])).toEqual([[broken, 777, 'failed'], [written, 151, 'ok']]);
    const html = plain((await page(`/admin/journal/product?code=${encodeURIComponent(codes[1]!)}`, 'en')).text);
    const rowOf = (run: number) => html.split('<tr>').find((r) => r.includes(`/journal/${run}"`)) ?? '';
    expect(rowOf(broken)).toContain('the shop may not have this change');
    expect(rowOf(written)).toContain('151');
    expect(rowOf(written)).not.toContain('the shop may not have this change');
  });

  it('keeps full sync\'s price changes too, a new product\'s first price without an old one', async () => {
    await env.ctx.settings.update({ sync_type: 'full' });
    try {
      const existing = uniqueCode('FULL');
      await addProduct(db(), { model: existing, price: 100 });
      const created = uniqueCode('NEW');
      const res = await push('prices', [{ termekkod: existing, ar: 120, nev: 'Régi termék' }, { termekkod: created, ar: 80, nev: 'Új termék' }]);
      expect(res.body.counts).toMatchObject({ updated: 1, created: 1 });
      expect((await changesOf(existing)).map((r) => [r.field, Number(r.old_value), Number(r.new_value)])).toEqual([['price', 100, 120]]);
      expect((await changesOf(created)).map((r) => [r.field, r.old_value, Number(r.new_value)])).toEqual([['price', null, 80]]);
    } finally {
      await env.ctx.settings.update({ sync_type: 'stock_price' });
    }
  });
});
