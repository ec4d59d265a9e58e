// Full sync's master data (app/shop/product-master.ts) through its own methods on each database:
// which staged rows become products and with what in every column, how ERP categories resolve,
// when a product counts as unchanged (each field on its own), and what `apply` writes: the
// default language's texts, texts for languages a product lacks, its store, the ERP category in
// place of the other ERP categories (the owner's own stay), and the mapping with the picture URL
// waiting for download. push-full-sync reaches all of it only through HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { markCreatable, ProductMasterWriter, type NewProductDefaults } from '../../app/shop/product-master.js';
import { ProductStaging, type StageRow } from '../../app/shop/product-staging.js';
import { defaultLanguage, listLanguages } from '../../app/shop/catalog.js';
import { shopSchema } from '../../app/shop/schema.js';
import { TARGETS, openTarget, type TargetEnv } from '../support/targets.js';
import { addProduct, product, uniqueCode } from '../support/shop.js';

const RUN = 8101;
const NOW = '2026-12-02 10:00:00';
const TODAY = '2026-12-02';
const OLD = '2026-01-01 10:00:00';

describe.each(TARGETS)('full sync\'s product master data on $name', (target) => {
  let env: TargetEnv;
  let lang: number;
  let languages: number[];
  const db = () => env.ctx.db;
  const t = (name: string) => db().t(name);
  const defaults = (over: Partial<NewProductDefaults> = {}): NewProductDefaults => ({ codeField: 'model', status: 1, stockStatusId: 7, weightClassId: 2, lengthClassId: 3, today: TODAY, now: NOW, ...over });
  /** Marks the rows full sync creates, as the push does in memory before it stages them. */
  const creatable = (rows: StageRow[]) => (rows.forEach(markCreatable), rows);
  const staged = async (rows: StageRow[]) => {
    const st = new ProductStaging(db(), RUN, 'prices');
    await st.load(rows);
    return { st, master: new ProductMasterWriter(st, lang, await shopSchema(db())) };
  };
  const stage = async (st: ProductStaging) =>
    (await db().knex(st.S).where({ run_id: RUN }).orderBy('seq').select('seq', 'outcome', 'match_count', 'product_id', 'category_id')).map((r: Record<string, unknown>) => ({
      seq: Number(r.seq), outcome: r.outcome ?? null, match_count: Number(r.match_count), product_id: r.product_id === null ? null : Number(r.product_id), category_id: r.category_id === null ? null : Number(r.category_id),
    }));
  const byModel = (model: string) => db().knex(t('product')).where({ model }).select();
  const names = async (id: number) =>
    Object.fromEntries((await db().knex(t('product_description')).where({ product_id: id }).select('language_id', 'name', 'description', 'meta_title')).map((r: Record<string, unknown>) => [Number(r.language_id), { name: r.name, description: r.description, meta_title: r.meta_title }]));
  const categoriesOf = async (id: number) => (await db().knex(t('product_to_category')).where({ product_id: id }).orderBy('category_id').pluck('category_id')).map(Number);
  const mapOf = (id: number) => db().knex(db().own('product_map')).where({ product_id: id }).first('erp_code', 'unit', 'image_url', 'image_status', 'updated_at');
  const mapCategory = (erp_code: string, category_id: number) => db().knex(db().own('category_map')).insert({ erp_code, category_id, updated_at: OLD });
  const addMap = (product_id: number, erp_code: string, values: Record<string, unknown> = {}) => db().knex(db().own('product_map')).insert({ product_id, erp_code, unit: 'db', updated_at: OLD, ...values });

  beforeAll(async () => {
    env = await openTarget(target);
    lang = (await defaultLanguage(db())).languageId;
    languages = (await listLanguages(db())).map((l) => l.languageId);
  });
  afterAll(async () => env?.cleanup());
  beforeEach(async () => {
    await db().knex(db().own('category_map')).delete();
  });

  it('marks as to be created only unknown codes that have a name (in memory), and stages them so', async () => {
    const id = await addProduct(db(), { model: uniqueCode('KNOWN') });
    const { st, master } = await staged(creatable([
      { seq: 1, code: uniqueCode('N'), match_count: 0, name: 'Új' },
      { seq: 2, code: uniqueCode('N'), match_count: 0 },
      { seq: 3, code: uniqueCode('N'), match_count: 1, product_id: id, name: 'Van' },
      { seq: 4, code: uniqueCode('N'), match_count: 2, name: 'Kettő' },
      { seq: 5, code: uniqueCode('N'), match_count: 0, name: 'Már eldőlt', outcome: 'check' },
    ]));
    expect((await stage(st)).map((r) => r.outcome)).toEqual(['created', null, null, null, 'check']);
  });

  it('creates a product for each such row with every column filled as the shop\'s admin would, matches it, and creates none again on a resend', async () => {
    const [a, b, c] = [uniqueCode('NEW'), uniqueCode('NEW'), uniqueCode('NEW')];
    const { st, master } = await staged(creatable([
      { seq: 1, code: `${a}&1`, match_count: 0, name: 'Első', price: 12.5, tax_class_id: 9, image: 'catalog/erp/a.jpg' },
      { seq: 2, code: b, match_count: 0, name: 'Második', image: 'https://erp.example/b.jpg' },
      { seq: 3, code: c, match_count: 0 },
    ]));
    await master.createProducts(defaults());
    const [first] = await byModel(`${a}&amp;1`);
    expect(first).toBeDefined();
    expect({
      price: Number(first.price), tax_class_id: Number(first.tax_class_id), image: first.image, quantity: Number(first.quantity), status: Number(first.status),
      stock_status_id: Number(first.stock_status_id), weight_class_id: Number(first.weight_class_id), length_class_id: Number(first.length_class_id),
      date_available: String(first.date_available).slice(0, 10), date_added: String(first.date_added), date_modified: String(first.date_modified),
      sku: first.sku, upc: first.upc, ean: first.ean, mpn: first.mpn, subtract: Number(first.subtract), minimum: Number(first.minimum), shipping: Number(first.shipping),
    }).toEqual({
      price: 12.5, tax_class_id: 9, image: 'catalog/erp/a.jpg', quantity: 0, status: 1, stock_status_id: 7, weight_class_id: 2, length_class_id: 3,
      date_available: TODAY, date_added: NOW, date_modified: NOW, sku: '', upc: '', ean: '', mpn: '', subtract: 1, minimum: 1, shipping: 1,
    });
    // No price: 0; a picture still to download: no image yet.
    const [second] = await byModel(b);
    expect([Number(second.price), Number(second.tax_class_id), second.image]).toEqual([0, 0, '']);
    // No name: not created.
    expect(await byModel(c)).toEqual([]);
    const ids = [Number(first.product_id), Number(second.product_id)];
    expect((await stage(st)).map((r) => [r.outcome, r.match_count, r.product_id])).toEqual([['created', 1, ids[0]], ['created', 1, ids[1]], [null, 0, null]]);
    // A resend of the same step (a crash after the insert): nothing is inserted twice.
    await master.createProducts(defaults());
    expect(await byModel(`${a}&amp;1`)).toHaveLength(1);
    expect(await byModel(b)).toHaveLength(1);
  });

  it('writes the code into the configured code field as well, disabled when the owner says so, and leaves the other code fields empty', async () => {
    const code = uniqueCode('SKU');
    const { master } = await staged(creatable([{ seq: 1, code, match_count: 0, name: 'SKU termék' }]));
    await master.createProducts(defaults({ codeField: 'sku', status: 0 }));
    const [p] = await byModel(code);
    expect([p.model, p.sku, p.upc, p.ean, p.jan, p.isbn, p.mpn, Number(p.status)]).toEqual([code, code, '', '', '', '', '', 0]);
  });

  it.each(['upc', 'ean', 'jan', 'isbn', 'mpn'] as const)('writes the code into %s when that is the configured code field, and matches the product by it', async (field) => {
    // Short enough for the narrowest of them (upc holds 12 characters): one letter, the pid and a counter.
    const code = uniqueCode(field[0]!.toUpperCase()).replace(/-/g, '');
    const { st, master } = await staged(creatable([{ seq: 1, code, match_count: 0, name: `${field} termék` }]));
    await master.createProducts(defaults({ codeField: field }));
    const [p] = await byModel(code);
    expect([p.model, p[field]]).toEqual([code, code]);
    expect((await stage(st)).map((r) => [r.outcome, r.match_count, r.product_id])).toEqual([['created', 1, Number(p.product_id)]]);
  });

  it('matches a created product by its new id only: a product that got the same code before the insert is not taken for it', async () => {
    const code = uniqueCode('RACE');
    // The owner added a product with this code after the push matched its rows (match_count 0).
    const older = await addProduct(db(), { model: code });
    const { st, master } = await staged(creatable([{ seq: 1, code, match_count: 0, name: 'Új' }]));
    await master.createProducts(defaults());
    const made = (await byModel(code)).map((r: Record<string, unknown>) => Number(r.product_id)).filter((id: number) => id !== older);
    expect(made).toHaveLength(1);
    expect((await stage(st)).map((r) => [r.outcome, r.match_count, r.product_id])).toEqual([['created', 1, made[0]]]);
  });

  it('resolves ERP category codes through the category mapping; an unmapped code resolves to none', async () => {
    await mapCategory('K1', 9101);
    const { st, master } = await staged([
      { seq: 1, code: uniqueCode('C'), category_code: 'K1' },
      { seq: 2, code: uniqueCode('C'), category_code: 'K2' },
      { seq: 3, code: uniqueCode('C') },
    ]);
    await master.resolveCategories();
    expect((await stage(st)).map((r) => r.category_id)).toEqual([9101, null, null]);
  });

  it('counts a product unchanged only when it holds every value the record gives, each field compared on its own', async () => {
    const code = uniqueCode('SAME');
    const id = await addProduct(db(), { model: code, price: 10, tax_class_id: 9, name: 'Név' });
    await db().knex(t('product')).where({ product_id: id }).update({ image: 'catalog/p.jpg' });
    await db().knex(t('product_description')).where({ product_id: id, language_id: lang }).update({ description: 'Leírás' });
    await db().knex(t('product_to_category')).insert({ product_id: id, category_id: 9101 });
    await addMap(id, code, { unit: 'db', image_url: 'https://erp.example/p.jpg' });
    await mapCategory('K1', 9101);
    await mapCategory('K2', 9102);
    const same = { code, match_count: 1, product_id: id };
    const rows: Array<[string, Partial<StageRow>, 'unchanged' | 'updated']> = [
      ['everything the same', { price: 10, tax_class_id: 9, image: 'catalog/p.jpg', name: 'Név', description: 'Leírás', category_code: 'K1', unit: 'db' }, 'unchanged'],
      ['nothing given', {}, 'unchanged'],
      ['a price the same to 4 decimals', { price: 10.00004 }, 'unchanged'],
      ['the picture URL already mapped', { image: 'https://erp.example/p.jpg' }, 'unchanged'],
      ['another price', { price: 10.0001 }, 'updated'],
      ['another tax class', { tax_class_id: 10 }, 'updated'],
      ['another picture', { image: 'catalog/q.jpg' }, 'updated'],
      ['another picture URL', { image: 'https://erp.example/q.jpg' }, 'updated'],
      ['a name differing in case only', { name: 'név' }, 'updated'],
      ['another description', { description: 'Más' }, 'updated'],
      ['a category it is not in', { category_code: 'K2' }, 'updated'],
      ['another unit', { unit: 'kg' }, 'updated'],
    ];
    const { st, master } = await staged(rows.map(([, r], i) => ({ seq: i + 1, ...same, ...r })));
    await master.resolveCategories();
    await st.classify(master.sameExpr());
    expect((await stage(st)).map((r, i) => [rows[i]![0], r.outcome])).toEqual(rows.map(([what, , outcome]) => [what, outcome]));
  });

  it('counts a product updated when its mapping, its store or its code in the mapping is missing or other', async () => {
    const [mapped, unmapped, storeless, recoded] = [uniqueCode('M'), uniqueCode('U'), uniqueCode('S'), uniqueCode('R')];
    const ids = [await addProduct(db(), { model: mapped }), await addProduct(db(), { model: unmapped }), await addProduct(db(), { model: storeless }), await addProduct(db(), { model: recoded })];
    await addMap(ids[0]!, mapped);
    await addMap(ids[2]!, storeless);
    await addMap(ids[3]!, `${recoded}-OLD`);
    await db().knex(t('product_to_store')).where({ product_id: ids[2] }).delete();
    const { st, master } = await staged([mapped, unmapped, storeless, recoded].map((code, i) => ({ seq: i + 1, code, match_count: 1, product_id: ids[i]! })));
    await st.classify(master.sameExpr());
    expect((await stage(st)).map((r) => r.outcome)).toEqual(['unchanged', 'updated', 'updated', 'updated']);
  });

  // Staging as much as the shop holds or more makes the writes scan the shop's tables (a big push);
  // a few rows against a big shop look each product up. Both must write the same.
  it.each([
    ['looking each staged product up', 1_000_000],
    ['scanning the shop\'s tables', 0],
  ])('applies the master data of updated and created products only: prices, texts in every language, store, the ERP category in place of other ERP categories, and the mapping, %s', async (_way, shopProducts) => {
    const [upd, same, made] = [uniqueCode('UPD'), uniqueCode('SAME'), uniqueCode('MADE')];
    const other = languages.find((l) => l !== lang)!;
    const u = await addProduct(db(), { model: upd, price: 5, tax_class_id: 9, name: 'Régi név' });
    const s = await addProduct(db(), { model: same, price: 7, name: 'Marad' });
    await db().knex(t('product_description')).where({ product_id: u, language_id: other }).update({ name: 'Old name' });
    // u: an ERP category (K2) and one of the owner's own (9200); the record says K1.
    await mapCategory('K1', 9101);
    await mapCategory('K2', 9102);
    await db().knex(t('product_to_category')).insert([{ product_id: u, category_id: 9102 }, { product_id: u, category_id: 9200 }]);
    await addMap(u, upd, { unit: 'db', image_url: 'https://erp.example/u.jpg', image_status: 'done' });
    const { st, master } = await staged(creatable([
      { seq: 1, code: upd, match_count: 1, product_id: u, price: 6.5, tax_class_id: 10, name: 'Új név', description: 'Új leírás', category_code: 'K1', unit: 'kg', image: 'https://erp.example/u2.jpg' },
      { seq: 2, code: same, match_count: 1, product_id: s, price: 99, name: 'Nem írható' },
      { seq: 3, code: made, match_count: 0, name: 'Új termék', image: 'catalog/made.jpg', category_code: 'K2' },
    ]));
    st.scanProducts(3, shopProducts);
    await master.createProducts(defaults());
    await master.resolveCategories();
    // s is classified unchanged here by hand (as if it held the values), to prove apply skips it.
    await db().knex(st.S).where({ run_id: RUN, seq: 2 }).update({ outcome: 'unchanged' });
    await db().knex(st.S).where({ run_id: RUN, seq: 1 }).update({ outcome: 'updated' });
    const steps: string[] = [];
    await master.apply(NOW, languages, async (name) => void steps.push(name));
    // The lanes run at once: each lane's steps in its own order, the lanes' in any.
    expect([...steps].sort()).toEqual(['master:categories', 'master:descriptions', 'master:products']);
    expect(steps.indexOf('master:descriptions')).toBeLessThan(steps.indexOf('master:categories'));
    const m = Number((await byModel(made))[0].product_id);

    const pu = await product(db(), u);
    expect([Number(pu.price), Number(pu.tax_class_id), pu.image, String(pu.date_modified)]).toEqual([6.5, 10, '', NOW]);
    const ps = await product(db(), s);
    expect([Number(ps.price), String(ps.date_modified)]).toEqual([7, OLD]);
    // The default language's texts are the ERP's; another language's name stays the owner's.
    const nu = await names(u);
    expect(nu[lang]).toMatchObject({ name: 'Új név', description: 'Új leírás' });
    expect(nu[other]).toMatchObject({ name: 'Old name' });
    expect((await names(s))[lang]).toMatchObject({ name: 'Marad' });
    // A created product gets its texts in every language, and its store.
    const nm = await names(m);
    for (const l of languages) expect(nm[l], `language ${l}`).toEqual({ name: 'Új termék', description: '', meta_title: 'Új termék' });
    expect((await db().knex(t('product_to_store')).where({ product_id: m })).map((r: Record<string, unknown>) => Number(r.store_id))).toEqual([0]);
    expect(await db().knex(t('product_to_store')).where({ product_id: u })).toHaveLength(1);
    // The ERP category replaces the other ERP category; the owner's own stays.
    expect(await categoriesOf(u)).toEqual([9101, 9200]);
    expect(await categoriesOf(m)).toEqual([9102]);
    expect(await categoriesOf(s)).toEqual([]);
    // The mapping: a new URL waits for download; the created product is mapped with no unit given.
    expect(await mapOf(u)).toEqual({ erp_code: upd, unit: 'kg', image_url: 'https://erp.example/u2.jpg', image_status: 'pending', updated_at: NOW });
    expect(await mapOf(m)).toEqual({ erp_code: made, unit: '', image_url: null, image_status: null, updated_at: NOW });
    expect(await mapOf(s)).toBeUndefined();

    // The same again (a resend): nothing doubles, and a picture already downloaded from the same URL stays done.
    await db().knex(db().own('product_map')).where({ product_id: u }).update({ image_status: 'done' });
    await master.apply(NOW, languages);
    expect(await categoriesOf(u)).toEqual([9101, 9200]);
    expect(await db().knex(t('product_description')).where({ product_id: m })).toHaveLength(languages.length);
    expect(await db().knex(t('product_to_store')).where({ product_id: m })).toHaveLength(1);
    expect(await mapOf(u)).toMatchObject({ image_url: 'https://erp.example/u2.jpg', image_status: 'done' });
  });

  it('writes the products only after their history, and a failing history leaves the prices as they were while the other lanes finish; the push fails with its error', async () => {
    const code = uniqueCode('LANE');
    const id = await addProduct(db(), { model: code, price: 5, name: 'Régi' });
    const { st, master } = await staged([{ seq: 1, code, match_count: 1, product_id: id, price: 8, name: 'Új', unit: 'kg' }]);
    st.scanProducts(1, 1_000_000);
    await db().knex(st.S).where({ run_id: RUN }).update({ outcome: 'updated' });
    // The history sees the price before the products lane writes it.
    let seen: number | undefined;
    await master.apply(NOW, languages, async () => {}, async () => {
      seen = Number((await product(db(), id)).price);
    });
    expect(seen).toBe(5);
    expect(Number((await product(db(), id)).price)).toBe(8);

    const other = uniqueCode('LANE');
    const oid = await addProduct(db(), { model: other, price: 5, name: 'Régi' });
    await db().knex(st.S).where({ run_id: RUN }).delete();
    await st.load([{ seq: 1, code: other, match_count: 1, product_id: oid, price: 9, name: 'Másik', unit: 'db' }]);
    await db().knex(st.S).where({ run_id: RUN }).update({ outcome: 'updated' });
    const steps: string[] = [];
    await expect(master.apply(NOW, languages, async (name) => void steps.push(name), async () => {
      throw new Error('history lost');
    })).rejects.toThrow('history lost');
    // No price without its history; the texts, the store and the mapping lanes ran to their end.
    expect(Number((await product(db(), oid)).price)).toBe(5);
    expect(steps).toEqual(['master:descriptions', 'master:categories']);
    expect((await names(oid))[lang]).toMatchObject({ name: 'Másik' });
    expect(await mapOf(oid)).toMatchObject({ erp_code: other, unit: 'db' });
  });
});
