// Every push on every supported release, proven by the release's own storefront: OpenCart
// 3.0.4.1 (MyISAM), 4.0.2.3 and 4.1.0.3 installed by their own installers and served by
// `php -S`; erp-bridge installed beside each (migrate), then pushes over HTTP, then the
// storefront is read as a visitor reads it: the price, the struck price beside a promo, a new
// product's title, description and picture, its listing in its ERP category. Last, nothing
// OpenCart served (storefront or admin) carries a PHP warning, notice or deprecation.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { loadConfig } from '../../app/config.js';
import { createContext, install, type AppContext } from '../../app/context.js';
import { createLogger } from '../../app/log.js';
import { createApp } from '../../app/web/server.js';
import { adminLogin } from '../support/opencart/admin.js';
import { realOpenCartAvailable } from '../support/opencart/available.js';
import { installOpenCart, type OpenCartShop, type Release } from '../support/opencart/install.js';
import { addSecondLanguage } from '../support/second-language.js';
import { storefrontLanguage } from '../support/opencart/settings.js';
import { categoryProducts, productDescription, productPage, productPrices, storefrontGet } from '../support/opencart/storefront.js';
import { pngBytes } from '../support/pictures.js';
import { placeOrder } from '../support/opencart/orders.js';
import { KEY, pushXml, xmlDoc } from '../support/shop.js';
import { lastIndexLoad, SIGNATURE_BLOCK } from '../../app/shop/product-index.js';
import { ProductHistory, runChanges } from '../../app/plugin/product-history.js';

const CASES: Array<{ release: Release; prefix: string }> = [
  { release: '3.0.4.1', prefix: 'oc_' },
  { release: '4.0.2.3', prefix: 'oc4_' },
  { release: '4.1.0.3', prefix: 'shop_' },
];

describe.skipIf(!realOpenCartAvailable()).each(CASES)('pushes on OpenCart $release ($prefix), seen on its storefront', ({ release, prefix }) => {
  let shop: OpenCartShop;
  let ctx: AppContext;
  let app: Express;
  let dataDir: string;
  let product: { product_id: number; model: string };
  let taxClassId: number;
  const t = (name: string) => `\`${prefix}${name}\``;

  beforeAll(async () => {
    shop = await installOpenCart(release, { prefix });
    await addSecondLanguage(shop.databaseUrl, prefix, { enabled: false }); // a second language, as on every database the suites use
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'erpb-oc-push-'));
    ctx = createContext(
      loadConfig({ DATABASE_URL: shop.databaseUrl, TABLE_PREFIX: prefix, DATA_DIR: dataDir, APP_SECRET: 'test-secret-0123456789abcdef', LOG_LEVEL: 'silent', SHOP_IMAGE_DIR: path.join(shop.root, 'image') }),
      createLogger('silent'),
    );
    await install(ctx);
    // A demo product whose code is its own, taken out of tax by the owner (as the admin's
    // product form does), so the storefront shows the net price as pushed.
    [product] = await shop.query(
      `SELECT p.product_id, p.model FROM ${t('product')} p JOIN ${t('product_to_store')} s ON s.product_id = p.product_id AND s.store_id = 0
        WHERE p.status = 1 AND p.model IN (SELECT model FROM ${t('product')} GROUP BY model HAVING COUNT(*) = 1)
          AND p.product_id NOT IN (SELECT product_id FROM ${t('product_discount')})
        ORDER BY p.product_id LIMIT 1`,
    );
    await shop.query(`UPDATE ${t('product')} SET tax_class_id = 0 WHERE product_id = ?`, [product.product_id]);
    // The shop's own tax class for the VAT mapping (found by the rates it holds, never by id).
    [{ tax_class_id: taxClassId }] = await shop.query(
      `SELECT tr.tax_class_id FROM ${t('tax_rule')} tr JOIN ${t('tax_rate')} r ON r.tax_rate_id = tr.tax_rate_id WHERE r.type = 'P' ORDER BY tr.tax_class_id LIMIT 1`,
    );
    await ctx.settings.update({ import_password: KEY, sync_type: 'stock_price', vat_map: `27=${taxClassId}` });
    app = createApp(ctx);
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await shop?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const push = (kind: string, records: Array<Record<string, string | number>>) => pushXml(app, kind, records);
  const shown = async (id: number) => {
    const p = await productPrices(shop, id);
    return { ...p, net: (p.exTax ?? p.price).value };
  };
  /** Products of the demo in the default store that OpenCart sells without options, lowest ids first (not the price test's, nor those renamed ORD-…). */
  const sellable = async (n: number): Promise<number[]> =>
    (await shop.query(
      `SELECT p.product_id FROM ${t('product')} p JOIN ${t('product_to_store')} s ON s.product_id = p.product_id AND s.store_id = 0
        WHERE p.status = 1 AND p.product_id <> ? AND p.model NOT LIKE 'ORD-%' AND p.product_id NOT IN (SELECT product_id FROM ${t('product_option')})
        ORDER BY p.product_id LIMIT ${Number(n)}`,
      [product.product_id],
    )).map((r: { product_id: number }) => r.product_id);
  /** Gives a product its own code, 5 in stock at 50 untaxed, and makes it orderable today (the order tests' setup, by hand). */
  const stockable = (id: number, code: string) =>
    shop.query(`UPDATE ${t('product')} SET model = ?, price = 50, quantity = 5, tax_class_id = 0, subtract = 1, minimum = 1, date_available = '2000-01-01' WHERE product_id = ?`, [code, id]);
  /** The products' stock, in product_id order. */
  const quantities = async (ids: number[]) =>
    (await shop.query(`SELECT quantity FROM ${t('product')} WHERE product_id IN (?) ORDER BY product_id`, [ids])).map((r: { quantity: number }) => Number(r.quantity));

  it('stock-and-price sync: the storefront shows the pushed price; stock lands in the product', async () => {
    const res = await push('prices', [{ termekkod: product.model, ar: '1234,5' }]);
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ received: 1, updated: 1 });
    expect((await shown(product.product_id)).net).toBe(1234.5);
    const stock = await push('stock', [{ termekkod: product.model, szabadraktar: 7 }]);
    expect(stock.body.counts).toMatchObject({ updated: 1 });
    const [row] = await shop.query(`SELECT quantity FROM ${t('product')} WHERE product_id = ?`, [product.product_id]);
    expect(Number(row.quantity)).toBe(7);
  });

  it('stock: an order placed through OpenCart takes one from two products whose rows end alike; the next stock push back to 5 writes both (the warm index saw the order)', async () => {
    // Two products alike but for their id and code (the same price, stock and tax class; codes of one
    // length): the same edit on both once cancelled out in the index's checksum.
    const ids = await sellable(2);
    const codes = ['ORD-TWIN-A', 'ORD-TWIN-B'];
    for (const [k, id] of ids.entries()) await stockable(id, codes[k]!);
    // The index is read, and kept warm: the shop holds 5 of each already.
    expect((await push('stock', codes.map((c) => ({ termekkod: c, szabadraktar: 5 })))).body.counts).toMatchObject({ unchanged: 2 });
    await placeOrder(shop, { products: ids.map((productId) => ({ productId, quantity: 1 })) });
    const stock = () => quantities(ids);
    expect(await stock()).toEqual([4, 4]);
    const res = await push('stock', codes.map((c) => ({ termekkod: c, szabadraktar: 5 })));
    expect(res.body.counts).toMatchObject({ updated: 2, unchanged: 0 });
    expect(await stock()).toEqual([5, 5]);
  });

  it('promo price: the storefront shows it with the regular price struck beside it, then a new one over it (both in the product\'s history); a resend is unchanged; 0 ends it', async () => {
    const res = await push('promo-prices', [{ termekkod: product.model, arakcios: 999 }]);
    expect(res.body.counts).toMatchObject({ received: 1, updated: 1 });
    const p = await shown(product.product_id);
    expect(p.special?.value).toBe(999);
    expect(p.old?.value).toBe(1234.5);
    const again = await push('promo-prices', [{ termekkod: product.model, arakcios: 999 }]);
    expect(again.body.counts).toMatchObject({ unchanged: 1 });
    // A new price over the running promo (every group already has its row: only the UPDATE runs).
    const lower = await push('promo-prices', [{ termekkod: product.model, arakcios: 888 }]);
    expect(lower.body.counts).toMatchObject({ updated: 1 });
    expect((await shown(product.product_id)).special?.value).toBe(888);
    // The product page's history: the promos of the two runs that wrote some (net promos decided in memory: in blocks), newest first.
    const history = await new ProductHistory(ctx.db).changes({ codes: [product.model], limit: 10 });
    expect(history.filter((h) => h.field === 'promo').map((h) => [h.run_id, h.new_value])).toEqual([[lower.body.run, 888], [res.body.run, 999]]);
    await push('promo-prices', [{ termekkod: product.model, arakcios: 0 }]);
    const after = await shown(product.product_id);
    expect(after.special).toBeUndefined();
    expect(after.price.value).toBe(1234.5);
  });

  it('full sync: categories and a new product with name, description, VAT, unit, category and picture, as the storefront shows them', async () => {
    await ctx.settings.update({ sync_type: 'full' });
    const cats = await pushXml(app, 'categories', [{ kod: 'ERP-KES', nev: 'Kések & villák' }, { kod: 'ERP-SZEL', szulo: 'ERP-KES', nev: 'Szeletelők' }]);
    expect(cats.body.counts).toMatchObject({ received: 2, created: 2 });
    const [{ category_id: sub }] = await ctx.db.knex(ctx.db.own('category_map')).where({ erp_code: 'ERP-SZEL' }).select('category_id');
    const [{ category_id: top }] = await ctx.db.knex(ctx.db.own('category_map')).where({ erp_code: 'ERP-KES' }).select('category_id');
    const categoryPage = await storefrontGet(shop, `index.php?route=product/category&path=${top}_${sub}${shop.major === 4 ? `&language=${(await storefrontLanguage(shop)).code}` : ''}`);
    // The page's title (4.0.2.3's own heading shows the parent's name for a subcategory: its bug).
    expect(categoryPage).toContain('<title>Szeletelők</title>');
    expect(categoryPage).toContain('Kések &amp; villák');

    const png = pngBytes();
    const res = await request(app).post(`/integration/prices?key=${KEY}`).set('Content-Type', 'application/xml').set('Accept', 'application/json').send(
      xmlDoc([{ termekkod: 'ERP&NEW-1', nev: 'Szeletelő kés & tok', tmegjegyzes: 'Rozsdamentes acél, 20 cm', ar: 2000, afakulcs: 27, mee: 'db', kat: 'ERP-SZEL', kep: `data:image/png;base64,${png.toString('base64')}` }]),
    );
    expect(res.body.counts).toMatchObject({ received: 1, created: 1, invalid: 0 });
    const [created] = await shop.query(`SELECT product_id, model, tax_class_id, image FROM ${t('product')} WHERE model = 'ERP&amp;NEW-1'`);
    expect(created).toBeDefined();
    expect(Number(created.tax_class_id)).toBe(taxClassId);
    const p = await shown(created.product_id);
    expect(p.title).toBe('Szeletelő kés & tok');
    expect(p.net).toBe(2000);
    expect(await productDescription(shop, created.product_id)).toContain('Rozsdamentes acél, 20 cm');
    // The picture: OpenCart resizes it into its image cache and links it from the page.
    const page = await productPage(shop, created.product_id);
    expect(page).toMatch(new RegExp(`image/cache/${created.image.replace(/\.png$/, '')}-\\d+x\\d+\\.png`));
    expect(await categoryProducts(shop, sub)).toContain('Szeletelő kés & tok');
    // A resend changes nothing and creates no twin.
    const again = await pushXml(app, 'prices', [{ termekkod: 'ERP&NEW-1', nev: 'Szeletelő kés & tok', ar: 2000, afakulcs: 27, kat: 'ERP-SZEL' }]);
    expect(again.body.counts).toMatchObject({ created: 0, unchanged: 1 });
    // A new price: decided from the product index (round 22), written, and shown by the storefront;
    // sent again, unchanged.
    const repriced = [{ termekkod: 'ERP&NEW-1', nev: 'Szeletelő kés & tok', ar: 2100, afakulcs: 27, kat: 'ERP-SZEL' }];
    const newPrice = await pushXml(app, 'prices', repriced);
    expect(newPrice.body.counts).toMatchObject({ updated: 1, unchanged: 0 });
    expect((await shown(created.product_id)).net).toBe(2100);
    // The product page's history, under the code as the shop stores it (net prices decided in
    // memory: in blocks): the new price over the old, then the price it was created with.
    const history = await new ProductHistory(ctx.db).changes({ codes: ['ERP&amp;NEW-1'], limit: 10 });
    expect(history.map((h) => [h.run_id, h.field, h.old_value === null ? null : Number(h.old_value), Number(h.new_value)])).toEqual([
      [newPrice.body.run, 'price', 2000, 2100],
      [res.body.run, 'price', null, 2000],
    ]);
    expect((await pushXml(app, 'prices', repriced)).body.counts).toMatchObject({ updated: 0, unchanged: 1 });
    // Gross prices, as most ERPs here send them: a new product is created at the net price of
    // its afakulcs (until round 25 it was created at 0), and the storefront shows that net price.
    await ctx.settings.update({ price_basis: 'gross' });
    try {
      const gross = await pushXml(app, 'prices', [{ termekkod: 'ERP-GROSS-1', nev: 'Bruttó termék', ar: 2540, afakulcs: 27 }]);
      expect(gross.body.counts).toMatchObject({ received: 1, created: 1 });
      const [made] = await shop.query(`SELECT product_id FROM ${t('product')} WHERE model = 'ERP-GROSS-1'`);
      expect((await shown(made.product_id)).net).toBe(2000);
    } finally {
      await ctx.settings.update({ price_basis: 'net' });
    }
  });

  it('stock: an order placed through OpenCart in a shop of many blocks re-reads only the changed block (the patch), and the next stock push writes the product it took from, its history\'s old value the one OpenCart\'s order left', async () => {
    // 1,300 products created by a full sync: product ids then span six blocks of the signature, and
    // an order that takes stock from one product changes one block of them (at most a quarter are patched).
    await ctx.settings.update({ sync_type: 'full' });
    const many = Array.from({ length: 1300 }, (_, i) => ({ termekkod: `BLK-${i}`, nev: `Blokk ${i}`, ar: 100, afakulcs: 27 }));
    expect((await push('prices', many)).body.counts).toMatchObject({ created: 1300 });
    await ctx.settings.update({ sync_type: 'stock_price' });
    const [{ n: blocks }] = await shop.query(`SELECT COUNT(DISTINCT FLOOR(product_id / ${SIGNATURE_BLOCK})) AS n FROM ${t('product')}`);
    expect(Number(blocks)).toBeGreaterThanOrEqual(5);
    // A product of the demo (the lowest block) that OpenCart can sell, and one the full sync created (a higher block).
    const [demo] = await sellable(1);
    await stockable(demo!, 'ORD-BLOCK');
    const [{ product_id: far }] = await shop.query(`SELECT product_id FROM ${t('product')} WHERE model = 'BLK-1299'`);
    expect(Math.floor(far / SIGNATURE_BLOCK)).not.toBe(Math.floor(demo! / SIGNATURE_BLOCK));
    // The index is read, and kept warm.
    const first = await push('stock', [{ termekkod: 'ORD-BLOCK', szabadraktar: 5 }, { termekkod: 'BLK-1299', szabadraktar: 9 }]);
    expect(first.body.counts).toMatchObject({ unchanged: 1, updated: 1 });
    await placeOrder(shop, { products: [{ productId: demo!, quantity: 1 }] });
    const stock = () => quantities([demo!, far]);
    expect(await stock()).toEqual([4, 9]);
    const res = await push('stock', [{ termekkod: 'ORD-BLOCK', szabadraktar: 5 }, { termekkod: 'BLK-1299', szabadraktar: 9 }]);
    expect(lastIndexLoad(ctx.db)).toBe('patched');
    expect(res.body.counts).toMatchObject({ updated: 1, unchanged: 1 });
    expect(await stock()).toEqual([5, 9]);
    // The history, in blocks, as the product page reads it: the old value is the one OpenCart's own
    // order left (4), and only the product the push wrote is in the run.
    const [latest] = await new ProductHistory(ctx.db).changes({ codes: ['ORD-BLOCK'], limit: 5 });
    expect(latest).toMatchObject({ run_id: res.body.run, product_id: demo, code: 'ORD-BLOCK', field: 'quantity', old_value: 4, new_value: 5, run_status: 'ok' });
    expect((await runChanges(ctx.db, res.body.run)).map((c) => [c.product_id, c.field, c.old_value, c.new_value])).toEqual([[demo, 'quantity', 4, 5]]);
  });

  it('leaves OpenCart printing no PHP warning, notice or deprecation on its storefront and admin', async () => {
    await storefrontGet(shop, '');
    const admin = await adminLogin(shop);
    for (const route of ['common/dashboard', shop.major === 3 ? 'catalog/product' : 'catalog/product', 'catalog/category'])
      expect((await admin.get(route)).status).toBe(200);
    expect(shop.phpProblems()).toEqual([]);
  });
});
